"""ECCN 3A090/4A090 classification of accelerators and server fleets under each dated rule regime.

Thresholds and effective dates live in resources/analysis/rules.yaml; this module only evaluates
them. Conditions are evaluated in three-valued logic (True, False, None = a figure is missing), so
a missing die area or I/O rate gives "undecided" instead of a guess, unless another condition
already decides the class (a B200's TPP of 36,000 makes it 3A090.a whatever its die area).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from casedesk.domain.errors import VocabularyError
from casedesk.domain.vocabulary import AcceleratorModel
from casedesk.paths import resources_dir
from casedesk.services.analysis.datafile import read_data_file

_FILE = "rules.yaml"
_FIGURES = ("tpp", "pd", "io_gbps")
_FIGURE_NAMES = {"tpp": "TPP", "pd": "performance density", "io_gbps": "I/O rate (GB/s)"}
_MISSING_WHY = {"pd": "die area unknown", "io_gbps": "I/O rate unknown", "tpp": "TPP unknown"}


@dataclass(frozen=True)
class Condition:
    """Ranges that must all hold: figure -> (min inclusive or None, max exclusive or None)."""

    ranges: Mapping[str, tuple[float | None, float | None]]


@dataclass(frozen=True)
class ControlClass:
    """An ECCN paragraph (e.g. 3A090.a) and the alternative conditions that put an IC in it."""

    eccn: str
    any: tuple[Condition, ...]


@dataclass(frozen=True)
class Regime:
    """One version of the advanced-computing rules, in force from valid_from to valid_to."""

    code: str
    label: str
    instrument: str
    valid_from: date
    valid_to: date | None  # exclusive
    nac: bool  # License Exception NAC exists under this regime
    source: str
    classes: tuple[ControlClass, ...]

    def in_force(self, on: date) -> bool:
        """True if the regime applies on `on`."""
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    def period(self) -> str:
        """'2022-10-07 – 2023-11-16' or 'from 2023-11-17'."""
        if self.valid_to is None:
            return f"from {self.valid_from.isoformat()}"
        last = date.fromordinal(self.valid_to.toordinal() - 1)
        return f"{self.valid_from.isoformat()} – {last.isoformat()}"


@dataclass(frozen=True)
class ClassificationRules:
    """All regimes in date order, the 3A090 → 4A090 map, and the GP10 guidance date."""

    regimes: tuple[Regime, ...]
    fleet_classes: Mapping[str, str]
    reference_accelerator: str
    prc_guidance_label: str
    prc_guidance_from: date
    source_file: str

    def regime_on(self, on: date) -> Regime | None:
        """The regime in force on a day, or None before the first one."""
        for regime in self.regimes:
            if regime.in_force(on):
                return regime
        return None

    def regime(self, code: str) -> Regime:
        """The regime with this code (KeyError if none)."""
        for regime in self.regimes:
            if regime.code == code:
                return regime
        raise KeyError(code)


@dataclass(frozen=True)
class Classification:
    """The class of one accelerator model (or set of figures) under one regime."""

    regime: str | None  # None: no advanced-computing rule in force on that day
    regime_label: str
    period: str
    eccn: str | None  # "3A090.a", "3A090.b" or None
    status: str  # controlled | not_controlled | undecided | no_rule
    datacenter: bool | None
    nac_eligible: bool | None  # License Exception NAC (with notification) may apply
    reason: str
    prc_3a090: bool = False  # PRC-made IC at 3A090 level (GP10 guidance)

    @property
    def controlled(self) -> bool:
        """True if the IC is in a 3A090 paragraph."""
        return self.status == "controlled"

    def text(self) -> str:
        """Short human form: '3A090.a (datacenter: licence required)', 'not 3A090', …"""
        if self.status == "no_rule":
            return "no 3A090 rule in force"
        if self.status == "undecided":
            return f"undecided ({self.reason})"
        if self.status == "not_controlled":
            return "not 3A090"
        if self.eccn == "3A090.a" and self.datacenter:
            return "3A090.a (datacenter: licence required)"
        if self.nac_eligible:
            kind = "non-datacenter: " if self.eccn == "3A090.a" else ""
            return f"{self.eccn} ({kind}NAC with notification)"
        return self.eccn or "?"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON and reports."""
        return {"regime": self.regime, "regime_label": self.regime_label, "period": self.period,
                "eccn": self.eccn, "status": self.status, "datacenter": self.datacenter,
                "nac_eligible": self.nac_eligible, "reason": self.reason,
                "prc_3a090": self.prc_3a090, "text": self.text()}


