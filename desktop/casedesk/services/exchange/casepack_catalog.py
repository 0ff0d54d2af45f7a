"""Case pack × workspace catalog: the workspace models a case's fleets use travel with its pack.

Out: the catalog entries the case's server fleets resolve to (workspace models only; shipped ones
every CaseDesk has) go into `catalog.jsonl`, their source files into `catalog/<sha256>`. In: each
carried model is checked like one an analyst adds; one the receiving workspace lacks is added
(audited, in the import's transaction); one it already has with the same figures is reused; one
it has with other figures is left as the receiver's and reported, so importing a pack never
changes how the receiver's own cases are classified.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.catalog_entries import CatalogEntry
from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Blob, Evidence, ServerFleet
from casedesk.domain.vocabulary import AcceleratorModel, Vocabulary
from casedesk.services.analysis.workspace_catalog import (
    NewModel,
    add_model,
    check_new,
    entry_dict,
    workspace_vocabulary,
)
from casedesk.services.exchange.casepack_format import CATALOG_PART, catalog_source_part

# The figures that decide a fleet's class: a receiver's model differing in one is a conflict.
FIGURES = ("tpp", "die_area_mm2", "io_gbps", "datacenter", "prc_made")


# out -------------------------------------------------------------------------------------------
def carried_entries(session: Session, case_id: int) -> list[CatalogEntry]:
    """The workspace catalog entries the case's server fleets resolve to, oldest first."""
    vocab = workspace_vocabulary(session)
    texts = set(session.scalars(select(ServerFleet.accelerator_model).where(
        ServerFleet.case_id == case_id, ServerFleet.accelerator_model != "")))
    codes = set()
    for text in texts:
        hit = vocab.accelerators.resolve(text)
        if hit is not None and hit.model.origin == "workspace":
            codes.add(hit.model.code)
    if not codes:
        return []
    return list(session.scalars(select(CatalogEntry).where(CatalogEntry.code.in_(codes))
                                .order_by(CatalogEntry.id)))


def carried_rows(session: Session, case_id: int,
                 entries: list[CatalogEntry]) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """The pack's catalog lines and source files (by part name) for these entries."""
    rows, files = [], {}
    for e in entries:
        row = entry_dict(e)
        row.pop("performance_density", None)  # derived, not carried
        ev = session.get(Evidence, e.evidence_id) if e.evidence_id is not None else None
        if ev is None or ev.case_id != case_id:  # only this case's evidence travels with it
            row["evidence_id"] = None
        if e.sha256:
            files[catalog_source_part(e.sha256)] = session.scalar(
                select(Blob.content).where(Blob.sha256 == e.sha256)) or b""
        rows.append(row)
    return rows, files


# in --------------------------------------------------------------------------------------------
@dataclass
class CatalogOutcome:
    """What became of each carried model: added here, reused, or left as the receiver's."""

    added: list[dict[str, Any]] = field(default_factory=list)
    reused: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The import result's `catalog` key."""
        return {"added": self.added, "reused": self.reused, "conflicts": self.conflicts}

    def lines(self) -> list[str]:
        """Human lines: what was added, reused, and (as warnings) what was kept as the receiver's."""
        out = []
        if self.added:
            out.append("catalog: added " + ", ".join(f"{m['name']} ({m['code']}, TPP {_fmt(m['tpp'])})"
                                                     for m in self.added) + " from the pack")
        if self.reused:
            out.append("catalog: already here with the same figures: "
                       + ", ".join(m["name"] for m in self.reused))
        for c in self.conflicts:
            out.append(f"warning: {c['message']}")
        return out


def _fmt(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9)


def _figures(m: AcceleratorModel) -> dict[str, Any]:
    return {"tpp": m.tpp, "die_area_mm2": m.die_area_mm2, "io_gbps": m.io_gbps,
            "datacenter": m.datacenter, "prc_made": m.prc_made}


_STR = ("name", "vendor", "source", "notes", "code")
_OPT_NUM = ("die_area_mm2", "io_gbps")


def _new_model(row: dict[str, Any], bad: Callable[[str], Exception]) -> NewModel:
    for key in _STR:
        if row.get(key) is not None and not isinstance(row[key], str):
            raise bad(f"{key}: not text")
    name = (row.get("name") or "").strip()
    if not name:
        raise bad("name: a model needs a name")
    tpp = row.get("tpp")
    for key in ("tpp", *_OPT_NUM):
        v = row.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise bad(f"model {name!r}: {key}: not a number")
    for key in ("datacenter", "prc_made"):
        if not isinstance(row.get(key, False), bool):
            raise bad(f"model {name!r}: {key}: not true or false")
    aliases = row.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise bad(f"model {name!r}: aliases: not a list of names")
    announced = row.get("announced")
    if announced is not None and (isinstance(announced, bool) or not isinstance(announced, int)):
        raise bad(f"model {name!r}: announced: not a year")
    memory = row.get("memory")
    return NewModel(name=name, vendor=row.get("vendor") or "", tpp=optional_float(tpp),
                    source=row.get("source") or "", aliases=tuple(aliases),
                    die_area_mm2=optional_float(row.get("die_area_mm2")), io_gbps=optional_float(row.get("io_gbps")),
                    memory=None if memory is None else str(memory),
                    datacenter=bool(row.get("datacenter", True)), prc_made=bool(row.get("prc_made", False)),
                    announced=announced, notes=row.get("notes") or "")


