"""Compute figures: accelerators (with their count qualifier), TPP, H100-equivalents and the share
controlled under ECCN 3A090, per fleet and per data center, owner, operator and end user.

A count is never made more precise than its sources: "at least 300 servers × 8" stays "at least
2,400", and a fleet whose size or model is unknown turns a total into a floor and is listed as
undecided instead of being guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.analysis.candidates import unknown_model_question
from casedesk.services.analysis.classify import (
    Classification,
    ClassificationRules,
    classify_model,
    classify_model_all,
    default_rules,
    fleet_eccn,
)
from casedesk.services.analysis.graph import (
    CaseGraph,
    FleetRow,
    Route,
)

QUALIFIER_WORDS = {"exact": "", "at_least": "at least ", "about": "about ", "at_most": "at most "}


def combine_qualifiers(qualifiers: Iterable[str], incomplete: bool = False) -> str:
    """The qualifier of a sum: exact only if every part is; 'at least' if a part is missing."""
    found = "at_least" if incomplete else "exact"
    for q in qualifiers:
        if q and q != "exact" and q != found:
            if found != "exact":
                # Lower and upper bounds (or "about") mixed: only an approximate figure is honest.
                return "about"
            found = q
    return found


def count_text(count: int, qualifier: str) -> str:
    """'at least 2,400', 'about 100', '8'."""
    return f"{QUALIFIER_WORDS.get(qualifier, '')}{count:,}"


def fleet_accelerators(server_count: int | None, per_server: int | None,
                       gpus_per_unit: int = 1) -> int | None:
    """GPUs in a fleet (a system or superchip counts its GPUs), or None when a number is unknown."""
    if server_count is None or per_server is None:
        return None
    return server_count * per_server * gpus_per_unit


@dataclass(slots=True)  # not frozen: a big case builds tens of thousands, frozen init is slow
class FleetCompute:
    """One fleet's figures: model, count with qualifier, TPP, H100e, IC class and 4A090 class."""

    fleet_id: int
    label: str
    model_text: str  # as entered
    model_code: str | None  # catalog code, None if not in the catalog
    model_name: str  # catalog name, else the text as entered
    accelerators: int | None
    qualifier: str
    tpp_each: float | None
    total_tpp: float | None
    h100_equivalents: float | None
    ic_class: Classification | None  # under the regime in force on the analysis date
    ic_classes: tuple[Classification, ...]  # under every regime
    eccn: str | None  # 4A090.a / 4A090.b / None
    status: str
    prc_3a090: bool
    undecided: tuple[str, ...]
    # True if its ICs are 3A090 on the analysis date, False if not, None if that is undecided
    # (a field, not a property: totals read it hundreds of thousands of times).
    controlled: bool | None = None
    unit: str = ""  # what one inventory unit counts as: '' for one GPU, 'HGX H100 = 8 H100 SXM GPUs'

    def accelerators_text(self) -> str:
        """'at least 2,400 H100 SXM', '80 H100 SXM (counted as HGX H100 = 8 H100 SXM GPUs)'."""
        unit = f" (counted as {self.unit})" if self.unit else ""
        if self.accelerators is None:
            return f"an unknown number of {self.model_name or 'accelerators'}{unit}"
        return f"{count_text(self.accelerators, self.qualifier)} {self.model_name or 'accelerators'}{unit}"

    def class_text(self) -> str:
        """'3A090.a (datacenter: licence required) → 4A090.a', or why it is not decided."""
        if self.ic_class is None:
            return "not classified (model not in the catalog)"
        text = self.ic_class.text()
        return f"{text} → {self.eccn}" if self.eccn else text

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "fleet_id": self.fleet_id, "label": self.label, "accelerator_model": self.model_text,
            "model_code": self.model_code, "model": self.model_name, "unit": self.unit or "GPU",
            "accelerators": self.accelerators, "qualifier": self.qualifier,
            "accelerators_text": self.accelerators_text(), "tpp_each": self.tpp_each,
            "total_tpp": self.total_tpp, "h100_equivalents": _round(self.h100_equivalents),
            "eccn": self.eccn, "ic_eccn": self.ic_class.eccn if self.ic_class else None,
            "controlled": self.controlled, "class_text": self.class_text(),
            "classes": [c.as_dict() for c in self.ic_classes], "status": self.status,
            "prc_3a090": self.prc_3a090, "undecided": list(self.undecided),
        }