# --- loading ----------------------------------------------------------------------------------


@functools.cache
def default_rules() -> ClassificationRules:
    """The shipped classification rules (resources/analysis/rules.yaml), loaded once."""
    return load_rules(resources_dir() / "analysis" / _FILE)


def load_rules(path: Path) -> ClassificationRules:
    """Load and check a rules file; VocabularyError names the entry and field of any mistake."""
    doc = read_data_file(path, _FILE)
    if not isinstance(doc, dict):
        raise VocabularyError(_FILE, "(file)", "(file)", "expected a mapping")
    regimes = []
    for i, raw in enumerate(doc.get("regimes") or []):
        entry = str(raw.get("code", f"regimes[#{i + 1}]")) if isinstance(raw, dict) else f"#{i + 1}"
        if not isinstance(raw, dict):
            raise VocabularyError(_FILE, entry, "(entry)", "expected a mapping")
        classes = []
        for c in raw.get("classes") or []:
            if not isinstance(c, dict) or not isinstance(c.get("eccn"), str):
                raise VocabularyError(_FILE, entry, "classes", "each class needs an eccn")
            conds = tuple(_condition(x, entry) for x in (c.get("any") or []))
            if not conds:
                raise VocabularyError(_FILE, entry, f"classes[{c['eccn']}].any", "needs a condition")
            classes.append(ControlClass(c["eccn"], conds))
        regimes.append(Regime(
            code=str(_req(raw, entry, "code")), label=str(_req(raw, entry, "label")),
            instrument=str(raw.get("instrument", "")),
            valid_from=_date(_req(raw, entry, "valid_from"), entry, "valid_from"),
            valid_to=None if raw.get("valid_to") is None else _date(raw["valid_to"], entry, "valid_to"),
            nac=bool(raw.get("nac", False)), source=str(_req(raw, entry, "source")),
            classes=tuple(classes)))
    if not regimes:
        raise VocabularyError(_FILE, "(file)", "regimes", "needs at least one regime")
    regimes.sort(key=lambda r: r.valid_from)
    for a, b in zip(regimes, regimes[1:]):
        if a.valid_to is None or a.valid_to > b.valid_from:
            raise VocabularyError(_FILE, b.code, "valid_from", f"overlaps regime {a.code}")
    fleet = doc.get("fleet_classes") or {}
    if not isinstance(fleet, dict):
        raise VocabularyError(_FILE, "(file)", "fleet_classes", "expected a mapping")
    prc = doc.get("prc_guidance") or {}
    return ClassificationRules(
        regimes=tuple(regimes), fleet_classes=dict(fleet),
        reference_accelerator=str(doc.get("reference_accelerator", "h100_sxm")),
        prc_guidance_label=str(prc.get("label", "GP10 guidance")),
        prc_guidance_from=_date(prc.get("valid_from", "2025-05-13"), "prc_guidance", "valid_from"),
        source_file=str(path))


def _req(raw: Mapping[str, Any], entry: str, name: str) -> Any:
    if raw.get(name) in (None, ""):
        raise VocabularyError(_FILE, entry, name, "is required")
    return raw[name]


def _date(value: Any, entry: str, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise VocabularyError(_FILE, entry, name, f"{value!r} is not a YYYY-MM-DD date") from None


def _condition(raw: Any, entry: str) -> Condition:
    if not isinstance(raw, dict) or not raw:
        raise VocabularyError(_FILE, entry, "any", "a condition is a mapping of figure ranges")
    ranges = {}
    for figure, bounds in raw.items():
        if figure not in _FIGURES:
            raise VocabularyError(_FILE, entry, str(figure), f"unknown figure (one of {', '.join(_FIGURES)})")
        if not (isinstance(bounds, list) and len(bounds) == 2
                and all(b is None or isinstance(b, (int, float)) for b in bounds)):
            raise VocabularyError(_FILE, entry, figure, "a range is [min, max] with numbers or null")
        ranges[figure] = (bounds[0], bounds[1])
    return Condition(ranges)


# --- evaluation -------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def _check_range(figure: str, value: float | None, lo: float | None, hi: float | None
                 ) -> tuple[bool | None, str]:
    name = _FIGURE_NAMES[figure]
    if value is None:
        return None, _MISSING_WHY[figure]
    if lo is not None and value < lo:
        return False, f"{name} {_fmt(value)} < {_fmt(lo)}"
    if hi is not None and value >= hi:
        return False, f"{name} {_fmt(value)} ≥ {_fmt(hi)}"
    parts = []
    if lo is not None:
        parts.append(f"≥ {_fmt(lo)}")
    if hi is not None:
        parts.append(f"< {_fmt(hi)}")
    return True, f"{name} {_fmt(value)} {' and '.join(parts)}".strip()