def optional_float(v: Any) -> float | None:
    """A pack's number as a float; None stays None."""
    return None if v is None else float(v)


@dataclass
class _Planned:
    """A carried model to add once the pack's evidence is in (so it can cite it)."""

    number: int
    new: NewModel
    source_part: str | None
    pack_evidence_id: int | None
    carried_from: dict[str, Any]


class CatalogCarry:
    """Reads a pack's catalog part, decides each model's fate, then writes the additions."""

    def __init__(self, session: Session, base: Vocabulary, lines: Iterator[tuple[int, dict[str, Any]]],
                 parts: dict[str, Any]):
        self.s = session
        self.base = base
        self.vocab = workspace_vocabulary(session, base)
        self.outcome = CatalogOutcome()
        self.planned: list[_Planned] = []
        self._lines = lines
        self._parts = parts

    def bad(self, number: int, reason: str) -> Exception:
        from casedesk.services.exchange.casepack_reading import PackRefused

        return PackRefused(f"part {CATALOG_PART}: line {number}: {reason}")

    def plan(self) -> Vocabulary:
        """Check every carried model and decide its fate; the vocabulary the case is then read with."""
        catalog = self.vocab.accelerators
        pending: list[AcceleratorModel] = []
        for number, row in self._lines:
            new = _new_model(row, partial(self.bad, number))
            try:
                model = check_new(new, catalog.bounds)
            except ValidationError as exc:
                raise self.bad(number, f"model {new.name!r}: {exc.field}: {exc.reason}; the pack "
                                       "is refused") from None
            source = row.get("source_sha256")
            part = catalog_source_part(str(source)) if source else None
            if part is not None and part not in self._parts:
                raise self.bad(number, f"model {new.name!r}: its source file {source} is not in the pack")
            hit = catalog.resolve(new.name)
            if hit is not None:
                self._known(new, model, hit)
                continue
            kept: list[str] = []
            for alias in new.aliases:
                other = catalog.resolve(alias)
                if other is None:
                    kept.append(alias)
                    continue
                self.outcome.conflicts.append({
                    "name": new.name, "kind": "alias", "alias": alias, "here": other.model.name,
                    "here_code": other.model.code,
                    "message": f"the pack's alias {alias!r} of {new.name} already names "
                               f"{other.model.name} here: that spelling keeps this workspace's meaning"})
            new = replace(new, aliases=tuple(kept))
            model = check_new(new, catalog.bounds)
            pending.append(model)
            catalog = catalog.with_models([model])
            ev = row.get("evidence_id")
            self.planned.append(_Planned(number, new, part, ev if isinstance(ev, int) else None,
                                         {"code": row.get("code"), "created_by": row.get("created_by"),
                                          "created_at": row.get("created_at")}))
        return replace(self.vocab, accelerators=catalog) if pending else self.vocab

    def _known(self, new: NewModel, model: AcceleratorModel, hit: Any) -> None:
        here = hit.model
        carried = _figures(model)
        theirs = _figures(here)
        differs = {k: {"pack": carried[k], "here": theirs[k]} for k in FIGURES
                   if not _same(carried[k], theirs[k])}
        where = "workspace" if here.origin == "workspace" else "shipped"
        if hit.system is None and not differs:
            self.outcome.reused.append({"name": new.name, "code": here.code, "catalog": where})
            return
        if hit.system is not None:
            what = f"names the system {hit.system.name} ({hit.gpus_per_unit} × {here.name}) here"
        else:
            what = "differs from this workspace's (" + "; ".join(
                f"{k} {_fmt(v['pack'])} in the pack, {_fmt(v['here'])} here" for k, v in differs.items()) + ")"
        self.outcome.conflicts.append({
            "name": new.name, "kind": "figures", "here_code": here.code, "catalog": where,
            "differs": differs,
            "message": f"the pack's model {new.name} {what}: kept this workspace's model ({where} "
                       "catalog); the imported case's fleets naming it are classified with it"})

    def write(self, zf_part: Callable[[str], bytes], evidence: dict[int, int],
              audit_extra: dict[str, Any]) -> None:
        """Add the planned models (audited), citing the imported copy of their evidence if any."""
        for p in self.planned:
            content = zf_part(p.source_part) if p.source_part else None
            ev = evidence.get(p.pack_evidence_id) if p.pack_evidence_id is not None else None
            try:
                entry = add_model(self.s, p.new, source_content=content, evidence_id=ev, vocab=self.base,
                                  audit_extra={**audit_extra, "carried_from": p.carried_from})
            except ValidationError as exc:
                raise self.bad(p.number, f"model {p.new.name!r}: {exc.field}: {exc.reason}") from None
            self.outcome.added.append({"name": entry.name, "code": entry.code, "tpp": entry.tpp})

