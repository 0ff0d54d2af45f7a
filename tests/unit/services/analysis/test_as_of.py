"""As-of analysis: what existed on the day (installed, in service, decommissioned; contract terms;
dated links) and the rules in force then."""

from __future__ import annotations

from datetime import date

import pytest
from casedesk.services.analysis.as_of import presence


@pytest.mark.parametrize(("start", "end", "on", "expected"), [
    ("2024-06-10", None, date(2024, 6, 9), False),
    ("2024-06-10", None, date(2024, 6, 10), True),
    ("2024-06", None, date(2024, 6, 15), None),      # June: maybe not yet
    ("2024-06", None, date(2024, 7, 1), True),
    (None, "2024-06-30", date(2024, 7, 1), False),
    (None, "2024-06", date(2024, 6, 15), None),
    (None, "2024", date(2025, 1, 1), False),
    ("not a date", None, date(2000, 1, 1), True),    # bad dates keep the record in
    (None, None, date(2000, 1, 1), True),
])
def test_presence(start, end, on, expected):
    assert presence(start, end, on) is expected


def test_a_fleet_before_its_install_date_is_left_out(build, analyse):
    with build() as b:
        fleet = b.fleet("Later fleet", servers=300, per=8, installed_on="2024-06-10",
                        in_service_on="2024-07-01")
        gone = b.fleet("Retired fleet", servers=10, per=8, installed_on="2020-01",
                       decommissioned_on="2023-12-31")
        user = b.party("Beijing Co", country="CN")
        b.link("uses_compute_of", user, fleet)
        b.link("uses_compute_of", user, gone)
        cid = b.case_id
    before, by_rule = analyse(cid, as_of=date(2024, 6, 1))
    assert fleet not in before.inventory.fleets and gone not in before.inventory.fleets
    assert {f["record_id"] for f in before.left_out["fleets"]} == {fleet, gone}
    assert "hq_controlled_compute" not in by_rule
    assert before.inventory.case.accelerators == 0
    after, by_rule = analyse(cid, as_of=date(2024, 7, 15))
    assert fleet in after.inventory.fleets and gone not in after.inventory.fleets
    assert [f["details"]["fleet_id"] for f in by_rule["hq_controlled_compute"]] == [fleet]
    assert after.inventory.case.accelerators == 2400
    retired, by_rule = analyse(cid, as_of=date(2023, 6, 1))
    assert gone in retired.inventory.fleets and fleet not in retired.inventory.fleets


def test_month_dates_that_cannot_tell_are_an_open_question_and_keep_the_fleet(build, analyse):
    with build() as b:
        fleet = b.fleet("June fleet", installed_on="2024-06")
        cid = b.case_id
    result, _ = analyse(cid, as_of=date(2024, 6, 15))
    assert fleet in result.inventory.fleets
    q = next(q for q in result.open_questions if q["gap"] == "as_of_unclear")
    assert q["record_ids"] == [fleet]


def test_contract_term_and_dated_use_links_decide_who_could_use_the_compute(build, analyse):
    with build() as b:
        fleet = b.fleet("Fleet", servers=10, per=8)
        renter = b.party("Renter", country="CN")
        contract = b.contract("Rental Q1 2024", parties=((renter, "customer"),),
                              start_on="2024-01-01", end_on="2024-03-31")
        b.link("covers", contract, fleet)
        later = b.party("Later user", country="CN")
        b.link("uses_compute_of", later, fleet, start_on="2025-01")
        cid = b.case_id
    result, by_rule = analyse(cid, as_of=date(2024, 6, 1))
    assert "hq_controlled_compute" not in by_rule
    assert {c["record_id"] for c in result.left_out["contracts"]} == {contract}
    _, by_rule = analyse(cid, as_of=date(2024, 2, 1))
    assert [f["details"]["party_id"] for f in by_rule["hq_controlled_compute"]] == [renter]
    _, by_rule = analyse(cid, as_of=date(2025, 6, 1))
    assert [f["details"]["party_id"] for f in by_rule["hq_controlled_compute"]] == [later]


def test_rules_not_in_force_on_the_day_are_not_applied(build, analyse):
    with build() as b:
        fleet = b.fleet("Ascend fleet", model="Ascend 910B", servers=10, per=8)
        cid = b.case_id
    result, by_rule = analyse(cid, as_of=date(2024, 6, 1))   # before the GP10 guidance (2025-05-13)
    assert "prc_advanced_ic" not in by_rule
    assert "prc_advanced_ic" in result.left_out["rules_not_in_force"]
    _, by_rule = analyse(cid, as_of=date(2025, 6, 1))
    assert [f["details"]["fleet_id"] for f in by_rule["prc_advanced_ic"]] == [fleet]


def test_before_the_headquarters_rule_only_a_destination_of_concern_is_raised(build, analyse):
    with build() as b:
        abroad = b.fleet("Australian fleet")
        b.link("hosted_at", abroad, b.dc("Brisbane DC", country="AU"))
        home = b.fleet("Beijing fleet")
        b.link("hosted_at", home, b.dc("Beijing DC", country="CN"))
        user = b.party("Beijing Co", country="CN")
        b.link("uses_compute_of", user, abroad)
        b.link("uses_compute_of", user, home)
        cid = b.case_id
    _, by_rule = analyse(cid, as_of=date(2023, 6, 1))   # October 2022 rule: destinations only
    assert [f["details"]["fleet_id"] for f in by_rule["hq_controlled_compute"]] == [home]
    _, by_rule = analyse(cid, as_of=date(2024, 6, 1))   # AC/S rule: headquarters too
    assert {f["details"]["fleet_id"] for f in by_rule["hq_controlled_compute"]} == {home, abroad}


def test_a_past_day_resolves_what_did_not_apply_and_today_restores_decisions(build, analyse, sqlite_ws):
    from casedesk.services.findings import decide_finding

    with build() as b:
        fleet = b.fleet("Ascend fleet", model="Ascend 910B", servers=10, per=8)
        cid = b.case_id
    _, by_rule = analyse(cid, as_of=date(2025, 6, 1))
    fid = by_rule["prc_advanced_ic"][0]["id"]
    with sqlite_ws.write() as s:
        decide_finding(s, fid, "dismissed", "licensed supply, checked")
    _, by_rule = analyse(cid, as_of=date(2024, 6, 1))
    assert "prc_advanced_ic" not in by_rule   # resolved for that day
    _, by_rule = analyse(cid, as_of=date(2025, 6, 1))
    f = by_rule["prc_advanced_ic"][0]
    assert f["id"] == fid and f["status"] == "dismissed" and f["reason"] == "licensed supply, checked"
    del fleet