def _check_condition(cond: Condition, figures: Mapping[str, float | None]) -> tuple[bool | None, str]:
    """Three-valued AND over the ranges, with the reason for the outcome."""
    unknown: list[str] = []
    held: list[str] = []
    for figure, (lo, hi) in cond.ranges.items():
        ok, why = _check_range(figure, figures.get(figure), lo, hi)
        if ok is False:
            return False, why
        (held if ok else unknown).append(why)
    if unknown:
        return None, "; ".join(dict.fromkeys(unknown))
    return True, " and ".join(held)


def classify_figures(tpp: float | None, pd: float | None, io_gbps: float | None, *,
                     datacenter: bool | None, regime: Regime, prc_made: bool = False,
                     ) -> Classification:
    """Classify an IC given its figures under one regime (the core of every classification)."""
    figures = {"tpp": tpp, "pd": pd, "io_gbps": io_gbps}
    undecided: list[str] = []
    failed: list[str] = []
    for cls in regime.classes:
        for cond in cls.any:
            ok, why = _check_condition(cond, figures)
            if ok is False:
                failed.append(why)
            if ok:
                if undecided:
                    # A higher class could not be ruled out (e.g. .a needs PD, .b holds): say so.
                    return _result(regime, None, "undecided", datacenter,
                                   f"{'; '.join(dict.fromkeys(undecided))} (at least {cls.eccn})",
                                   prc_made)
                return _result(regime, cls.eccn, "controlled", datacenter, why, prc_made)
            if ok is None:
                undecided.append(why)
    if undecided:
        return _result(regime, None, "undecided", datacenter, "; ".join(dict.fromkeys(undecided)),
                       prc_made)
    return _result(regime, None, "not_controlled", datacenter,
                   f"no 3A090 condition met: {'; '.join(dict.fromkeys(failed))}", prc_made)


def _result(regime: Regime, eccn: str | None, status: str, datacenter: bool | None, reason: str,
            prc_made: bool) -> Classification:
    nac: bool | None = None
    if status == "controlled":
        # NAC covers 3A090 items except datacenter parts meeting 3A090.a (export-controls.md §1.2).
        nac = regime.nac and not (eccn == "3A090.a" and datacenter is not False)
    return Classification(regime.code, regime.label, regime.period(), eccn, status, datacenter, nac,
                          reason, prc_3a090=prc_made and status == "controlled")


def no_rule(on: date, datacenter: bool | None = None) -> Classification:
    """The answer for a day before the first regime."""
    return Classification(None, "no advanced-computing rule", f"before {on.isoformat()}", None,
                          "no_rule", datacenter, None, "no 3A090 rule was in force")


def classify_model(model: AcceleratorModel, on: date, rules: ClassificationRules | None = None
                   ) -> Classification:
    """The class of a catalog model under the regime in force on `on`."""
    rules = rules or default_rules()
    regime = rules.regime_on(on)
    if regime is None:
        return no_rule(on, model.datacenter)
    return classify_figures(model.tpp, model.performance_density, model.io_gbps,
                            datacenter=model.datacenter, regime=regime, prc_made=model.prc_made)


def classify_model_all(model: AcceleratorModel, rules: ClassificationRules | None = None
                       ) -> list[Classification]:
    """The class of a catalog model under every regime, oldest first (with effective dates)."""
    rules = rules or default_rules()
    return [classify_figures(model.tpp, model.performance_density, model.io_gbps,
                             datacenter=model.datacenter, regime=r, prc_made=model.prc_made)
            for r in rules.regimes]


def fleet_eccn(ic: Classification, rules: ClassificationRules | None = None) -> str | None:
    """The 4A090 paragraph of a computer or server fleet built with ICs of class `ic` (or None)."""
    rules = rules or default_rules()
    if ic.status != "controlled" or ic.eccn is None:
        return None
    return rules.fleet_classes.get(ic.eccn)
