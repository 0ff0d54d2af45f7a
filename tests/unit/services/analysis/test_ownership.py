"""Ownership chains: indirect shares, cycles, bad sums, ultimate parents and the headquarters rule."""

from __future__ import annotations

from datetime import date

import pytest
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.analysis.graph import load_case_graph
from casedesk.services.analysis.ownership import Ownership

AS_OF = date(2025, 6, 1)


@pytest.fixture
def own_of(sqlite_ws):
    def _own(case_id):
        with sqlite_ws.read() as s:
            return Ownership(load_case_graph(s, case_id), AS_OF)
    return _own


def test_indirect_share_multiplies_along_a_path_and_sums_over_paths(build, own_of):
    with build() as b:
        top = b.party("Top", country="CN")
        mid1 = b.party("Mid 1", country="HK")
        mid2 = b.party("Mid 2", country="SG")
        leaf = b.party("Leaf", country="MY")
        b.link("owns", top, mid1, share_pct=50)
        b.link("owns", top, mid2, share_pct=100)
        b.link("owns", mid1, leaf, share_pct=50)   # 50 % × 50 % = 25 %
        b.link("owns", mid2, leaf, share_pct=30)   # 100 % × 30 % = 30 %
        cid = b.case_id
    own = own_of(cid)
    agg = own.interests_of(top)[leaf]
    assert agg.share == pytest.approx(0.55)
    assert agg.text() == "55 %"
    assert len(agg.paths) == 2 and all(p.record_ids[0] == leaf and p.record_ids[-1] == top for p in agg.paths)


def test_unstated_shares_are_not_guessed(build, own_of):
    with build() as b:
        top = b.party("Top", country="CN")
        mid = b.party("Mid", country="SG")
        leaf = b.party("Leaf", country="SG")
        b.link("owns", top, mid)                   # share not stated
        b.link("owns", mid, leaf, share_pct=60)
        b.link("owns", top, leaf, share_pct=10)
        cid = b.case_id
    agg = own_of(cid).interests_of(top)[leaf]
    assert agg.share == pytest.approx(0.10) and agg.unknown_paths == 1
    assert agg.text() == "at least 10 % (some shares not stated)"


def test_cycles_terminate_and_are_reported(build, own_of):
    with build() as b:
        a = b.party("A", country="CN")
        x = b.party("X", country="SG")
        y = b.party("Y", country="SG")
        b.link("owns", a, x, share_pct=60)
        b.link("owns", x, y, share_pct=50)
        b.link("owns", y, x, share_pct=20)          # X and Y own each other
        cid = b.case_id
    own = own_of(cid)
    interests = own.interests_of(a)
    assert interests[x].share == pytest.approx(0.60)   # the loop back through Y is not counted
    assert interests[y].share == pytest.approx(0.30)
    assert any("cycle" in p["question"] and set(p["record_ids"]) == {x, y} for p in own.problems)


def test_shares_summing_above_100_percent_are_reported(build, own_of):
    with build() as b:
        a, c = b.party("A", country="US"), b.party("C", country="US")
        t = b.party("Target", country="SG")
        b.link("owns", a, t, share_pct=80)
        b.link("owns", c, t, share_pct=50)
        cid = b.case_id
    problems = own_of(cid).problems
    assert any("130 %" in p["question"] and p["record_ids"][0] == t for p in problems)


def test_ultimate_parent_follows_majority_owners_and_parent_links(build, own_of):
    with build() as b:
        sg = b.party("SG sub", country="SG")
        hk = b.party("HK holding", country="HK")
        cn = b.party("CN group", country="CN")
        minority = b.party("Minority investor", country="US")
        person = b.party("Founder", kind="person", country="CN")
        l1 = b.link("subsidiary_of", sg, hk)
        l2 = b.link("owns", cn, hk, share_pct=75)
        b.link("owns", minority, sg, share_pct=20)   # not control
        b.link("owns", person, cn, share_pct=90)     # persons are owners, not parents
        cid = b.case_id
    chains = own_of(cid).ultimate_parents(sg)
    assert [c.record_ids for c in chains] == [(sg, hk, cn)]
    assert chains[0].link_ids == (l1, l2)


