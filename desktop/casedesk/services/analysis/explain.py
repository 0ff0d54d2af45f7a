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


_FINDING_COLS = ("id", "case_id", "rule", "severity", "title", "explanation", "record_ids",
                 "link_ids", "status", "reason", "decided_by", "decided_at", "details", "updated_at")


def finding_rows(session: Session, case_id: int, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """A case's findings (or some of them) as plain dicts with list_findings' keys, by column select.

    The findings view of a big case holds tens of thousands of rows: this skips the ORM.
    """
    from casedesk.domain.models import Finding

    f = Finding.__table__.c
    query = select(*[getattr(f, c) for c in _FINDING_COLS]).where(f.case_id == case_id)
    rows: list[dict[str, Any]] = []
    chunks = [None] if ids is None else [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    for chunk in chunks:
        q = query if chunk is None else query.where(f.id.in_(chunk))
        for row in session.execute(q.order_by(f.id)).all():
            d = dict(zip(_FINDING_COLS, row))
            d["record_ids"] = list(d["record_ids"] or [])
            d["link_ids"] = list(d["link_ids"] or [])
            d["details"] = dict(d["details"] or {})
            rows.append(d)
    return rows
