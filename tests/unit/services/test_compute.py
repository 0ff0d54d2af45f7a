"""Compute figures: qualifiers, TPP, H100-equivalents, controlled share, per group and per record."""

from __future__ import annotations

from datetime import date

import pytest
from casedesk.services.analysis.graph import load_case_graph
from casedesk.services.analysis.compute import combine_qualifiers, compute_inventory
from casedesk.services.analysis.compute_views import case_totals, compute_for_record, compute_summary_text

AS_OF = date(2025, 6, 1)


@pytest.mark.parametrize(("quals", "incomplete", "expected"), [
    (["exact", "exact"], False, "exact"), (["exact", "at_least"], False, "at_least"),
    (["exact"], True, "at_least"), (["about", "at_least"], False, "about"),
    (["at_most"], False, "at_most"), (["at_most", "at_least"], False, "about"), ([], False, "exact")])
def test_qualifier_of_a_sum(quals, incomplete, expected):
    assert combine_qualifiers(quals, incomplete) == expected


def _inventory(ws, case_id):
    with ws.read() as s:
        g = load_case_graph(s, case_id)
        return g, compute_inventory(g, as_of=AS_OF)


def test_totals_per_datacenter_owner_operator_and_end_user(build, sqlite_ws):
    with build() as b:
        h100 = b.fleet("H100s", servers=300, per=8, qualifier="at_least")
        h20 = b.fleet("H20s", model="H20", servers=100, per=8)
        dc = b.dc("DC", country="AU")
        owner = b.party("Owner", country="SG")
        operator = b.party("Site operator", country="AU")
        user = b.party("User", country="CN")
        for f in (h100, h20):
            b.link("hosted_at", f, dc)
            b.link("owns_asset", owner, f)
        b.link("operates", operator, dc)        # operating the site counts for its fleets
        b.link("uses_compute_of", user, h100)
        cid = b.case_id
    g, inv = _inventory(sqlite_ws, cid)
    f = inv.fleets[h100]
    assert f.accelerators_text() == "at least 2,400 H100 SXM"
    assert f.total_tpp == pytest.approx(2400 * 15832) and f.h100_equivalents == pytest.approx(2400)
    assert f.eccn == "4A090.a" and f.controlled
    assert inv.fleets[h20].eccn is None and inv.fleets[h20].controlled is False
    site = inv.by_datacenter[dc]
    assert site.accelerators == 3200 and site.qualifier == "at_least"
    assert site.controlled_accelerators == 2400
    assert site.controlled_share == pytest.approx(2400 * 15832 / (2400 * 15832 + 800 * 2368))
    assert site.accelerators_text() == "at least 3,200 accelerators (at least 2,400 H100 SXM; 800 H20)"
    assert set(inv.by_owner) == {owner} and set(inv.by_operator) == {operator}
    assert inv.by_end_user[user].fleet_ids == (h100,)
    assert inv.by_end_user[user].h100_equivalents == pytest.approx(2400)


def test_end_users_by_contract_wallet_datacenter_and_provider(build, sqlite_ws):
    with build() as b:
        fleet = b.fleet("Fleet")
        dc = b.dc("DC", country="US")
        b.link("hosted_at", fleet, dc)
        platform = b.party("Platform", kind="platform")
        b.link("operates", platform, fleet)
        via_platform = b.party("Via platform", country="CN")
        b.link("uses_compute_of", via_platform, platform)
        via_dc = b.party("Via DC", country="CN")
        b.link("uses_compute_of", via_dc, dc)
        lessee = b.party("Lessee", country="CN")
        holder = b.party("Wallet holder", country="CN")
        wallet = b.wallet("Holder's wallet")
        b.link("controls_wallet", holder, wallet)
        anonymous = b.wallet("Anonymous wallet")
        payer = b.party("Payer only", country="US")
        contract = b.contract("Rental", parties=((lessee, "customer"), (wallet, "customer"),
                                                 (anonymous, "customer"), (payer, "payer")))
        b.link("covers", contract, dc)
        cid = b.case_id
    g, inv = _inventory(sqlite_ws, cid)
    users = {u for u, _ in inv.end_uses[fleet]}
    assert users == {via_platform, via_dc, lessee, holder, anonymous}
    route = next(r for u, r in inv.end_uses[fleet] if u == holder)
    assert route.record_ids == (holder, wallet, contract, dc, fleet)
    # The party's side agrees with the fleet's side.
    for u in users:
        assert g.fleets_used_by(u) == {fleet}


