"""Each record's screening status, as the chart, the tables and the navigator show it."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.watchlists import ScreeningHit

# Worst first: one confirmed hit makes the record "confirmed" whatever its other hits say.
STATUS_ORDER = ("confirmed", "open", "dismissed")
STATUS_TEXT = {"confirmed": "confirmed hit", "open": "hit to review", "dismissed": "hits dismissed"}
_CHUNK = 900


def screening_status(session: Session, case_id: int,
                     record_ids: Collection[int] | None = None) -> dict[int, str]:
    """{record id: "confirmed" | "open" | "dismissed"} for records with hits (all of a case, or the given ids)."""
    query = select(ScreeningHit.record_id, ScreeningHit.status).where(ScreeningHit.case_id == case_id)
    if record_ids is None:
        rows = list(session.execute(query))
    else:
        ids = sorted(record_ids)
        rows = [r for start in range(0, len(ids), _CHUNK)
                for r in session.execute(query.where(ScreeningHit.record_id.in_(ids[start:start + _CHUNK])))]
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    out: dict[int, str] = {}
    for record_id, status in rows:
        if status in rank and (record_id not in out or rank[status] < rank[out[record_id]]):
            out[record_id] = status
    return out
