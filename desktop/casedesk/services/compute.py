"""Compute totals from server fleets and the accelerator catalog (counts keep their qualifier)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.models import Link, Record, ServerFleet
from casedesk.domain.vocabulary import default_vocabulary


@dataclass(frozen=True)
class CaseTotals:
    """Headline figures of a case: records, links, accelerators (with qualifier) and total TPP."""

    records: int
    links: int
    accelerators: int
    accelerators_qualifier: str  # "exact" when every counted fleet is exact, else "at_least"/"about"
    total_tpp: float
    unknown_fleets: int  # fleets whose count or model is missing or not in the catalog

    def accelerators_text(self) -> str:
        """E.g. 'at least 5,600'."""
        word = {"exact": "", "at_least": "at least ", "about": "about ", "at_most": "at most "}
        return f"{word.get(self.accelerators_qualifier, '')}{self.accelerators:,}"


def fleet_accelerators(server_count: int | None, per_server: int | None) -> int | None:
    """Accelerators in a fleet, or None when either number is unknown."""
    if server_count is None or per_server is None:
        return None
    return server_count * per_server


def case_totals(session: Session, case_id: int, vocab: Any = None) -> CaseTotals:
    """Totals shown in the status bar and summaries."""
    vocab = vocab if vocab is not None else default_vocabulary()
    records = session.scalar(select(func.count()).select_from(Record).where(Record.case_id == case_id)) or 0
    links = session.scalar(select(func.count()).select_from(Link).where(Link.case_id == case_id)) or 0
    count, tpp, unknown, qualifiers = 0, 0.0, 0, set()
    for model, n, per, qual in session.execute(
        select(ServerFleet.accelerator_model, ServerFleet.server_count,
               ServerFleet.accelerators_per_server, ServerFleet.count_qualifier)
        .where(ServerFleet.case_id == case_id)
    ):
        accel = fleet_accelerators(n, per)
        spec = vocab.accelerators.find(model) if model else None
        if accel is None or spec is None:
            unknown += 1
        if accel is None:
            continue
        count += accel
        qualifiers.add(qual or "exact")
        if spec is not None:
            tpp += accel * spec.tpp
    qualifier = "exact" if qualifiers <= {"exact"} else (
        "at_least" if "at_least" in qualifiers else sorted(qualifiers - {"exact"})[0])
    return CaseTotals(records, links, count, qualifier, tpp, unknown)
