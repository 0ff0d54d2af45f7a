"""Compute figures as the window shows them: a case's headline totals (status bar) and one record's
compute by role (inspector), each read straight from the session."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.models import Link, Record, ServerFleet
from casedesk.services.analysis.as_of import restrict_to_day
from casedesk.services.analysis.compute import (
    ComputeTotals,
    FleetCompute,
    Inventory,
    compute_inventory,
    count_text,
    fleet_compute,
    totals_of,
)
from casedesk.services.analysis.graph import FleetRow, load_case_graph, load_neighbourhood
from casedesk.services.analysis.workspace_catalog import workspace_vocabulary

# --- the status bar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseTotals:
    """Headline figures of a case: records, links, accelerators (with qualifier) and total TPP."""

    records: int
    links: int
    accelerators: int
    accelerators_qualifier: str  # "exact" when every counted fleet is exact, else "at_least"/"about"
    total_tpp: float
    unknown_fleets: int  # fleets whose count or model is missing or not in the catalog
    h100_equivalents: float = 0.0
    controlled_accelerators: int = 0
    controlled_tpp: float = 0.0

    def accelerators_text(self) -> str:
        """E.g. 'at least 5,600'."""
        return count_text(self.accelerators, self.accelerators_qualifier)


def case_totals(session: Session, case_id: int, vocab: Any = None, *,
                as_of: date | None = None) -> CaseTotals:
    """Totals shown in the status bar and summaries (one query per table, no graph)."""
    vocab = workspace_vocabulary(session, vocab)
    as_of = as_of or date.today()
    records = session.scalar(select(func.count()).select_from(Record).where(Record.case_id == case_id)) or 0
    links = session.scalar(select(func.count()).select_from(Link).where(Link.case_id == case_id)) or 0
    s = ServerFleet.__table__.c
    r = Record.__table__.c
    fleets = []
    cache: dict[str, Any] = {}
    for row in session.execute(
            select(s.id, s.accelerator_model, s.accelerators_per_server, s.server_count,
                   s.count_qualifier, s.status, s.installed_on, s.in_service_on, s.days_to_service)
            .join(Record.__table__, r.id == s.id).where(r.case_id == case_id)):
        fleets.append(fleet_compute(row[0], FleetRow(row[1] or "", row[2], row[3], row[4] or "exact",
                                                     row[5] or "", row[6], row[7], row[8]),
                                    "", as_of=as_of, vocab=vocab, cache=cache))
    t = totals_of(fleets, vocab=vocab)
    unknown = sum(1 for f in fleets if f.accelerators is None or f.model_code is None)
    return CaseTotals(records, links, t.accelerators, t.qualifier, t.total_tpp, unknown,
                      t.h100_equivalents, t.controlled_accelerators, t.controlled_tpp)


# --- the inspector ----------------------------------------------------------------------------

_ROLE_TITLES = {"fleet": "Fleet", "hosted": "Hosted here", "owner": "As owner",
                "operator": "As operator", "end_user": "As end user", "covered": "Covered by the contract"}


@dataclass(frozen=True)
class RecordCompute:
    """The compute a record stands for, by role (fleet itself, hosted, owned, operated, used…)."""

    record_id: int
    kind: str
    label: str
    fleet: FleetCompute | None
    roles: dict[str, ComputeTotals]
    end_users: tuple[tuple[int, str, str], ...] = ()  # for a fleet: (id, label, via)
    contracted: int | None = None  # a contract's accelerator_count
    as_of: date | None = None  # the day the figures are for
    left_out: str = ""  # for a fleet not there on that day: why ("decommissioned 2024-03-01")

    @property
    def empty(self) -> bool:
        """True if the record relates to no compute at all."""
        return self.fleet is None and not self.roles and not self.left_out

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"record_id": self.record_id, "kind": self.kind, "label": self.label,
                "fleet": self.fleet.as_dict() if self.fleet else None,
                "roles": {k: v.as_dict() for k, v in self.roles.items()},
                "end_users": [{"record_id": i, "label": lab, "via": via} for i, lab, via in self.end_users],
                "contracted_accelerators": self.contracted}


def compute_for_record(session: Session, record_id: int, *, as_of: date | None = None,
                       vocab: Any = None) -> RecordCompute:
    """The compute figures the inspector shows for one record (loads only its neighbourhood)."""
    vocab = workspace_vocabulary(session, vocab)
    as_of = as_of or date.today()
    graph = load_neighbourhood(session, record_id)
    cut = restrict_to_day(graph, as_of)  # what existed that day, as the analysis counts it
    kind = graph.kind.get(record_id, "")
    cache: dict[str, Any] = {}
    fc = {fid: fleet_compute(fid, row, graph.name(fid), as_of=as_of, vocab=vocab, cache=cache)
          for fid, row in graph.fleets.items()}

    def tot(ids: Iterable[int]) -> ComputeTotals | None:
        chosen = [fc[i] for i in set(ids) if i in fc]
        return totals_of(chosen, vocab=vocab) if chosen else None

    roles: dict[str, ComputeTotals | None] = {}
    fleet, end_users, contracted = None, (), None
    if kind == "server":
        fleet = fc.get(record_id)
        seen: dict[int, list[str]] = {}
        for user, route in graph.end_uses(record_id):
            seen.setdefault(user, [])
            if route.via not in seen[user]:
                seen[user].append(route.via)
        end_users = tuple((u, graph.name(u), "; ".join(vias)) for u, vias in seen.items())
    elif kind == "datacenter":
        roles["hosted"] = tot(f for f, _ in graph.fleets_at(record_id))
    elif kind in ("party", "wallet"):
        owned, operated = set(), set()
        for lid in graph.out_links("owns_asset", record_id):
            owned.update(f for f, _, _ in graph.fleets_reached(graph.links[lid].target))
        for lid in graph.out_links("operates", record_id):
            operated.update(f for f, _, _ in graph.fleets_reached(graph.links[lid].target))
        roles["owner"] = tot(owned)
        roles["operator"] = tot(operated)
        roles["end_user"] = tot(graph.fleets_used_by(record_id))
    elif kind == "contract":
        covered = set()
        for lid in graph.out_links("covers", record_id):
            covered.update(f for f, _, _ in graph.fleets_reached(graph.links[lid].target))
        roles["covered"] = tot(covered)
        row = graph.contracts.get(record_id)
        contracted = row.accelerator_count if row else None
    return RecordCompute(record_id, kind, graph.name(record_id), fleet,
                         {k: v for k, v in roles.items() if v is not None}, end_users, contracted,
                         as_of, cut.fleets_out.get(record_id, ""))


def compute_summary_text(rc: RecordCompute) -> str:
    """Plain text for the inspector: one line per role, then what could not be decided."""
    lines: list[str] = []
    notes: list[str] = []
    if rc.left_out:
        lines.append(f"Not counted as of {rc.as_of.isoformat() if rc.as_of else 'the day'}: {rc.left_out}")
    if rc.fleet is not None:
        f = rc.fleet
        parts = [f.accelerators_text()]
        if f.total_tpp is not None:
            parts.append(f"TPP {f.total_tpp:,.0f}")
            parts.append(f"{f.h100_equivalents:,.0f} H100-equivalents")
        parts.append(f.class_text())
        lines.append("Fleet: " + " · ".join(parts))
        if f.prc_3a090:
            lines.append("PRC-made 3A090-level ICs (BIS GP10 guidance)")
        if rc.end_users:
            lines.append("Used by: " + "; ".join(f"{lab} ({via})" for _, lab, via in rc.end_users))
        notes += list(f.undecided)
    for role, t in rc.roles.items():
        n = len(t.fleet_ids)
        parts = [f"{t.accelerators_text()} in {n} fleet{'s' if n != 1 else ''}"]
        if t.total_tpp:
            parts += [f"TPP {t.total_tpp:,.0f}", f"{t.h100_equivalents:,.0f} H100-equivalents"]
        if t.controlled_share is not None:
            parts.append(f"{t.controlled_share:.0%} of TPP controlled (3A090)")
        if t.controlled_fleets:
            parts.append(f"{t.controlled_fleets} of {n} fleet{'s' if n != 1 else ''} 3A090-controlled")
        lines.append(f"{_ROLE_TITLES.get(role, role)}: " + " · ".join(parts))
        notes += list(t.undecided)
    if rc.contracted is not None:
        lines.append(f"Contract states {rc.contracted:,} accelerators")
    if not lines:
        return "No compute recorded for this record."
    if notes:
        lines.append("Could not decide: " + "; ".join(dict.fromkeys(notes)))
    return "\n".join(lines)


def inventory_for_case(session: Session, case_id: int, *, as_of: date | None = None) -> Inventory:
    """Load a case and compute its inventory (for callers that do not run the whole analysis)."""
    return compute_inventory(load_case_graph(session, case_id), as_of=as_of)
