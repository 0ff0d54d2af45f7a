"""casedesk export / cases import / import of FtM files, as investigators script them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

DATA = Path(__file__).parents[1] / "data" / "ftm"


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
    bad = tmp_path / "bad.casepack"
    with zipfile.ZipFile(pack) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            zout.writestr(name, data.replace(b"Derek", b"Dirk") if name == "records.jsonl" else data)
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