def test_ultimate_parent_walk_survives_a_control_cycle(build, own_of):
    with build() as b:
        a, c = b.party("A", country="SG"), b.party("C", country="SG")
        b.link("subsidiary_of", a, c)
        b.link("subsidiary_of", c, a)
        cid = b.case_id
    chains = own_of(cid).ultimate_parents(a)
    assert chains and all(ch.cycle for ch in chains)


def test_ended_ownership_does_not_count(build, own_of):
    with build() as b:
        sg = b.party("SG sub", country="SG")
        cn = b.party("CN parent", country="CN")
        b.link("owns", cn, sg, share_pct=100, end_on="2020-12")
        cid = b.case_id
    own = own_of(cid)
    assert own.ultimate_parents(sg) == []
    assert own.headquarters(sg, default_vocabulary()).of_concern is False


@pytest.mark.parametrize(("country", "hq", "expected"), [
    ("CN", None, True), ("SG", "CN", True), ("CN", "SG", False), ("MO", None, True),
    ("US", None, False), ("RU", None, True)])
def test_headquarters_rule_uses_hq_country_else_country(build, own_of, country, hq, expected):
    with build() as b:
        p = b.party("P", country=country, hq=hq)
        cid = b.case_id
    result = own_of(cid).headquarters(p, default_vocabulary())
    assert result.of_concern is expected and (result.basis == "itself") is expected


def test_singapore_affiliate_is_caught_through_its_chinese_ultimate_parent(build, own_of):
    with build() as b:
        sg = b.party("Singapore Pte Ltd", country="SG", hq="SG")
        cn = b.party("Beijing parent", country="CN", hq="CN")
        link = b.link("owns", cn, sg, share_pct=100)
        cid = b.case_id
    hq = own_of(cid).headquarters(sg, default_vocabulary())
    assert hq.of_concern and hq.basis == "ultimate_parent"
    assert hq.record_ids == (sg, cn) and hq.link_ids == (link,) and hq.parent_country == "CN"


def test_a_minority_chinese_owner_does_not_move_headquarters(build, own_of):
    with build() as b:
        sg = b.party("Singapore Pte Ltd", country="SG")
        cn = b.party("Beijing investor", country="CN")
        b.link("owns", cn, sg, share_pct=50)   # 50 % is not more than 50 %
        cid = b.case_id
    assert own_of(cid).headquarters(sg, default_vocabulary()).of_concern is False


def test_party_without_a_country_is_undecided(build, own_of):
    with build() as b:
        p = b.party("Nowhere Ltd")
        q = b.party("Orphan sub", country="SG")
        parent = b.party("Parent of unknown seat")
        b.link("subsidiary_of", q, parent)
        cid = b.case_id
    own = own_of(cid)
    vocab = default_vocabulary()
    assert own.headquarters(p, vocab).of_concern is None
    assert "no country" in own.headquarters(p, vocab).undecided
    undecided = own.headquarters(q, vocab)
    assert undecided.of_concern is None and "Parent of unknown seat" in undecided.undecided


def test_beneficial_owner_known_through_person_or_known_parent(build, own_of):
    with build() as b:
        a = b.party("Owned by a person")
        person = b.party("Jane", kind="person")
        b.link("owns", person, a, share_pct=10)
        c = b.party("Owned by unnamed investors")
        inv = b.party("Investors (unnamed)", kind="investor_group", country="AE")
        b.link("owns", inv, c, share_pct=100)
        d = b.party("Sub of a known parent")
        parent = b.party("Known parent", country="US")
        b.link("subsidiary_of", d, parent)
        cid = b.case_id
    own = own_of(cid)
    assert own.beneficial_owner_known(a)[0]
    assert not own.beneficial_owner_known(c)[0]
    assert own.beneficial_owner_known(d)[0]