def test_missing_quantities_and_unknown_models_are_undecided_not_guessed(build, sqlite_ws):
    with build() as b:
        unknown_size = b.fleet("Planned", model="B200", servers=None, per=None, qualifier="about")
        unknown_model = b.fleet("Mystery", model="Zorg 9000", servers=10, per=4)
        no_model = b.fleet("No model", model=None, servers=2, per=8)
        ok = b.fleet("Known", servers=10, per=8)
        cid = b.case_id
    g, inv = _inventory(sqlite_ws, cid)
    assert inv.fleets[unknown_size].accelerators is None
    assert inv.fleets[unknown_size].eccn == "4A090.a"  # the model decides the class
    assert inv.fleets[unknown_model].ic_class is None and inv.fleets[unknown_model].total_tpp is None
    assert "not in the catalog" in inv.fleets[unknown_model].undecided[0]
    assert "not stated" in inv.fleets[no_model].undecided[0]
    t = inv.case
    assert t.accelerators == 80 + 40 + 16 and t.qualifier == "at_least"
    assert t.total_tpp == pytest.approx(80 * 15832)
    assert len(t.undecided) == 2
    questions = " ".join(u["question"] for u in inv.undecided)
    assert "Planned" in questions and "Zorg 9000" in questions
    assert inv.fleets[ok].undecided == ()


def test_case_totals_for_the_status_bar(build, sqlite_ws):
    with build() as b:
        b.fleet("A", servers=300, per=8, qualifier="at_least")
        b.fleet("B", model="B200", servers=None, per=None)
        cid = b.case_id
    with sqlite_ws.read() as s:
        t = case_totals(s, cid, as_of=AS_OF)
    assert (t.accelerators, t.accelerators_qualifier, t.unknown_fleets) == (2400, "at_least", 1)
    assert t.accelerators_text() == "at least 2,400"
    assert t.h100_equivalents == pytest.approx(2400) and t.controlled_accelerators == 2400


def test_compute_for_record_matches_the_inventory(build, sqlite_ws):
    with build() as b:
        fleet = b.fleet("Fleet", servers=300, per=8, qualifier="at_least")
        other = b.fleet("Other", model="H20", servers=10, per=8)
        dc = b.dc("DC", country="AU")
        b.link("hosted_at", fleet, dc)
        b.link("hosted_at", other, dc)
        user = b.party("User", country="CN")
        holder_wallet = b.wallet("W")
        b.link("controls_wallet", user, holder_wallet)
        contract = b.contract("Rental", parties=((holder_wallet, "customer"),), accelerator_count=2400)
        b.link("covers", contract, dc)
        loner = b.party("Unrelated")
        cid = b.case_id
    g, inv = _inventory(sqlite_ws, cid)
    with sqlite_ws.read() as s:
        for rid, role, key in ((dc, "hosted", dc), (user, "end_user", user)):
            rc = compute_for_record(s, rid, as_of=AS_OF)
            expected = (inv.by_datacenter if role == "hosted" else inv.by_end_user)[key]
            assert rc.roles[role].as_dict() == expected.as_dict()
        rc = compute_for_record(s, fleet, as_of=AS_OF)
        assert rc.fleet.as_dict() == inv.fleets[fleet].as_dict()
        assert [u for u, _, _ in rc.end_users] == [user]
        text = compute_summary_text(rc)
        assert "at least 2,400 H100 SXM" in text and "4A090.a" in text and "User" in text
        rc = compute_for_record(s, contract, as_of=AS_OF)
        assert rc.contracted == 2400 and rc.roles["covered"].accelerators == 2480
        assert "Contract states 2,400 accelerators" in compute_summary_text(rc)
        rc = compute_for_record(s, loner, as_of=AS_OF)
        assert rc.empty and compute_summary_text(rc) == "No compute recorded for this record."
