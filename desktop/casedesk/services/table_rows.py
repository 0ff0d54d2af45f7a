"""Rows for the GUI's tables, navigator and audit log (column selects, never ORM entities).

Audit pages are keyset pages ("before this id") so that an entry written meanwhile never shifts a
page and never shows twice.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.models import KIND_CLASSES, AuditEntry, Party, Record
from casedesk.services.fields import KIND_FIELDS
from casedesk.services.screening.status import STATUS_TEXT, screening_status

_CHUNK = 900


def kind_counts(session: Session, case_id: int) -> dict[str, int]:
    """How many records of each kind a case has (every kind present, zero when none)."""
    counts = {k: 0 for k in KIND_CLASSES}
    counts.update({k: n for k, n in session.execute(
        select(Record.kind, func.count()).where(Record.case_id == case_id).group_by(Record.kind))})
    return counts


SCREENED_KINDS = ("party", "wallet")  # the kinds screening matches against lists


def table_columns(kind: str) -> list[str]:
    """The field names a record table shows for a kind (after id and label); "screening" for screened kinds."""
    screening = ["screening"] if kind in SCREENED_KINDS else []
    return screening + ["tags"] + [f.name for f in KIND_FIELDS[kind] if f.type != "longtext"]


def record_ids(session: Session, case_id: int, kind: str) -> list[int]:
    """Every record id of one kind of a case, ascending."""
    return list(session.scalars(select(Record.id).where(Record.case_id == case_id, Record.kind == kind)
                                .order_by(Record.id)))


def record_rows(session: Session, case_id: int, kind: str, *, after_id: int | None = None,
                upto_id: int | None = None, ids: Collection[int] | None = None,
                limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of one kind in id order: {id, label, version, subkind, fields}; by page or by ids."""
    cls = KIND_CLASSES[kind]
    names = [n for n in table_columns(kind) if n != "screening"]
    cols = [Record.id, Record.label, Record.version] + [getattr(cls, n) for n in names]
    query = select(*cols).select_from(cls).where(Record.case_id == case_id)
    out: list[dict[str, Any]] = []
    screened = kind in SCREENED_KINDS

    def convert(rows: Any) -> None:
        rows = list(rows)
        status = screening_status(session, case_id, [r[0] for r in rows]) if screened and rows else {}
        for row in rows:
            fields = dict(zip(names, row[3:]))
            if screened:
                fields["screening"] = STATUS_TEXT.get(status.get(row[0], ""), "")
            out.append({"id": row[0], "label": row[1], "version": row[2],
                        "subkind": fields.get("party_kind"), "fields": fields})

    if ids is not None:
        for start in range(0, len(ids), _CHUNK):
            chunk = sorted(ids)[start:start + _CHUNK]
            convert(session.execute(query.where(Record.id.in_(chunk))))
        out.sort(key=lambda r: r["id"])
        return out
    if after_id is not None:
        query = query.where(Record.id > after_id)
    if upto_id is not None:
        query = query.where(Record.id <= upto_id)
    query = query.order_by(Record.id)
    if limit is not None:
        query = query.limit(limit)
    convert(session.execute(query))
    return out


def navigator_rows(session: Session, case_id: int, kind: str) -> list[tuple[int, str, str | None]]:
    """(id, label, party kind) of every record of one kind of a case (unordered: callers sort)."""
    query = (select(Record.id, Record.label, Party.__table__.c.party_kind)
             .outerjoin(Party.__table__, Party.__table__.c.id == Record.id)
             .where(Record.case_id == case_id, Record.kind == kind))
    return [(r[0], r[1], r[2]) for r in session.execute(query)]


def record_briefs(session: Session, ids: Collection[int]) -> dict[int, tuple[int, str, str, str | None]]:
    """For each existing id: (case_id, kind, label, party kind)."""
    out = {}
    items = sorted(set(ids))
    for start in range(0, len(items), _CHUNK):
        chunk = items[start:start + _CHUNK]
        for r in session.execute(select(Record.id, Record.case_id, Record.kind, Record.label,
                                        Party.__table__.c.party_kind)
                                 .outerjoin(Party.__table__, Party.__table__.c.id == Record.id)
                                 .where(Record.id.in_(chunk))):
            out[r[0]] = (r[1], r[2], r[3], r[4])
    return out


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarise(action: str, entity: str, before: str | None, after: str | None) -> str:
    """One line saying what an audit entry changed, e.g. "label: ‘A’ → ‘B’"."""
    try:
        b = json.loads(before) if before else None
        a = json.loads(after) if after else None
    except ValueError:
        return ""
    if action == "update" and isinstance(b, dict) and isinstance(a, dict):
        keys = [k for k in sorted(set(a) | set(b)) if k not in ("version",) and a.get(k) != b.get(k)]
        return "; ".join(f"{k}: {_short(b.get(k))} → {_short(a.get(k))}" for k in keys[:4]) + \
            (f"; +{len(keys) - 4} more" if len(keys) > 4 else "")
    subject = a if isinstance(a, dict) else b if isinstance(b, dict) else {}
    for key in ("label", "title", "link_type", "reason"):
        if key in subject and subject[key] not in (None, ""):
            extra = f" ({subject['count']})" if "count" in subject else ""
            return _short(subject[key], 80) + extra
    return ""


def audit_rows(session: Session, case_id: int, *, before_id: int | None = None, after_id: int | None = None,
               limit: int = 200) -> list[dict[str, Any]]:
    """A case's audit entries, newest first: before_id pages back, after_id fetches what is new."""
    query = select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity,
                   AuditEntry.entity_id, AuditEntry.record_id, AuditEntry.before, AuditEntry.after) \
        .where(AuditEntry.case_id == case_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if after_id is not None:
        query = query.where(AuditEntry.id > after_id)
    rows = session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
    return [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "entity": r.entity,
             "entity_id": r.entity_id, "record_id": r.record_id,
             "summary": summarise(r.action, r.entity, r.before, r.after)} for r in rows]


def link_rows(session: Session, case_id: int, *, ids: Collection[int] | None = None) -> list[dict[str, Any]]:
    """A case's links in id order for the Links table: {id, type, version, source/target id, kind, label, fields}."""
    from sqlalchemy.orm import aliased

    from casedesk.domain.models import Link
    from casedesk.services.fields import LINK_FIELDS

    src, dst = aliased(Record.__table__), aliased(Record.__table__)
    names = [f.name for f in LINK_FIELDS]
    lk = Link.__table__.c
    query = (select(lk.id, lk.link_type, lk.version, lk.source_id, src.c.kind, src.c.label, lk.target_id,
                    dst.c.kind, dst.c.label, *[lk[n] for n in names])
             .join(src, src.c.id == lk.source_id).join(dst, dst.c.id == lk.target_id)
             .where(lk.case_id == case_id))
    out: list[dict[str, Any]] = []

    def convert(rows: Any) -> None:
        for r in rows:
            out.append({"id": r[0], "type": r[1], "version": r[2], "source_id": r[3], "source_kind": r[4],
                        "source_label": r[5], "target_id": r[6], "target_kind": r[7], "target_label": r[8],
                        "fields": dict(zip(names, r[9:]))})

    if ids is None:
        convert(session.execute(query.order_by(lk.id)))
        return out
    items = sorted(set(ids))
    for start in range(0, len(items), _CHUNK):
        convert(session.execute(query.where(lk.id.in_(items[start:start + _CHUNK]))))
    out.sort(key=lambda r: r["id"])
    return out
