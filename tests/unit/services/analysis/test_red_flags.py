"""Each red-flag rule: a case that raises it (with the explaining path) and one that must not."""

from __future__ import annotations

from datetime import date

import pytest
from casedesk.domain.errors import VocabularyError
from casedesk.services.analysis.rules.registry import default_rulebook, load_rulebook, registered_rules


def _one(by_rule, rule):
    found = by_rule.get(rule, [])
    assert len(found) == 1, found
    return found[0]


# --- hq_controlled_compute ----------------------------------------------------------------------


def test_remote_use_of_controlled_compute_by_a_chinese_company(build, analyse):
    with build() as b:
        fleet = b.fleet("Brisbane fleet", servers=300, per=8, qualifier="at_least")
        dc = b.dc("Brisbane DC", country="AU")
        hosted = b.link("hosted_at", fleet, dc)
        user = b.party("Beijing Co", country="CN")
        uses = b.link("uses_compute_of", user, fleet)
        cid = b.case_id
    _, by_rule = analyse(cid)
    f = _one(by_rule, "hq_controlled_compute")
    assert f["severity"] == "critical"
    assert f["record_ids"][0] == user and {fleet, dc} <= set(f["record_ids"])
    assert {uses, hosted} <= set(f["link_ids"])
    assert "Beijing Co" in f["explanation"] and "at least 2,400 H100 SXM" in f["explanation"]
    assert "remotely from a data center in Australia" in f["explanation"]
    assert f["details"]["ic_class"]["eccn"] == "3A090.a" and f["details"]["fleet_eccn"] == "4A090.a"


def test_contract_customer_through_a_parent_in_macau(build, analyse):
    with build() as b:
        fleet = b.fleet("Fleet", model="RTX 4090", servers=10, per=8)
        sg = b.party("SG affiliate", country="SG", hq="SG")
        parent = b.party("Macau parent", country="MO")
        own = b.link("owns", parent, sg, share_pct=80)
        contract = b.contract("Rental", parties=((sg, "customer"),))
        covers = b.link("covers", contract, fleet)
        cid = b.case_id
    _, by_rule = analyse(cid)
    f = _one(by_rule, "hq_controlled_compute")
    assert f["severity"] == "high"   # a non-datacenter part: NAC may apply
    assert f["record_ids"][:2] == [sg, parent] and contract in f["record_ids"]
    assert {own, covers} <= set(f["link_ids"])
    assert "ultimate parent Macau parent is headquartered in Macao" in f["explanation"] or \
        "ultimate parent Macau parent is headquartered in Macau" in f["explanation"]


@pytest.mark.parametrize("case", ["uncontrolled chip", "us user", "minority owner", "payer only"])
def test_hq_rule_not_raised(build, analyse, case):
    with build() as b:
        fleet = b.fleet("Fleet", model="H20" if case == "uncontrolled chip" else "H100 SXM")
        user = b.party("User", country="US" if case == "us user" else
                       ("SG" if case == "minority owner" else "CN"))
        if case == "minority owner":
            cn = b.party("CN investor", country="CN")
            b.link("owns", cn, user, share_pct=40)
        if case == "payer only":
            contract = b.contract("Rental", parties=((user, "payer"),))
            b.link("covers", contract, fleet)
        else:
            b.link("uses_compute_of", user, fleet)
        cid = b.case_id
    _, by_rule = analyse(cid)
    assert "hq_controlled_compute" not in by_rule


def test_user_without_country_is_listed_as_undecided(build, analyse):
    with build() as b:
        fleet = b.fleet("Fleet")
        user = b.party("Somewhere Ltd")
        b.link("uses_compute_of", user, fleet)
        cid = b.case_id
    result, by_rule = analyse(cid)
    assert "hq_controlled_compute" not in by_rule
    assert any(u["rule"] == "hq_controlled_compute" and user in u["record_ids"] for u in result.undecided)


# --- ownership_into_concern ---------------------------------------------------------------------


