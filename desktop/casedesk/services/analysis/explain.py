"""A finding's explaining path as plain data: the records and links it names, with their labels."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.models import Link, Record

_CHUNK = 900


def describe_path(session: Session, record_ids: list[int], link_ids: list[int]) -> dict[str, Any]:
    """{'records': [{id, kind, label}], 'links': [{id, type, source_id, target_id}]} in path order.

    Records or links deleted since the finding was computed are listed with kind/type None.
    """
    r, lk = Record.__table__.c, Link.__table__.c
    recs: dict[int, tuple[str, str]] = {}
    for start in range(0, len(record_ids), _CHUNK):
        chunk = record_ids[start:start + _CHUNK]
        recs.update({i: (k, lab) for i, k, lab in
                     session.execute(select(r.id, r.kind, r.label).where(r.id.in_(chunk)))})
    links: dict[int, tuple[str, int, int]] = {}
    for start in range(0, len(link_ids), _CHUNK):
        chunk = link_ids[start:start + _CHUNK]
        links.update({i: (t, s, g) for i, t, s, g in session.execute(
            select(lk.id, lk.link_type, lk.source_id, lk.target_id).where(lk.id.in_(chunk)))})
    return {
        "records": [{"id": i, "kind": recs.get(i, (None, ""))[0],
                     "label": recs.get(i, (None, f"#{i} (deleted)"))[1]} for i in record_ids],
        "links": [{"id": i, "type": links[i][0] if i in links else None,
                   "source_id": links[i][1] if i in links else None,
                   "target_id": links[i][2] if i in links else None} for i in link_ids],
    }