@dataclass(slots=True)  # not frozen: a big case builds tens of thousands, frozen init is slow
class ModelCount:
    """Accelerators of one model within a total, with the total's qualifier for that model."""

    model: str
    count: int
    qualifier: str
    fleets_unknown: int  # fleets of this model whose count is unknown

    def text(self) -> str:
        """'at least 2,400 H100 SXM', or 'an unknown number of B200'."""
        if self.count == 0 and self.fleets_unknown:
            return f"an unknown number of {self.model}"
        q = combine_qualifiers([self.qualifier], self.fleets_unknown > 0)
        return f"{count_text(self.count, q)} {self.model}"


@dataclass(slots=True)  # not frozen: a big case builds tens of thousands, frozen init is slow
class ComputeTotals:
    """Totals over a set of fleets: counts by model, TPP, H100e and the controlled share."""

    fleet_ids: tuple[int, ...]
    accelerators: int
    qualifier: str
    by_model: tuple[ModelCount, ...]
    total_tpp: float
    h100_equivalents: float
    controlled_accelerators: int
    controlled_tpp: float
    controlled_fleets: int = 0  # fleets whose ICs are 3A090, counted even when their size is unknown
    undecided: tuple[str, ...] = ()

    @property
    def controlled_share(self) -> float | None:
        """Share of the known TPP that is 3A090-controlled (0..1), None without any TPP."""
        return self.controlled_tpp / self.total_tpp if self.total_tpp else None

    def accelerators_text(self, texts: list[str] | None = None) -> str:
        """'at least 2,400 H100 SXM' or 'at least 5,600 (at least 2,400 H100 SXM; …)'."""
        if not self.by_model:
            return "no accelerators recorded" if not self.fleet_ids else "unknown number of accelerators"
        texts = texts if texts is not None else [m.text() for m in self.by_model]
        if len(texts) == 1:
            return texts[0]
        return f"{count_text(self.accelerators, self.qualifier)} accelerators ({'; '.join(texts)})"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        share = self.controlled_share
        texts = [m.text() for m in self.by_model]  # once: a big case prints 60,000 totals
        return {
            "fleet_ids": list(self.fleet_ids), "accelerators": self.accelerators,
            "qualifier": self.qualifier, "accelerators_text": self.accelerators_text(texts),
            "by_model": [{"model": m.model, "count": m.count, "text": t} for m, t in zip(self.by_model, texts)],
            "total_tpp": round(self.total_tpp, 1), "h100_equivalents": _round(self.h100_equivalents),
            "controlled_accelerators": self.controlled_accelerators,
            "controlled_tpp": round(self.controlled_tpp, 1),
            "controlled_share": None if share is None else round(share, 4),
            "controlled_fleets": self.controlled_fleets,
            "undecided": list(self.undecided),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def fleet_compute(fleet_id: int, row: FleetRow, label: str, *, as_of: date, vocab: Any = None,
                  rules: ClassificationRules | None = None,
                  cache: dict[str, Any] | None = None) -> FleetCompute:
    """Figures and classes of one fleet on a given day (`cache` shares classes between fleets)."""
    vocab = vocab if vocab is not None else default_vocabulary()
    rules = rules or default_rules()
    cache = cache if cache is not None else {}
    ref = vocab.accelerators.models.get(rules.reference_accelerator)
    key = ("model", row.accelerator_model)
    if key not in cache:
        cache[key] = vocab.accelerators.resolve(row.accelerator_model) if row.accelerator_model else None
    hit = cache[key]
    spec = hit.model if hit is not None else None
    count = fleet_accelerators(row.server_count, row.per_server, hit.gpus_per_unit if hit else 1)
    undecided = []
    if count is None:
        missing = [n for n, v in (("server count", row.server_count),
                                  ("accelerators per server", row.per_server)) if v is None]
        undecided.append(f"accelerator count unknown ({' and '.join(missing)} not stated)")
    ic = classes = None
    if spec is None:
        qkey = ("unknown", row.accelerator_model)
        if row.accelerator_model and qkey not in cache:  # one name, one search per run
            cache[qkey] = unknown_model_question(vocab.accelerators, row.accelerator_model)
        undecided.append(cache[qkey] if row.accelerator_model else "accelerator model not stated")
    else:
        ckey = ("classes", spec.code)
        if ckey not in cache:  # one model, one answer: classify it once per run
            cache[ckey] = (classify_model(spec, as_of, rules), tuple(classify_model_all(spec, rules)))
        ic, classes = cache[ckey]
        if ic.status == "undecided":
            undecided.append(f"3A090 class undecided: {ic.reason}")
    total = count * spec.tpp if (count is not None and spec is not None) else None
    return FleetCompute(
        fleet_id=fleet_id, label=label, model_text=row.accelerator_model,
        model_code=spec.code if spec else None,
        model_name=spec.name if spec else (row.accelerator_model or ""),
        accelerators=count, qualifier=row.qualifier or "exact",
        tpp_each=spec.tpp if spec else None, total_tpp=total,
        h100_equivalents=(total / ref.tpp) if (total is not None and ref is not None) else None,
        ic_class=ic, ic_classes=classes or (), eccn=fleet_eccn(ic, rules) if ic else None,
        status=row.status, prc_3a090=bool(ic and ic.prc_3a090), undecided=tuple(undecided),
        controlled=None if (ic is None or ic.status == "undecided") else ic.controlled,
        unit=hit.unit_text() if hit is not None else "")


def totals_of(fleets: Iterable[FleetCompute], *, vocab: Any = None,
              rules: ClassificationRules | None = None) -> ComputeTotals:
    """Sum fleets (each counted once) into a ComputeTotals."""
    vocab = vocab if vocab is not None else default_vocabulary()
    rules = rules or default_rules()
    ref = vocab.accelerators.models.get(rules.reference_accelerator)
    seen: dict[int, FleetCompute] = {}
    for f in fleets:
        seen.setdefault(f.fleet_id, f)
    count, tpp, c_count, c_tpp = 0, 0.0, 0, 0.0
    models: dict[str, list[Any]] = {}  # name -> [count, qualifiers, unknown fleets]
    unknown_count = unknown_model = undecided_class = controlled_fleets = 0
    for f in seen.values():
        m = models.setdefault(f.model_name or "accelerators (model not stated)", [0, set(), 0])
        controlled_fleets += bool(f.controlled)
        if f.accelerators is None:
            unknown_count += 1
            m[2] += 1
            continue
        count += f.accelerators
        m[0] += f.accelerators
        m[1].add(f.qualifier)
        if f.total_tpp is None:
            unknown_model += 1
        else:
            tpp += f.total_tpp
        if f.controlled:
            c_count += f.accelerators
            c_tpp += f.total_tpp or 0.0
        elif f.controlled is None and f.model_code is not None:
            undecided_class += 1
    all_quals = [q for m in models.values() for q in m[1]]
    notes = []
    if unknown_count:
        notes.append(f"{unknown_count} fleet(s) with unknown accelerator count: totals are a floor")
    if unknown_model:
        notes.append(f"{unknown_model} fleet(s) of a model not in the catalog: TPP excludes them")
    if undecided_class:
        notes.append(f"{undecided_class} fleet(s) whose 3A090 class is undecided: not counted as controlled")
    return ComputeTotals(
        fleet_ids=tuple(sorted(seen)), accelerators=count,
        qualifier=combine_qualifiers(all_quals, unknown_count > 0),
        by_model=tuple(ModelCount(name, m[0], combine_qualifiers(m[1]), m[2])
                       for name, m in sorted(models.items(), key=lambda kv: -kv[1][0])),
        total_tpp=tpp, h100_equivalents=(tpp / ref.tpp) if ref else 0.0,
        controlled_accelerators=c_count, controlled_tpp=c_tpp, controlled_fleets=controlled_fleets,
        undecided=tuple(notes))


@dataclass
class Inventory:
    """A case's compute: every fleet, totals per data center, owner, operator and end user."""

    as_of: date
    fleets: dict[int, FleetCompute]
    case: ComputeTotals
    by_datacenter: dict[int, ComputeTotals]
    by_owner: dict[int, ComputeTotals]
    by_operator: dict[int, ComputeTotals]
    by_end_user: dict[int, ComputeTotals]
    end_uses: dict[int, list[tuple[int, Route]]]  # fleet -> (end user, route)
    undecided: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, graph: CaseGraph) -> dict[str, Any]:
        """Plain data for JSON: totals, fleets (with ECCN classes) and the groups."""
        plain: dict[int, dict[str, Any]] = {}  # one fleet's totals stand in up to four groups: once each

        def group(d: dict[int, ComputeTotals]) -> list[dict[str, Any]]:
            out = []
            for rid, t in sorted(d.items(), key=lambda kv: (-kv[1].total_tpp, kv[0])):
                t_dict = plain.get(id(t))
                if t_dict is None:
                    t_dict = plain[id(t)] = t.as_dict()
                out.append({"record_id": rid, "label": graph.name(rid), **t_dict})
            return out
        fleets = []
        for fid, f in sorted(self.fleets.items()):
            d = f.as_dict()
            d["datacenters"] = [dc for dc, _ in graph.datacenters_of(fid)]
            d["end_users"] = sorted({u for u, _ in self.end_uses.get(fid, [])})
            fleets.append(d)
        return {"as_of": self.as_of.isoformat(), "totals": self.case.as_dict(), "fleets": fleets,
                "by_datacenter": group(self.by_datacenter), "by_owner": group(self.by_owner),
                "by_operator": group(self.by_operator), "by_end_user": group(self.by_end_user),
                "undecided": list(self.undecided)}


