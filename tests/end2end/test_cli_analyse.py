"""`casedesk analyse` on the demo case: the fleets as 4A090, the headline red flags with paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def demo(run, demo_db) -> tuple[Path, int, dict, dict]:
    db, case_id = demo_db
    out = run("--db", str(db), "analyse", "--case", str(case_id), "--json", "--as-of", "2025-06-01")
    assert out.returncode == 0, out.stderr
    records = json.loads(run("--db", str(db), "records", "list", "--case", str(case_id), "--json").stdout)
    return db, case_id, json.loads(out.stdout), {r["label"]: r["id"] for r in records}


def test_brisbane_and_california_fleets_are_4a090_with_controlled_totals(demo):
    _, _, report, ids = demo
    fleets = {f["label"]: f for f in report["compute"]["fleets"]}
    brisbane, california = fleets["Brisbane H100 fleet"], fleets["California H100 fleet"]
    assert brisbane["eccn"] == "4A090.a" and california["eccn"] == "4A090.a"
    assert brisbane["accelerators_text"] == "at least 2,400 H100 SXM"
    assert california["accelerators_text"] == "at least 3,200 H100 SXM"
    assert brisbane["h100_equivalents"] == 2400 and california["total_tpp"] == 3200 * 15832
    assert [c["regime"] for c in brisbane["classes"]] == ["2022", "2023"]
    totals = report["compute"]["totals"]
    assert totals["controlled_accelerators"] == 5600 and totals["qualifier"] == "at_least"
    by_user = {g["label"]: g for g in report["compute"]["by_end_user"]}
    assert by_user["Beijing AI company (unnamed)"]["controlled_share"] == 1.0
    # The planned Blackwell cluster has no size: said, not guessed.
    assert fleets["Planned Blackwell cluster"]["accelerators"] is None
    assert any("Planned Blackwell cluster" in u["question"] for u in report["undecided"])


def test_headquarters_rule_raises_the_three_chinese_end_users_with_paths(demo):
    _, _, report, ids = demo
    hq = {f["record_ids"][0]: f for f in report["findings"] if f["rule"] == "hq_controlled_compute"}
    beijing, shanghai = ids["Beijing AI company (unnamed)"], ids["Shanghai AI start-up (unnamed)"]
    singapore = ids["Singapore company with a Chinese parent (unnamed)"]
    assert set(hq) == {beijing, shanghai, singapore}
    assert ids["Brisbane H100 fleet"] in hq[beijing]["record_ids"]
    assert ids["Brisbane data center (unnamed)"] in hq[beijing]["record_ids"]
    assert "remotely from a data center in Australia" in hq[beijing]["explanation"]
    assert ids["Chinese parent of the Singapore company (unnamed)"] in hq[singapore]["record_ids"]
    assert "ultimate parent" in hq[singapore]["explanation"]
    assert all(f["link_ids"] and f["severity"] == "critical" and f["status"] == "open" for f in hq.values())


def test_crypto_payment_and_quick_stand_up_findings(demo):
    _, _, report, ids = demo
    rules = {f["rule"] for f in report["findings"]}
    assert {"crypto_payment", "wallet_only_counterparty", "ownership_into_concern"} <= rules
    crypto = [f for f in report["findings"] if f["rule"] == "crypto_payment"]
    contract = ids["Smart-contract compute rental: Brisbane H100s for the Beijing company"]
    assert any(f["record_ids"][0] == contract for f in crypto)
    quick = [f for f in report["findings"] if f["rule"] == "quick_stand_up"]
    assert len(quick) == 1
    f = quick[0]
    assert f["record_ids"][:2] == [ids["Brisbane H100 fleet"], ids["Beijing AI company (unnamed)"]]
    assert "21 days after installation (June 2024)" in f["explanation"]
    assert f["link_ids"]


def test_rerun_keeps_findings_and_human_output(run, demo):
    db, case_id, report, _ = demo
    out = run("--db", str(db), "analyse", "--case", str(case_id), "--as-of", "2025-06-01")
    assert out.returncode == 0, out.stderr
    assert "0 new" in out.stdout and "Brisbane H100 fleet" in out.stdout
    again = json.loads(run("--db", str(db), "analyse", "--case", str(case_id), "--json",
                           "--as-of", "2025-06-01").stdout)
    assert [f["id"] for f in again["findings"]] == [f["id"] for f in report["findings"]]
    assert again["counts"]["created"] == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--case", "999"], "no case with id 999"), (["--case", "1", "--as-of", "June"], "--as-of")])
def test_bad_input_is_one_line_and_exit_2(run, demo, args, message):
    db, *_ = demo
    out = run("--db", str(db), "analyse", *args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_json_keeps_findings_and_adds_grouped_open_questions(demo):
    _, _, report, ids = demo
    for f in report["findings"]:
        assert {"rule", "severity", "title", "record_ids"} <= set(f)
    questions = report["open_questions"]
    assert questions and all({"rule", "title", "record_ids"} <= set(q) for q in questions)
    gaps = [q["gap"] for q in questions]
    assert len(gaps) == len(set(gaps))
    count = next(q for q in questions if q["gap"] == "count_unknown")
    assert count["record_ids"] == [ids["Planned Blackwell cluster"]]
    inter = {f["record_ids"][0] for f in report["findings"] if f["rule"] == "intermediary_without_owner"}
    assert inter == {ids["Aw's GPU platform company (name not given)"],
                     ids["Decentralised GPU platform used for the California cluster (unnamed)"]}
    ranks = ["critical", "high", "medium", "low", "info"]
    assert [ranks.index(f["severity"]) for f in report["findings"]] == \
        sorted(ranks.index(f["severity"]) for f in report["findings"])


def test_as_of_a_partial_date_before_the_brisbane_installation(run, demo):
    db, case_id, _, ids = demo
    out = run("--db", str(db), "analyse", "--case", str(case_id), "--json", "--as-of", "2024-05")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["as_of"] == "2024-05-31"
    assert [f["record_id"] for f in report["left_out"]["fleets"]] == [ids["Brisbane H100 fleet"]]
    assert ids["Brisbane H100 fleet"] not in {f["fleet_id"] for f in report["compute"]["fleets"]}
    users = {f["record_ids"][0] for f in report["findings"] if f["rule"] == "hq_controlled_compute"}
    assert ids["Beijing AI company (unnamed)"] not in users
    text = run("--db", str(db), "analyse", "--case", str(case_id), "--as-of", "2024-05").stdout
    assert "Left out as of 2024-05-31: Brisbane H100 fleet (installed June 2024)" in text
    assert "Open questions (" in text
    # back to the demo's day for the other tests of this module
    assert run("--db", str(db), "analyse", "--case", str(case_id), "--as-of", "2025-06-01").returncode == 0
