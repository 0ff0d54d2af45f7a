"""Plausible accelerator figures: TPP and performance density bounded by the catalog itself.

The rule (which percentile of the catalog's figures, how much headroom either side) is data, in
resources/field_bounds.yaml under `accelerators`; the numbers come from the shipped catalog
(resources/vocab/accelerators.yaml), so a new generation of chips moves the bounds with the catalog
instead of waiting for someone to edit a constant. A percentile, not the maximum, so that one
absurd row in the catalog cannot widen the bounds enough to let itself through."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from casedesk.domain.vocabulary.reading import fail, read_file

BOUNDS_FILE = "field_bounds.yaml"
DERIVED = ("tpp", "performance_density")
UNITS = {"tpp": "bit-TOPS", "performance_density": "bit-TOPS per mm²", "die_area_mm2": "mm²",
         "io_gbps": "GB/s"}
# Physical limits, not catalog-derived: a wafer-scale engine is ~46,000 mm²; links are GB/s.
_FIXED = {"die_area_mm2": (1.0, 50_000.0, "the physical range of a die (a wafer-scale engine is "
                                          "~46,000 mm²)"),
          "io_gbps": (0.001, 1_000_000.0, "the range of chip-to-chip links")}


@dataclass(frozen=True)
class FigureBounds:
    """Inclusive (low, high) per figure, with the sentence saying where each comes from."""

    ranges: Mapping[str, tuple[float, float]]
    why: Mapping[str, str]


@dataclass(frozen=True)
class BoundRule:
    """How a figure's bounds follow from the catalog: low = p(100-q) / headroom, high = p(q) × headroom."""

    percentile: float
    headroom: float


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values, which must not be empty."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def derive_bounds(figures: Mapping[str, Iterable[float]], rules: Mapping[str, BoundRule],
                  source: str = "accelerators.yaml") -> FigureBounds:
    """Bounds for each derived figure from the catalog's figures (positive numbers only count)."""
    ranges = {k: (lo, hi) for k, (lo, hi, _) in _FIXED.items()}
    why = {k: w for k, (_, _, w) in _FIXED.items()}
    for name in DERIVED:
        rule = rules[name]
        values = [float(v) for v in figures.get(name, ()) if _usable(v)]
        if not values:
            fail(source, "(file)", name, "no model states this figure: its bounds cannot be derived")
        top, bottom = percentile(values, rule.percentile), percentile(values, 100 - rule.percentile)
        ranges[name] = (bottom / rule.headroom, top * rule.headroom)
        why[name] = (f"{rule.headroom:g} times the {_ordinal(rule.percentile)} percentile of the "
                     f"catalog's {len(values)} models ({figure_text(top)}) at most, and its "
                     f"{_ordinal(100 - rule.percentile)} percentile ({figure_text(bottom)}) divided by "
                     f"{rule.headroom:g} at least")
    return FigureBounds(MappingProxyType(ranges), MappingProxyType(why))


def figure_text(value: float) -> str:
    """A bound as a reader wants it: 1,600,000 and 166.3, not 1.6e+06 and 166.272."""
    return f"{value:,.0f}" if value >= 1000 else f"{value:.4g}"


def _usable(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            and value > 0)


def _ordinal(q: float) -> str:
    n = int(q)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{q:g}{suffix}"


def bounds_dir(vocab_dir: Path) -> Path:
    """Where field_bounds.yaml is for a vocabulary folder: beside it, else the shipped resources."""
    if (vocab_dir.parent / BOUNDS_FILE).is_file():
        return vocab_dir.parent
    from casedesk.paths import resources_dir  # noqa: PLC0415 - a catalog copied alone (tests)

    return resources_dir()


def read_rules(resources: Path) -> dict[str, BoundRule]:
    """The `accelerators` section of field_bounds.yaml: a percentile and headroom per figure."""
    doc = read_file(resources, BOUNDS_FILE, "records", "links", "accelerators")
    section = doc.get("accelerators")
    if not isinstance(section, dict):
        fail(BOUNDS_FILE, "accelerators", "(section)", "is missing: TPP and density bounds need it")
    rules = {}
    for name in DERIVED:
        raw = section.get(name)
        q = raw.get("percentile") if isinstance(raw, dict) else None
        head = raw.get("headroom") if isinstance(raw, dict) else None
        if not (_usable(q) and 50 <= q < 100 and _usable(head) and head >= 1):
            fail(BOUNDS_FILE, "accelerators", name,
                 "needs percentile (50 up to 100) and headroom (1 or more)")
        rules[name] = BoundRule(float(q), float(head))
    return rules


def catalog_figures(models: Iterable[Mapping[str, Any]]) -> dict[str, list[float]]:
    """TPP and TPP per die mm² of raw catalog entries (unusable values left out)."""
    out: dict[str, list[float]] = {"tpp": [], "performance_density": []}
    for raw in models:
        tpp, area = raw.get("tpp"), raw.get("die_area_mm2")
        if _usable(tpp):
            out["tpp"].append(float(tpp))
            if _usable(area):
                out["performance_density"].append(float(tpp) / float(area))
    return out
