"""ECCN 3A090/4A090 classification: published figures, threshold and date boundaries, bad data."""

from __future__ import annotations

from datetime import date

import pytest
from casedesk.domain.errors import VocabularyError
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.analysis.classify import (
    classify_figures,
    classify_model,
    classify_model_all,
    default_rules,
    fleet_eccn,
    load_rules,
)

AFTER = date(2024, 6, 1)  # the AC/S rule of 2023 is in force
BEFORE = date(2023, 6, 1)  # the October 2022 rule is in force


@pytest.fixture(scope="module")
def catalog():
    return default_vocabulary().accelerators


@pytest.fixture(scope="module")
def rules():
    return default_rules()


def test_h100_sxm_is_3a090a_datacenter_and_its_server_4a090a(catalog):
    c = classify_model(catalog.find("H100 SXM"), AFTER)
    assert catalog.find("H100 SXM").tpp == pytest.approx(15832)
    assert (c.eccn, c.status, c.datacenter, c.nac_eligible) == ("3A090.a", "controlled", True, False)
    assert "15,832" in c.reason and "4,800" in c.reason
    assert fleet_eccn(c) == "4A090.a"
    assert c.text() == "3A090.a (datacenter: licence required)"


@pytest.mark.parametrize(("name", "tpp", "pd"), [("H20", 2368, 2.91), ("L20", 1912, 3.14)])
def test_china_variants_designed_under_3a090b_are_not_controlled(catalog, name, tpp, pd):
    model = catalog.find(name)
    assert model.tpp == pytest.approx(tpp, abs=0.5)
    assert model.performance_density == pytest.approx(pd, abs=0.005)
    for c in classify_model_all(model):
        assert (c.status, c.eccn) == ("not_controlled", None), c
    assert fleet_eccn(classify_model(model, AFTER)) is None


def test_a800_passed_the_2022_io_test_but_is_3a090a_from_2023(catalog):
    a800 = catalog.find("A800 SXM")
    old, new = classify_model(a800, BEFORE), classify_model(a800, AFTER)
    assert old.regime == "2022" and old.status == "not_controlled" and "I/O" in old.reason
    assert "400" in old.reason and "600" in old.reason
    assert new.regime == "2023" and new.eccn == "3A090.a"


def test_rtx_4090_is_3a090a_non_datacenter_eligible_for_nac(catalog):
    c = classify_model(catalog.find("RTX 4090"), AFTER)
    assert (c.eccn, c.datacenter, c.nac_eligible) == ("3A090.a", False, True)
    assert "NAC" in c.text() and "non-datacenter" in c.text()
    assert classify_model(catalog.find("RTX 4090"), BEFORE).status == "not_controlled"


def test_b200_is_3a090a_although_its_die_area_is_unknown(catalog):
    b200 = catalog.find("B200")
    assert b200.performance_density is None
    assert classify_model(b200, AFTER).eccn == "3A090.a"


def test_prc_made_3a090_level_ics_are_flagged_separately(catalog):
    ascend = classify_model(catalog.find("Ascend 910B"), AFTER)
    assert ascend.controlled and ascend.prc_3a090
    assert not classify_model(catalog.find("H100 SXM"), AFTER).prc_3a090
    assert not classify_model(catalog.find("H20"), AFTER).prc_3a090


def test_every_regime_is_listed_with_its_effective_dates(catalog):
    classes = classify_model_all(catalog.find("H800"))
    assert [(c.regime, c.status) for c in classes] == [("2022", "not_controlled"), ("2023", "controlled")]
    assert classes[0].period == "2022-10-07 – 2023-11-16"
    assert classes[1].period == "from 2023-11-17"