def test_ownership_chain_into_china_with_aggregated_share(build, analyse):
    with build() as b:
        cn = b.party("CN group", country="CN")
        hk = b.party("HK holding", country="HK")
        sg = b.party("SG sub", country="SG")
        l1 = b.link("owns", cn, hk, share_pct=50)
        l2 = b.link("owns", hk, sg, share_pct=50)
        l3 = b.link("owns", cn, sg, share_pct=10)
        cid = b.case_id
    _, by_rule = analyse(cid)
    found = {f["details"]["party_id"]: f for f in by_rule["ownership_into_concern"]}
    assert set(found) == {hk, sg}
    f = found[sg]
    assert f["severity"] == "medium"      # 35 %: no control
    assert "owned 35 %" in f["explanation"] and "CN group" in f["explanation"]
    assert f["record_ids"][0] == sg and {hk, cn} <= set(f["record_ids"])
    assert {l1, l2, l3} <= set(f["link_ids"])
    assert found[hk]["severity"] == "medium"


def test_ownership_within_safe_countries_is_not_raised(build, analyse):
    with build() as b:
        us = b.party("US parent", country="US")
        sg = b.party("SG sub", country="SG")
        b.link("owns", us, sg, share_pct=100)
        cid = b.case_id
    _, by_rule = analyse(cid)
    assert "ownership_into_concern" not in by_rule


# --- crypto_payment and wallet_only_counterparty ------------------------------------------------


def test_crypto_contracts_and_wallet_payments(build, analyse):
    with build() as b:
        by_chain = b.contract("On-chain rental", ctype="smart_contract", chain="ETH")
        by_currency = b.contract("USDT rental", currency="USDT (TRC-20)")
        fiat = b.contract("Fiat rental", currency="USD", value_amount="1000")
        w1, w2 = b.wallet("Payer wallet"), b.wallet("Payee wallet")
        holder = b.party("Holder", country="SG")
        b.link("controls_wallet", holder, w1)
        b.link("controls_wallet", holder, w2)
        paid = b.link("paid", w1, w2)
        cid = b.case_id
    _, by_rule = analyse(cid)
    subjects = {f["details"].get("contract_id") or ("wallet", f["details"]["wallet_id"]): f
                for f in by_rule["crypto_payment"]}
    assert set(subjects) == {by_chain, by_currency, ("wallet", w1)}
    assert fiat not in subjects
    assert "ETH chain" in subjects[by_chain]["explanation"]
    assert "USDT" in subjects[by_currency]["explanation"]
    payment = subjects[("wallet", w1)]
    assert payment["record_ids"][:2] == [w1, w2] and holder in payment["record_ids"]
    assert paid in payment["link_ids"] and payment["explanation"].startswith("Payer wallet (held by Holder) paid")
    assert "wallet_only_counterparty" not in by_rule


def test_usd_is_not_mistaken_for_a_stablecoin(build, analyse):
    with build() as b:
        b.contract("Fiat", currency="US dollars (USD)")
        cid = b.case_id
    _, by_rule = analyse(cid)
    assert "crypto_payment" not in by_rule


def test_counterparty_known_only_by_wallet(build, analyse):
    with build() as b:
        anon = b.wallet("Anon")
        known = b.wallet("Known")
        op = b.party("Operator", country="AU")
        b.link("controls_wallet", op, known)
        paid = b.link("paid", anon, known)
        idle = b.wallet("Idle wallet")   # no contract, no payment: not a counterparty
        cid = b.case_id
    _, by_rule = analyse(cid)
    f = _one(by_rule, "wallet_only_counterparty")
    assert f["record_ids"][:2] == [anon, known] and f["link_ids"] == [paid]
    assert "no party is known to control it" in f["explanation"]
    assert idle not in [x["details"]["wallet_id"] for x in by_rule["wallet_only_counterparty"]]


# --- screening_hit_in_chain ---------------------------------------------------------------------


def _hit(ws, case_id, record_id, status="open", key="E1"):
    from casedesk.domain.clock import now_iso
    from casedesk.domain.watchlists import ScreeningHit

    with ws.write() as s:
        s.add(ScreeningHit(case_id=case_id, record_id=record_id, list_name="Entity List (EL)",
                           entry_key=key, entry_name="SANCTIONED HOLDING CO", entry_hash="h",
                           score=93.0, status=status, created_at=now_iso(), updated_at=now_iso()))


