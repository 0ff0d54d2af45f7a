"""The case timeline: events, dated links, fleet installation/service dates and contract terms.

Each item keeps its dates as partial-date text (year, month or day precision, maybe "about"), so
a view can draw a month-precision event across its whole month and an "about" date differently.
Items are grouped into lanes by record (a link goes in its source record's lane).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.dates import PartialDate
from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Contract, Event, Link, Record, ServerFleet
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.cases import get_case


@dataclass(frozen=True)
class TimelineItem:
    """One dated thing on the timeline, in the lane of one record (or the case's own lane)."""

    key: str  # "event:<id>", "link:<id>", "installed:<record>", "in_service:<record>",
    #           "decommissioned:<record>", "term:<record>"
    kind: str  # event | link | installed | in_service | decommissioned | term
    lane_id: int | None  # record id of the lane; None for events of the case as a whole
    lane_label: str
    lane_kind: str  # record kind of the lane, "" for the case lane
    title: str
    start: str  # partial date text, e.g. "2024-06" or "~2023-12"
    end: str | None  # partial date text of the end, or None for a single date
    record_id: int | None  # what selecting the item selects
    link_id: int | None = None
    open_end: bool = False  # a dated link or term with a start and no end: still running

    @property
    def start_date(self) -> PartialDate:
        """The start as a PartialDate."""
        return PartialDate(self.start)

    @property
    def end_date(self) -> PartialDate | None:
        """The end as a PartialDate, if any."""
        return PartialDate(self.end) if self.end else None

    @property
    def first_day(self) -> date:
        """The earliest day the item can cover (a month-precision start covers its whole month)."""
        return self.start_date.first_day()

    @property
    def last_day(self) -> date:
        """The latest day the item can cover."""
        end = self.end_date
        return (end or self.start_date).last_day()

    @property
    def about(self) -> bool:
        """True when the start or end date is approximate."""
        return self.start.startswith("~") or bool(self.end and self.end.startswith("~"))

    @property
    def precision(self) -> str:
        """Precision of the start date: year, month or day."""
        return self.start_date.precision


def _valid(text_: str | None) -> bool:
    if not text_:
        return False
    try:
        PartialDate(text_)
    except ValidationError:
        return False
    return True


def timeline_items(session: Session, case_id: int, *, vocab: Any = None) -> list[TimelineItem]:
    """Every dated item of a case, ordered by start day then key."""
    vocab = vocab if vocab is not None else default_vocabulary()
    get_case(session, case_id)
    labels: dict[int, tuple[str, str]] = {
        rid: (label, kind) for rid, label, kind in
        session.execute(select(Record.id, Record.label, Record.kind).where(Record.case_id == case_id))}
    items: list[TimelineItem] = []

    def lane(rid: int | None) -> tuple[str, str]:
        if rid is None:
            return ("Case", "")
        return labels.get(rid, (f"record {rid}", ""))

    for eid, rid, title, on, until in session.execute(
            select(Event.id, Event.record_id, Event.title, Event.on, Event.until).where(Event.case_id == case_id)):
        if not _valid(on):
            continue
        label, kind = lane(rid)
        items.append(TimelineItem(f"event:{eid}", "event", rid, label, kind, title, on,
                                  until if _valid(until) else None, rid))
    for row in session.execute(
            select(Link.id, Link.link_type, Link.source_id, Link.target_id, Link.start_on, Link.end_on,
                   Link.share_pct)
            .where(Link.case_id == case_id, (Link.start_on.is_not(None)) | (Link.end_on.is_not(None)))):
        start = row.start_on if _valid(row.start_on) else row.end_on
        if not _valid(start):
            continue
        end = row.end_on if _valid(row.end_on) and start != row.end_on else None
        lt = vocab.link_types.get(row.link_type)
        verb = lt.label if lt else row.link_type.replace("_", " ")
        share = f" {row.share_pct:g} %" if row.share_pct is not None else ""
        label, kind = lane(row.source_id)
        other = labels.get(row.target_id, (f"record {row.target_id}", ""))[0]
        items.append(TimelineItem(f"link:{row.id}", "link", row.source_id, label, kind,
                                  f"{verb}{share} {other}", start, end, row.source_id, row.id,
                                  open_end=end is None and _valid(row.start_on)))
    for rid, installed, in_service, retired in session.execute(
            select(ServerFleet.id, ServerFleet.installed_on, ServerFleet.in_service_on,
                   ServerFleet.decommissioned_on)
            .where(ServerFleet.case_id == case_id)):
        label, kind = lane(rid)
        if _valid(installed):
            items.append(TimelineItem(f"installed:{rid}", "installed", rid, label, kind, "Installed",
                                      installed, None, rid))
        if _valid(in_service):
            items.append(TimelineItem(f"in_service:{rid}", "in_service", rid, label, kind, "In service",
                                      in_service, None, rid))
        if _valid(retired):
            items.append(TimelineItem(f"decommissioned:{rid}", "decommissioned", rid, label, kind,
                                      "Decommissioned", retired, None, rid))
    for rid, start, end in session.execute(
            select(Contract.id, Contract.start_on, Contract.end_on).where(Contract.case_id == case_id)):
        first = start if _valid(start) else (end if _valid(end) else None)
        if first is None:
            continue
        label, kind = lane(rid)
        last = end if _valid(end) and end != first else None
        items.append(TimelineItem(f"term:{rid}", "term", rid, label, kind, "Contract term", first, last,
                                  rid, open_end=last is None and _valid(start)))
    items.sort(key=lambda i: (i.first_day, i.key))
    return items

