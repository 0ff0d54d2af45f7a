"""TPP and performance-density bounds come from the catalog (field_bounds.yaml holds the rule)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casedesk.domain.errors import VocabularyError
from casedesk.domain.vocabulary.accelerator_loading import load_accelerators
from casedesk.domain.vocabulary.accelerators import figure_problem, figure_problems
from casedesk.domain.vocabulary.figure_bounds import percentile
from casedesk.paths import resources_dir

CATALOG = resources_dir() / "vocab" / "accelerators.yaml"
RULE = "accelerators:\n  tpp: {percentile: 90, headroom: 100}\n  performance_density: {percentile: 90, headroom: 100}\n"


def _layout(tmp_path: Path, change=None, rule: str = RULE) -> Path:
    """tmp/vocab/accelerators.yaml (optionally changed) with tmp/field_bounds.yaml beside it."""
    doc = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    if change:
        change(doc)
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocab" / "accelerators.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    (tmp_path / "field_bounds.yaml").write_text(rule, encoding="utf-8")
    return tmp_path / "vocab"


def _tpps() -> list[float]:
    return [m["tpp"] for m in yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["accelerators"]]


def test_the_tpp_bound_is_the_catalogs_percentile_times_the_headroom():
    bounds = load_accelerators(CATALOG.parent).bounds
    lo, hi = bounds.ranges["tpp"]
    assert hi == percentile(_tpps(), 90) * 100 and lo == percentile(_tpps(), 10) / 100
    assert max(_tpps()) < hi  # every shipped model is inside its own bounds
    assert "percentile of the catalog's 166 models" in bounds.why["tpp"]


def test_a_newer_catalog_moves_the_bounds_without_editing_a_number(tmp_path):
    def double(doc):
        for m in doc["accelerators"]:
            m["tpp"] *= 2
            m["dense_tops"] = {k: v * 2 for k, v in m["dense_tops"].items()}

    shipped = load_accelerators(CATALOG.parent).bounds.ranges["tpp"][1]
    assert load_accelerators(_layout(tmp_path, double)).bounds.ranges["tpp"][1] == 2 * shipped


@pytest.mark.parametrize(("value", "words"), [
    (1e12, ["outside the plausible", "bit-OP/s must be divided by 10^12", "percentile of the catalog"]),
    (-15832, ["must be positive"]),
    (0, ["must be positive"]),
    (float("nan"), ["is not a number"]),
])
def test_an_absurd_tpp_is_refused_with_the_reason(value, words):
    why = figure_problem("tpp", value, load_accelerators(CATALOG.parent).bounds)
    assert why is not None and all(w in why for w in words), why


def test_a_plausible_figure_passes_and_an_absurd_density_is_named():
    bounds = load_accelerators(CATALOG.parent).bounds
    assert figure_problems(15832, 814, 900, bounds) == []  # H100 SXM
    problems = figure_problems(15832, 1.5, None, bounds)  # 10,555 bit-TOPS per mm²
    assert [f for f, _ in problems] == ["performance_density"]
    assert "bit-TOPS per mm² is outside the plausible" in problems[0][1]


def test_one_absurd_row_cannot_widen_its_own_bounds(tmp_path):
    def absurd(doc):
        doc["accelerators"][0]["tpp"] = 1e12

    with pytest.raises(VocabularyError) as info:
        load_accelerators(_layout(tmp_path, absurd))
    assert (info.value.entry, info.value.field) == ("h100_sxm", "tpp") and "10^12" in str(info.value)


def test_a_die_area_giving_an_absurd_density_is_refused(tmp_path):
    def tiny_die(doc):
        doc["accelerators"][0]["die_area_mm2"] = 1.5

    with pytest.raises(VocabularyError) as info:
        load_accelerators(_layout(tmp_path, tiny_die))
    assert (info.value.entry, info.value.field) == ("h100_sxm", "die_area_mm2")
    assert "performance density" in info.value.reason


@pytest.mark.parametrize("rule", ["records: {}\n", "accelerators:\n  tpp: {percentile: 90}\n",
                                  "accelerators:\n  tpp: {percentile: 120, headroom: 100}\n"
                                  "  performance_density: {percentile: 90, headroom: 100}\n"])
def test_a_missing_or_bad_rule_is_a_vocabulary_error_naming_it(tmp_path, rule):
    with pytest.raises(VocabularyError) as info:
        load_accelerators(_layout(tmp_path, rule=rule))
    assert info.value.file == "field_bounds.yaml" and info.value.entry == "accelerators"