def test_screening_hit_on_the_owner_of_an_end_user(build, analyse, sqlite_ws):
    with build() as b:
        fleet = b.fleet("Fleet")
        user = b.party("User", country="SG")
        owner = b.party("Listed owner", country="AE")
        uses = b.link("uses_compute_of", user, fleet)
        owns = b.link("owns", owner, user, share_pct=30)
        far = b.party("Unconnected listed party", country="AE")
        cid = b.case_id
    _hit(sqlite_ws, cid, owner, status="confirmed")
    _hit(sqlite_ws, cid, far, key="E2")
    _, by_rule = analyse(cid)
    f = _one(by_rule, "screening_hit_in_chain")
    assert f["severity"] == "critical"  # confirmed
    assert f["record_ids"] == [owner, user, fleet] and f["link_ids"] == [owns, uses]
    assert "SANCTIONED HOLDING CO" in f["explanation"] and "2 steps" in f["explanation"]


def test_dismissed_screening_hits_raise_nothing(build, analyse, sqlite_ws):
    with build() as b:
        fleet = b.fleet("Fleet")
        user = b.party("User", country="SG")
        b.link("uses_compute_of", user, fleet)
        cid = b.case_id
    _hit(sqlite_ws, cid, user, status="dismissed")
    _, by_rule = analyse(cid)
    assert "screening_hit_in_chain" not in by_rule


# --- quick_stand_up -----------------------------------------------------------------------------


def _stand_up_case(build, *, installed=None, in_service=None, days=None, user_country="CN",
                   second_user=False):
    with build() as b:
        fleet = b.fleet("Fleet", installed_on=installed, in_service_on=in_service, days_to_service=days,
                        status="in_service")
        dc = b.dc("DC", country="AU")
        b.link("hosted_at", fleet, dc)
        user = b.party("User", country=user_country)
        b.link("uses_compute_of", user, fleet)
        if second_user:
            b.link("uses_compute_of", b.party("Other user", country="CN"), fleet)
        return b.case_id, fleet, user, dc


@pytest.mark.parametrize(("kw", "raised"), [
    ({"installed": "2024-06", "in_service": "2024-07", "days": 21}, True),   # stated days decide
    ({"installed": "2024-06-01", "in_service": "2024-07-01"}, True),          # 30 days
    ({"installed": "2024-06-01", "in_service": "2024-07-02"}, False),         # 31 days
    ({"installed": "2024-06", "in_service": "2024-06"}, True),                # at most 29 days
    ({"installed": "2024-01", "in_service": "2024-06"}, False),               # at least 92 days
    ({"days": 45}, False),
    ({"days": 10, "user_country": "AU"}, False),                              # not foreign
    ({"days": 10, "second_user": True}, False),                               # not a single user
])
def test_quick_stand_up(build, analyse, kw, raised):
    cid, fleet, user, dc = _stand_up_case(build, **kw)
    result, by_rule = analyse(cid)
    assert ("quick_stand_up" in by_rule) is raised
    if raised:
        f = by_rule["quick_stand_up"][0]
        assert f["record_ids"][:2] == [fleet, user] and dc in f["record_ids"]
        assert "single foreign end user" in f["explanation"]


def test_month_precision_dates_alone_cannot_decide(build, analyse):
    cid, fleet, _, _ = _stand_up_case(build, installed="2024-06", in_service="2024-07")
    result, by_rule = analyse(cid)
    assert "quick_stand_up" not in by_rule
    assert any(u["rule"] == "quick_stand_up" and "between 1 and 60 days" in u["question"]
               for u in result.undecided)


# --- intermediary_without_owner -----------------------------------------------------------------


def test_operator_without_identified_owner(build, analyse):
    with build() as b:
        fleet = b.fleet("Fleet")
        op = b.party("Opaque operator")
        director = b.party("Director", kind="person")
        b.link("officer_of", director, op)
        ops = b.link("operates", op, fleet)
        user = b.party("Customer", country="DE")
        uses = b.link("uses_compute_of", user, fleet)
        owned_op = b.party("Owned operator")
        b.link("operates", owned_op, fleet)
        b.link("owns", b.party("Founder", kind="person"), owned_op, share_pct=100)
        broker = b.party("Broker without owner")
        b.contract("Deal", parties=((broker, "broker"), (user, "customer")))
        lonely_broker = b.party("Broker of a deal with no customer")
        b.contract("Empty deal", parties=((lonely_broker, "broker"),))
        plain_owner = b.party("Plain owner")
        own_fleet = b.fleet("Own fleet")
        b.link("owns_asset", plain_owner, own_fleet)
        b.party("Bystander company")
        cid = b.case_id
    result, by_rule = analyse(cid)
    found = {f["details"]["party_id"]: f for f in by_rule["intermediary_without_owner"]}
    assert set(found) == {op, broker}
    assert found[op]["record_ids"][:2] == [op, fleet] and {ops, uses} <= set(found[op]["link_ids"])
    assert "used by Customer" in found[op]["explanation"]
    assert "officers are recorded: Director" in found[op]["explanation"]
    # the plain owner's unknown owner is an open question, not a red flag
    q = [g for g in result.open_questions if g["gap"] == "owner_unknown"]
    assert len(q) == 1 and q[0]["record_ids"] == [plain_owner]