def compute_inventory(graph: CaseGraph, *, as_of: date | None = None, vocab: Any = None,
                      rules: ClassificationRules | None = None) -> Inventory:
    """Figures of every fleet in the graph and totals per data center, owner, operator, end user."""
    vocab = vocab if vocab is not None else default_vocabulary()
    rules = rules or default_rules()
    as_of = as_of or date.today()
    cache: dict[str, Any] = {}
    fleets = {fid: fleet_compute(fid, row, graph.name(fid), as_of=as_of, vocab=vocab, rules=rules,
                                 cache=cache)
              for fid, row in graph.fleets.items()}
    groups: dict[str, dict[int, list[FleetCompute]]] = {
        "dc": {}, "owner": {}, "operator": {}, "user": {}}
    end_uses: dict[int, list[tuple[int, Route]]] = {}
    undecided: list[dict[str, Any]] = []
    for fid, f in fleets.items():
        for dc, _ in graph.datacenters_of(fid):
            groups["dc"].setdefault(dc, []).append(f)
        for r in graph.owners_of(fid):
            groups["owner"].setdefault(r.record_ids[0], []).append(f)
        for r in graph.operators_of(fid):
            groups["operator"].setdefault(r.record_ids[0], []).append(f)
        uses = graph.end_uses(fid)
        end_uses[fid] = uses
        for user, _ in uses:
            groups["user"].setdefault(user, []).append(f)
        for text in f.undecided:
            undecided.append({"rule": "compute", "record_ids": [fid],
                              "question": f"{graph.name(fid)}: {text}"})

    single: dict[int, ComputeTotals] = {}  # most groups hold one fleet: sum it once

    def one(f: FleetCompute) -> ComputeTotals:
        t = single.get(f.fleet_id)
        if t is None:
            t = single[f.fleet_id] = totals_of([f], vocab=vocab, rules=rules)
        return t

    def tot(d: dict[int, list[FleetCompute]]) -> dict[int, ComputeTotals]:
        return {k: one(v[0]) if len(v) == 1 else totals_of(v, vocab=vocab, rules=rules)
                for k, v in d.items()}

    return Inventory(as_of=as_of, fleets=fleets, case=totals_of(fleets.values(), vocab=vocab, rules=rules),
                     by_datacenter=tot(groups["dc"]), by_owner=tot(groups["owner"]),
                     by_operator=tot(groups["operator"]), by_end_user=tot(groups["user"]),
                     end_uses=end_uses, undecided=undecided)
