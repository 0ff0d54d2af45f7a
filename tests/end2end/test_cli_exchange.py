"""casedesk export / cases import / import of FtM files, as investigators script them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

DATA = Path(__file__).parents[1] / "data" / "ftm"



def _altered(pack, out, part: str, old: bytes, new: bytes):  # noqa: ANN001, ANN202
    """A copy of a case pack with one part's bytes changed (its hash no longer matches)."""
    with zipfile.ZipFile(pack) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            zout.writestr(name, data.replace(old, new) if name == part else data)
    return out


def test_export_each_format_prints_path_records_links(run, demo_db, tmp_path):
    db, cid = demo_db
    for fmt, target in (("ftm", "c.ftm.jsonl"), ("graphml", "c.graphml"), ("csv", "csv"),
                        ("casepack", "c.casepack")):
        out = run("--db", str(db), "export", "--case", str(cid), "--format", fmt,
                  "-o", str(tmp_path / target), "--json")
        assert out.returncode == 0, out.stderr
        doc = json.loads(out.stdout)
        assert {"path", "records", "links"} <= set(doc) and doc["records"] == 32
    assert {"path", "records", "links", "evidence", "sha256"} <= set(doc)


def test_case_pack_exchange_between_workspaces(run, demo_db, tmp_path):
    db, cid = demo_db
    pack = tmp_path / "demo.casepack"
    assert run("--db", str(db), "export", "--case", str(cid), "--format", "casepack",
               "-o", str(pack)).returncode == 0
    other = tmp_path / "other.casedesk"
    out = run("--db", str(other), "cases", "import", str(pack), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {"case_id", "records", "links", "evidence"} <= set(doc) and doc["records"] == 32
    again = run("--db", str(other), "cases", "import", str(pack))
    assert again.returncode == 2 and "already imported" in again.stderr
    assert run("--db", str(other), "verify", "--json").returncode == 0
    # an altered pack: exit 2 naming the part, one line, no traceback, nothing written
    bad = _altered(pack, tmp_path / "bad.casepack", "records.jsonl", b"Derek", b"Dirk")
    fresh = tmp_path / "fresh.casedesk"
    out = run("--db", str(fresh), "cases", "import", str(bad))
    assert out.returncode == 2 and "records.jsonl" in out.stderr and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1
    assert not fresh.exists()  # the workspace the refused import would have made is not left behind


def test_import_takes_ftm_files(run, tmp_path):
    db = tmp_path / "ftm.casedesk"
    case = json.loads(run("--db", str(db), "cases", "new", "Zala", "--json").stdout)["id"]
    out = run("--db", str(db), "import", str(DATA / "zala_cluster.ftm.jsonl"), "--case", str(case),
              "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["created"] == 17 and doc["links"] == 21 and doc["skipped"] == {"Sanction": 41}
    assert {"batch_id", "rows", "created", "merged", "rejected", "evidence_sha256"} <= set(doc)


def _pack_with_a_workspace_model(run, tmp_path: Path) -> Path:
    """Workspace A: a fleet of a chip the shipped catalog lacks, the model added, the case packed."""
    db = tmp_path / "a.casedesk"
    case = json.loads(run("--db", str(db), "cases", "new", "Shenzhen", "--json").stdout)["id"]
    out = run("--db", str(db), "records", "add", "--case", str(case), "--kind", "server",
              "--label", "Shenzhen training cluster", "--set", "accelerator_model=Ascend 910D",
              "--set", "server_count=512", "--set", "accelerators_per_server=8", "--json")
    assert out.returncode == 0, out.stderr
    sheet = tmp_path / "ascend_910d_datasheet.txt"
    sheet.write_text("Ascend 910D: dense FP16 1,250 TFLOPS (TPP 20,000)\n", encoding="utf-8")
    out = run("--db", str(db), "catalog", "add", "Ascend 910D", "--vendor", "Huawei", "--tpp", "20000",
              "--prc-made", "--source", "vendor briefing, p. 2", "--source-file", str(sheet))
    assert out.returncode == 0, out.stderr
    pack = tmp_path / "shenzhen.casepack"
    out = run("--db", str(db), "export", "--case", str(case), "--format", "casepack", "-o", str(pack))
    assert out.returncode == 0, out.stderr
    assert "carries the workspace catalog models its fleets use: Ascend 910D" in out.stdout
    return pack


def _analyse(run, db: Path, case: int) -> dict:
    out = run("--db", str(db), "analyse", "--case", str(case), "--as-of", "2025-12-01", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_case_pack_carries_the_workspace_models_its_fleets_use(run, tmp_path):
    pack = _pack_with_a_workspace_model(run, tmp_path)
    b = tmp_path / "b.casedesk"
    out = run("--db", str(b), "cases", "import", str(pack), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [m["name"] for m in doc["catalog"]["added"]] == ["Ascend 910D"] and not doc["catalog"]["conflicts"]
    after = _analyse(run, b, doc["case_id"])
    fleet = next(f for f in after["compute"]["fleets"] if f["label"] == "Shenzhen training cluster")
    assert fleet["model"] == "Ascend 910D" and fleet["total_tpp"] == 512 * 8 * 20_000
    assert not [u for u in after["undecided"] if "not in the catalog" in u["question"]]
    listed = json.loads(run("--db", str(b), "catalog", "list", "--workspace-only", "--json").stdout)
    assert [m["name"] for m in listed["models"]] == ["Ascend 910D"]
    assert listed["models"][0]["source"] == "vendor briefing, p. 2" and listed["models"][0]["prc_made"]
    assert run("--db", str(b), "verify", "--json").returncode == 0
    # imported again on purpose: the model is already here, said so, not added twice
    again = run("--db", str(b), "cases", "import", str(pack), "--again")
    assert again.returncode == 0, again.stderr
    assert "catalog: already here with the same figures: Ascend 910D" in again.stdout
    listed = json.loads(run("--db", str(b), "catalog", "list", "--workspace-only", "--json").stdout)
    assert len(listed["models"]) == 1
    assert run("--db", str(b), "verify", "--json").returncode == 0


def test_a_receiver_with_other_figures_keeps_its_own_and_is_told(run, tmp_path):
    pack = _pack_with_a_workspace_model(run, tmp_path)
    c = tmp_path / "c.casedesk"
    assert run("--db", str(c), "catalog", "add", "Ascend 910D", "--vendor", "Huawei", "--tpp", "9000",
               "--source", "our own estimate").returncode == 0
    out = run("--db", str(c), "cases", "import", str(pack), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    (conflict,) = doc["catalog"]["conflicts"]
    assert conflict["differs"]["tpp"] == {"pack": 20000.0, "here": 9000.0} and not doc["catalog"]["added"]
    fleet = next(f for f in _analyse(run, c, doc["case_id"])["compute"]["fleets"])
    assert fleet["total_tpp"] == 512 * 8 * 9_000  # the receiver's figure, never silently replaced
    human = run("--db", str(c), "cases", "import", str(pack), "--again")
    assert human.returncode == 0 and "warning: the pack's model Ascend 910D differs" in human.stdout
    assert "tpp 20,000 in the pack, 9,000 here" in human.stdout


def test_a_tampered_catalog_part_refuses_the_pack(run, tmp_path):
    pack = _pack_with_a_workspace_model(run, tmp_path)
    bad = _altered(pack, tmp_path / "bad.casepack", "catalog.jsonl", b"20000.0", b"90000.0")
    fresh = tmp_path / "fresh.casedesk"
    out = run("--db", str(fresh), "cases", "import", str(bad))
    assert out.returncode == 2 and "part catalog.jsonl" in out.stderr and "Traceback" not in out.stderr
    assert not fresh.exists()