# --- quantity_mismatch --------------------------------------------------------------------------


@pytest.mark.parametrize(("qualifier", "stated", "raised"), [
    ("exact", 2400, False), ("exact", 2000, True), ("at_least", 3000, False),
    ("at_least", 2000, True), ("about", 2600, False), ("about", 2700, True), ("at_most", 1000, False)])
def test_quantity_mismatch(build, analyse, qualifier, stated, raised):
    with build() as b:
        fleet = b.fleet("Fleet", servers=300, per=8, qualifier=qualifier)
        contract = b.contract("Purchase", ctype="purchase", accelerator_count=stated)
        covers = b.link("covers", contract, fleet)
        cid = b.case_id
    _, by_rule = analyse(cid)
    assert ("quantity_mismatch" in by_rule) is raised
    if raised:
        f = by_rule["quantity_mismatch"][0]
        assert f["record_ids"] == [contract, fleet] and f["link_ids"] == [covers]
        assert f"{stated:,} accelerators" in f["explanation"]


def test_quantity_of_a_fleet_of_unknown_size_is_undecided(build, analyse):
    with build() as b:
        fleet = b.fleet("Fleet", servers=None)
        contract = b.contract("Purchase", ctype="purchase", accelerator_count=100)
        b.link("covers", contract, fleet)
        cid = b.case_id
    result, by_rule = analyse(cid)
    assert "quantity_mismatch" not in by_rule
    assert any(u["rule"] == "quantity_mismatch" for u in result.undecided)


# --- prc_advanced_ic ----------------------------------------------------------------------------


def test_prc_made_ics(build, analyse):
    with build() as b:
        ascend = b.fleet("Ascend cluster", model="Ascend 910B")
        b.fleet("H20 cluster", model="H20")
        cid = b.case_id
    _, by_rule = analyse(cid)
    f = _one(by_rule, "prc_advanced_ic")
    assert f["record_ids"] == [ascend] and "GP10" in f["explanation"]


# --- the rule book ------------------------------------------------------------------------------


def test_every_registered_rule_has_data_and_the_reverse():
    book = default_rulebook()
    assert {r.id for r in book.rules} == set(registered_rules())
    assert all(r.source and r.description for r in book.rules)


def test_rule_book_errors_name_the_rule_and_field(tmp_path):
    path = tmp_path / "red_flags.yaml"
    path.write_text("rules:\n  - {id: nope, title: T, severity: high, description: D, source: S}\n")
    with pytest.raises(VocabularyError, match="nope"):
        load_rulebook(path)
    path.write_text("rules:\n  - {id: crypto_payment, title: T, severity: dire, description: D, source: S}\n")
    with pytest.raises(VocabularyError, match="severity"):
        load_rulebook(path)


def test_bad_input_does_not_stop_the_analysis(build, analyse):
    """Cycles, shares above 100 %, unknown models, missing counts and countries: still runs."""
    with build() as b:
        a, c = b.party("A", country="CN"), b.party("C")
        b.link("owns", a, c, share_pct=90)
        b.link("owns", c, a, share_pct=90)
        b.link("owns", b.party("D", country="US"), c, share_pct=60)
        f1 = b.fleet("Zorg fleet", model="Zorg 9000", servers=None)
        b.link("uses_compute_of", c, f1)
        f2 = b.fleet("H100 fleet", servers=None, installed_on="2024", in_service_on="2024")
        b.link("uses_compute_of", c, f2)
        cid = b.case_id
    result, by_rule = analyse(cid, as_of=date(2025, 1, 1))
    questions = " | ".join(u["question"] for u in result.undecided)
    assert "cycle" in questions and "150 %" in questions and "Zorg 9000" in questions
    assert "accelerator count unknown" in questions
    assert "hq_controlled_compute" in by_rule  # C is controlled by its Chinese owner A (90 %)


