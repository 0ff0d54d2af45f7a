"""A public AI-cluster list, imported through a saved mapping, analysed as an analyst would.

The list writes chips as vendors and datasets do ("NVIDIA H100 Tensor Core GPU", "昇腾910B",
"NVIDIA DGX H100" systems, "GB200 NVL72" racks), counts as "~50,000" and "10,000+", US-style
dates and long country names. Every fleet must find its model and count its GPUs; the data gaps
come grouped as open questions, not as one red flag per owner.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "clusters"


def _case_with_clusters(run, tmp_path: Path) -> tuple[Path, int]:
    db = tmp_path / "clusters.casedesk"
    out = run("--db", str(db), "cases", "new", "AI clusters", "--json")
    assert out.returncode == 0, out.stderr
    case_id = json.loads(out.stdout)["id"]
    out = run("--db", str(db), "import", str(DATA / "ai_clusters_public.csv"), "--case", str(case_id),
              "--mapping", str(DATA / "clusters_mapping.yaml"), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["rows"] == 24 and result["rejected"] == 0
    return db, case_id


def _analyse(run, db: Path, case_id: int) -> dict:
    out = run("--db", str(db), "analyse", "--case", str(case_id), "--as-of", "2025-12-01", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_every_cluster_finds_its_model_and_systems_count_their_gpus(run, tmp_path: Path):
    db, case_id = _case_with_clusters(run, tmp_path)
    doc = _analyse(run, db, case_id)
    fleets = {f["label"]: f for f in doc["compute"]["fleets"]}
    assert len(fleets) == 24
    assert not [f["label"] for f in fleets.values() if f["model_code"] is None or f["accelerators"] is None]
    assert not [u for u in doc["undecided"] if "catalog" in u["question"]]

    eos = fleets["NVIDIA Eos"]  # 576 DGX H100 systems of 8 GPUs
    assert eos["accelerators"] == 4608 and eos["unit"].endswith("= 8 × H100 SXM")
    assert fleets["Stargate Abilene (first phase)"]["accelerators"] == 16 * 72  # NVL72 racks
    assert fleets["Oracle OCI Supercluster (H100)"]["model"] == "H100 SXM"  # NVIDIA's marketing name
    assert fleets["Feixing-1 (飞星一号)"]["model"] == "Ascend 910B"  # written in Chinese
    assert fleets["Feixing-1 (飞星一号)"]["qualifier"] == "at_least"  # "10,000+"
    assert fleets["Cortex (Austin)"]["qualifier"] == "about"  # "~50,000"
    assert doc["compute"]["totals"]["qualifier"] != "exact"  # the total keeps "about"/"at least"
    assert fleets["Colossus (Memphis) phase 1"]["total_tpp"] == 100_000 * 15_832
    assert fleets["Taiwania 2"]["controlled"] is False  # V100: below 3A090


def test_counts_written_as_10k_keep_their_qualifier_and_a_bad_one_names_row_and_field(run, tmp_path: Path):
    db = tmp_path / "k.casedesk"
    assert run("--db", str(db), "cases", "new", "Scaled counts").returncode == 0
    rows = DATA / "ai_clusters_public.csv"
    header = rows.read_text(encoding="utf-8").splitlines()[0]
    sheet = tmp_path / "scaled.csv"
    sheet.write_text("\n".join([header, "A,X,United States,H100,~10k,01/02/2024,Existing,",
                                 "B,Y,China,H800,\"10,000+\",,Existing,",
                                 "C,Z,Japan,H100,1.2345k,,Existing,"]) + "\n", encoding="utf-8")
    out = run("--db", str(db), "import", str(sheet), "--case", "1", "--mapping",
              str(DATA / "clusters_mapping.yaml"), "--rejects", str(tmp_path / "rej.csv"), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rejected"] == 1
    rejects = (tmp_path / "rej.csv").read_text(encoding="utf-8-sig")
    assert "Hardware quantity: '1.2345k' is not a whole number" in rejects
    doc = _analyse(run, db, 1)
    fleets = {f["label"]: f for f in doc["compute"]["fleets"]}
    assert (fleets["A"]["accelerators"], fleets["A"]["qualifier"]) == (10_000, "about")
    assert (fleets["B"]["accelerators"], fleets["B"]["qualifier"]) == (10_000, "at_least")
    assert doc["compute"]["totals"]["accelerators_text"].startswith("about 20,000")


def test_owners_with_no_one_else_using_their_compute_are_one_open_question_not_findings(run, tmp_path: Path):
    db, case_id = _case_with_clusters(run, tmp_path)
    doc = _analyse(run, db, case_id)
    out = run("--db", str(db), "findings", "list", "--case", str(case_id), "--json")
    assert out.returncode == 0, out.stderr
    rules = [f["rule"] for f in json.loads(out.stdout)]
    assert "intermediary_without_owner" not in rules  # nobody here leases compute to anyone
    assert set(rules) == {"prc_advanced_ic"}  # the signal: PRC-made 3A090 ICs (Ascend)
    owner_gap = [q for q in doc["open_questions"] if q["count"] >= 10]
    assert len(owner_gap) == 1 and "xAI" in {i["label"] for i in owner_gap[0]["items"]}


def test_a_model_the_catalog_lacks_is_named_with_candidates_then_added_and_counted(run, tmp_path: Path):
    db, case_id = _case_with_clusters(run, tmp_path)
    out = run("--db", str(db), "records", "add", "--case", str(case_id), "--kind", "server",
              "--label", "Shenzhen training cluster", "--set", "accelerator_model=Ascend 910D",
              "--set", "server_count=512", "--set", "accelerators_per_server=8", "--json")
    assert out.returncode == 0, out.stderr
    before = _analyse(run, db, case_id)
    gap = next(u for u in before["undecided"] if "Ascend 910D" in u["question"])
    assert "nearest in the catalog: Ascend 910" in gap["question"] and "(score " in gap["question"]

    evidence = tmp_path / "ascend_910d_datasheet.txt"
    evidence.write_text("Ascend 910D: dense FP16 1,250 TFLOPS (TPP 20,000)\n", encoding="utf-8")
    out = run("--db", str(db), "catalog", "add", "Ascend 910D", "--vendor", "Huawei", "--tpp", "20000",
              "--prc-made", "--alias", "昇腾910D", "--source", "vendor briefing, p. 2",
              "--source-file", str(evidence), "--json")
    assert out.returncode == 0, out.stderr
    added = json.loads(out.stdout)
    assert added["code"] == "ws_ascend_910d" and len(added["source_sha256"]) == 64

    after = _analyse(run, db, case_id)
    fleet = next(f for f in after["compute"]["fleets"] if f["label"] == "Shenzhen training cluster")
    assert fleet["model"] == "Ascend 910D" and fleet["total_tpp"] == 512 * 8 * 20_000
    assert not [u for u in after["undecided"] if "Ascend 910D" in u["question"]]

    out = run("--db", str(db), "catalog", "list", "--workspace-only", "--json")
    assert [m["code"] for m in json.loads(out.stdout)["models"]] == ["ws_ascend_910d"]
    bad = run("--db", str(db), "catalog", "add", "Ascend 910E", "--vendor", "Huawei", "--tpp", "1e12",
              "--source", "typo")
    assert bad.returncode != 0 and "tpp" in bad.stderr and "10^12" in bad.stderr
    assert "Traceback" not in bad.stderr
