"""The screening commands as investigators script them: load lists, screen, decide, dedupe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

LISTS = Path(__file__).resolve().parents[1] / "data" / "screening-lists"


@pytest.fixture(scope="module")
def db(run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("screen") / "ws.casedesk"
    expected = {"ofac-sdn-2021/sdn.csv": ("ofac-sdn", 8976), "csl/consolidated_sample_2024.csv": ("csl", 13),
                "dpl/dpl.txt": ("dpl", 543), "ftm/zala_cluster.ftm.jsonl": ("ftm", 14)}
    for rel, (fmt, entries) in expected.items():
        out = run("--db", str(path), "watchlist", "import", str(LISTS / rel), "--json")
        assert out.returncode == 0, out.stderr
        payload = json.loads(out.stdout)
        assert (payload["format"], payload["entries"]) == (fmt, entries)
        assert set(payload) >= {"list_id", "name", "format", "entries"}
    return path


def test_watchlist_list(run, db):
    rows = json.loads(run("--db", str(db), "watchlist", "list", "--json").stdout)
    assert {r["format"]: r["entries"] for r in rows} == {"ofac-sdn": 8976, "csl": 13, "dpl": 543, "ftm": 14}
    assert all(set(r) >= {"list_id", "name", "format", "entries", "snapshot_date"} for r in rows)
    assert all(r["snapshot_date"] for r in rows)


def test_invalid_csl_is_refused_and_nothing_imported(run, db):
    before = run("--db", str(db), "watchlist", "list", "--json").stdout
    for extra in ([], ["--skip-bad-rows"]):
        out = run("--db", str(db), "watchlist", "import", str(LISTS / "csl" / "csl_invalid_2019.csv"),
                  "--name", "bad", "--json", *extra)
        assert out.returncode == 2 and out.stdout == ""
        assert "line 2" in out.stderr and "nothing" in out.stderr and len(out.stderr.splitlines()) == 1
    assert run("--db", str(db), "watchlist", "list", "--json").stdout == before


def test_unknown_format_is_refused(run, db, tmp_path):
    p = tmp_path / "inventory.csv"
    p.write_text("serial,model\n1,H100\n", encoding="utf-8")
    out = run("--db", str(db), "watchlist", "import", str(p))
    assert out.returncode == 2 and "unknown list format" in out.stderr


def test_screen_returns_spellings_in_other_scripts_and_nothing_for_negatives(run, db):
    from casedesk.services.cases import create_case
    from casedesk.services.records import RecordIn, create_record
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(str(db))
    with ws.write() as s:
        case_id = create_case(s, "screen me").id
        ids = {}
        for label, kind in [("Александр Вячеславович Захаров", "person"), ("OOO ZALA AERO", "company"),
                            ("Kalashnikov Concern JSC", "company"), ("Mohammad Abu Jheisheh", "person"),
                            ("Acme Bakery GmbH", "company"), ("王伟", "person"), ("Co., Ltd.", "company"),
                            ("Harbor Compute Pte. Ltd.", "company")]:
            ids[label] = create_record(s, case_id, RecordIn("party", {"label": label,
                                                                      "party_kind": kind})).id
        ids["wallet"] = create_record(s, case_id, RecordIn("wallet", {
            "label": "deposit", "chain": "XBT", "address": "1GqChmWqGtsaLrGbHfgdrV5Nkvahtjjuxr"})).id
    ws.dispose()
    out = run("--db", str(db), "screen", "--case", str(case_id), "--json")
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)["hits"]
    assert all(set(h) >= {"record_id", "record_label", "list", "entry_name", "score", "explanation"}
               for h in hits)
    hit_records = {h["record_id"] for h in hits}
    for label in ("Александр Вячеславович Захаров", "OOO ZALA AERO", "Kalashnikov Concern JSC",
                  "Mohammad Abu Jheisheh", "wallet"):
        assert ids[label] in hit_records, label
    for label in ("Acme Bakery GmbH", "王伟", "Co., Ltd.", "Harbor Compute Pte. Ltd."):
        assert ids[label] not in hit_records, label
    wallet_hit = next(h for h in hits if h["record_id"] == ids["wallet"])
    assert wallet_hit["entry_name"] == "SECONDEYE SOLUTION" and "wallet" in wallet_hit["explanation"]
    zakharov = [h for h in hits if h["record_id"] == ids["Александр Вячеславович Захаров"]]
    assert any("Cyrillic" in h["explanation"] for h in zakharov)
    # decide one, re-screen: the decision stays
    hit = next(h for h in hits if h["record_id"] == ids["Mohammad Abu Jheisheh"])
    out = run("--db", str(db), "hits", "decide", str(hit["hit_id"]), "dismissed", "--json")
    assert out.returncode == 2 and "say why" in out.stderr
    out = run("--db", str(db), "hits", "decide", str(hit["hit_id"]), "dismissed",
              "--reason", "different date of birth", "--json")
    assert out.returncode == 0, out.stderr
    again = json.loads(run("--db", str(db), "screen", "--case", str(case_id), "--json").stdout)["hits"]
    assert next(h for h in again if h["hit_id"] == hit["hit_id"])["status"] == "dismissed"
    for typed, says in (("101", "'101' is not between 0 and 100"), ("-1", "'-1' is not between 0 and 100"),
                        ("nan", "'nan' is not between 0 and 100"),
                        ("abc", "'abc' is not a number (give a score from 0 to 100)")):
        out = run("--db", str(db), "screen", "--case", str(case_id), "--threshold", typed, "--json")
        assert out.returncode == 2 and out.stdout == ""
        assert out.stderr.strip() == f"casedesk: argument --threshold: {says}"
    dd = run("--db", str(db), "dedupe", "--case", str(case_id), "--json")
    assert dd.returncode == 0 and json.loads(dd.stdout)["pairs"] == []
    assert run("--db", str(db), "verify").returncode == 0