# --- findings an analyst would call signal (the demo case) ----------------------------------------


def _demo_findings(ws, case_id, as_of=date(2025, 6, 1)):
    from casedesk.services.analysis.engine import run_analysis
    from casedesk.services.findings import list_findings
    from casedesk.services.progress import run_to_end

    with ws.write() as s:
        result = run_to_end(run_analysis(s, case_id, as_of=as_of))
    with ws.read() as s:
        return result, [f for f in list_findings(s, case_id) if f["status"] != "resolved"]


def test_demo_intermediaries_are_the_platforms_leasing_to_chinese_users_not_plain_owners(demo_ws):
    from casedesk.services.links import add_link
    from casedesk.services.listings import list_records
    from casedesk.services.records import RecordIn, create_record

    ws, case_id = demo_ws
    with ws.write() as s:
        ids = {r["label"]: r["id"] for r in list_records(s, case_id)}
        owner = create_record(s, case_id, RecordIn("party", {"label": "Plain cluster owner",
                                                            "party_kind": "company"})).id
        own_fleet = create_record(s, case_id, RecordIn("server", {
            "label": "Plain owner's cluster", "accelerator_model": "H100 SXM",
            "server_count": 100, "accelerators_per_server": 8})).id
        add_link(s, case_id, "owns_asset", owner, own_fleet)
        add_link(s, case_id, "operates", owner, own_fleet)
    result, findings = _demo_findings(ws, case_id)
    inter = {f["details"]["party_id"]: f for f in findings if f["rule"] == "intermediary_without_owner"}
    platform = ids["Decentralised GPU platform used for the California cluster (unnamed)"]
    operator = ids["Aw's GPU platform company (name not given)"]
    assert set(inter) == {platform, operator}
    assert "used by Shanghai AI start-up" in inter[platform]["explanation"]
    assert "used by Beijing AI company" in inter[operator]["explanation"]
    assert owner not in inter
    gaps = {q["gap"]: q for q in result.open_questions}
    assert owner in gaps["owner_unknown"]["record_ids"]
    # the critical findings an analyst must act on come first
    assert [f["severity"] for f in findings[:3]] == ["critical"] * 3
    assert findings[0]["rule"] == "hq_controlled_compute"


def test_a_hundred_plain_owners_give_no_red_flag_and_one_question_per_gap(build, analyse):
    with build() as b:
        for i in range(100):
            owner = b.party(f"Cluster owner {i}", country=None)
            fleet = b.fleet(f"Cluster {i}", model="H100 SXM" if i % 3 else "Zorg 9000",
                            servers=None if i % 5 == 0 else 10)
            b.link("owns_asset", owner, fleet)
            if i % 2:
                b.link("operates", owner, fleet)
        cid = b.case_id
    result, by_rule = analyse(cid)
    assert "intermediary_without_owner" not in by_rule
    assert not [f for fs in by_rule.values() for f in fs if f["severity"] in ("critical", "high", "medium")]
    gaps = [q["gap"] for q in result.open_questions]
    assert len(gaps) == len(set(gaps))
    owners = next(q for q in result.open_questions if q["gap"] == "owner_unknown")
    assert owners["count"] == 100 and len(owners["items"]) == 100
    assert {"count_unknown", "model_unknown"} <= set(gaps)


def test_findings_sort_by_severity_then_controlled_compute(build, analyse):
    with build() as b:
        small = b.fleet("Small fleet", servers=10, per=8)
        big = b.fleet("Big fleet", servers=1000, per=8)
        old = b.fleet("A100 fleet", model="A100 SXM", servers=1000, per=8)
        for fleet, name in ((small, "Small user"), (big, "Big user"), (old, "A100 user")):
            b.link("uses_compute_of", b.party(name, country="CN"), fleet)
        cid = b.case_id
    _, by_rule = analyse(cid)
    order = [f["details"]["fleet_id"] for f in by_rule["hq_controlled_compute"]]
    assert order == [big, old, small]   # 8,000 H100 > 8,000 A100 (TPP-weighted) > 80 H100
    w = [f["details"]["compute_touched"]["controlled_tpp"] for f in by_rule["hq_controlled_compute"]]
    assert w == sorted(w, reverse=True) and w[0] == 8000 * 15832