@pytest.mark.parametrize(("day", "regime", "status"), [
    (date(2023, 11, 16), "2022", "not_controlled"),
    (date(2023, 11, 17), "2023", "controlled"),
    (date(2022, 10, 6), None, "no_rule"),
    (date(2022, 10, 7), "2022", "not_controlled"),
])
def test_regime_date_boundaries(catalog, day, regime, status):
    c = classify_model(catalog.find("A800 SXM"), day)
    assert (c.regime, c.status) == (regime, status)


def _classify(rules, tpp, pd=None, io=None, datacenter=True, regime="2023"):
    return classify_figures(tpp, pd, io, datacenter=datacenter, regime=rules.regime(regime))


@pytest.mark.parametrize(("tpp", "eccn"), [(4799, None), (4800, "3A090.a")])
def test_tpp_boundary_4800(rules, tpp, eccn):
    # PD 1.0 keeps both .a.2 and .b out of play: only the 4,800 line decides.
    assert _classify(rules, tpp, pd=1.0).eccn == eccn


@pytest.mark.parametrize(("pd", "eccn"), [(5.91, "3A090.b"), (5.92, "3A090.a")])
def test_performance_density_boundary_5_92(rules, pd, eccn):
    assert _classify(rules, 2000, pd=pd).eccn == eccn


@pytest.mark.parametrize(("tpp", "eccn"), [(1599, None), (1600, "3A090.a")])
def test_tpp_boundary_1600_with_high_density(rules, tpp, eccn):
    assert _classify(rules, tpp, pd=6.0).eccn == eccn


@pytest.mark.parametrize(("tpp", "pd", "eccn"), [
    (2399, 3.19, None), (2400, 1.6, "3A090.b"), (2400, 1.59, None), (1600, 3.2, "3A090.b"),
    (1600, 3.19, None)])
def test_3a090b_boundaries(rules, tpp, pd, eccn):
    assert _classify(rules, tpp, pd=pd).eccn == eccn


@pytest.mark.parametrize(("tpp", "io", "status"), [
    (4800, 600, "controlled"), (4800, 599, "not_controlled"), (4799, 900, "not_controlled"),
    (5000, None, "undecided"), (4000, None, "not_controlled")])
def test_2022_rule_needs_tpp_and_io(rules, tpp, io, status):
    assert _classify(rules, tpp, io=io, regime="2022").status == status


def test_missing_die_area_is_undecided_not_guessed(rules):
    c = _classify(rules, 3000, pd=None)
    assert c.status == "undecided" and "die area unknown" in c.reason
    assert _classify(rules, 1500, pd=None).status == "not_controlled"
    assert fleet_eccn(c) is None


def test_3a090b_is_nac_eligible_even_in_a_datacenter(rules):
    c = _classify(rules, 3000, pd=4.0, datacenter=True)
    assert c.eccn == "3A090.b" and c.nac_eligible
    assert fleet_eccn(c) == "4A090.b"


def test_2022_rule_has_no_nac(rules):
    c = _classify(rules, 5000, io=900, datacenter=False, regime="2022")
    assert c.controlled and c.nac_eligible is False


def test_rules_file_errors_name_the_entry_and_field(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("regimes:\n  - {code: x, label: X, valid_from: 2023-13-01, source: s, classes: []}\n")
    with pytest.raises(VocabularyError, match="valid_from"):
        load_rules(bad)
    bad.write_text("regimes:\n  - code: x\n    label: X\n    valid_from: 2023-01-01\n    source: s\n"
                   "    classes: [{eccn: 3A090.a, any: [{speed: [1, null]}]}]\n")
    with pytest.raises(VocabularyError, match="speed"):
        load_rules(bad)
    bad.write_text("regimes:\n  - {code: a, label: A, valid_from: 2020-01-01, source: s, classes: []}\n"
                   "  - {code: b, label: B, valid_from: 2021-01-01, source: s, classes: []}\n")
    with pytest.raises(VocabularyError, match="overlaps"):
        load_rules(bad)


def test_every_regime_cites_a_source(rules):
    assert all(r.source and r.instrument for r in rules.regimes)
