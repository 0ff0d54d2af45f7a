"""Cases: create, list with totals, rename, delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import Case, Link, Record
from casedesk.services.audit import record_audit
from casedesk.storage.workspace import actor_of, changes_of


@dataclass(frozen=True)
class CaseSummary:
    """A case with its record and link counts."""

    id: int
    title: str
    records: int
    links: int
    created_at: str


def create_case(session: Session, title: str, description: str = "", *,
                properties: dict[str, Any] | None = None) -> Case:
    """Create a case; the title must not be blank; properties (reference, client, marking) are checked."""
    from casedesk.services.case_properties import clean_properties

    if not isinstance(title, str) or not title.strip():
        raise ValidationError("title", "a case needs a title")
    props = clean_properties(properties)
    now = now_iso()
    case = Case(title=title, description=description, created_at=now, updated_at=now,
                created_by=actor_of(session), properties=props)
    session.add(case)
    session.flush()
    record_audit(session, "create", "case", case.id, case_id=case.id,
                 after={"title": title, "description": description, **({"properties": props} if props else {})})
    changes_of(session).add("created", "case", case.id)
    return case


def get_case(session: Session, case_id: int) -> Case:
    """The case with this id, or NotFoundError."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"no case with id {case_id}")
    return case


def list_cases(session: Session) -> list[CaseSummary]:
    """Every case with its totals, oldest first."""
    rec = select(Record.case_id, func.count().label("n")).group_by(Record.case_id).subquery()
    lnk = select(Link.case_id, func.count().label("n")).group_by(Link.case_id).subquery()
    rows = session.execute(
        select(Case.id, Case.title, Case.created_at,
               func.coalesce(rec.c.n, 0), func.coalesce(lnk.c.n, 0))
        .outerjoin(rec, rec.c.case_id == Case.id)
        .outerjoin(lnk, lnk.c.case_id == Case.id)
        .order_by(Case.id)
    ).all()
    return [CaseSummary(r[0], r[1], r[3], r[4], r[2]) for r in rows]


def rename_case(session: Session, case_id: int, title: str) -> Case:
    """Give a case a new title."""
    case = get_case(session, case_id)
    if not title.strip():
        raise ValidationError("title", "a case needs a title")
    before = case.title
    case.title, case.updated_at = title, now_iso()
    record_audit(session, "update", "case", case.id, case_id=case.id,
                 before={"title": before}, after={"title": title})
    changes_of(session).add("updated", "case", case.id)
    return case


def delete_case(session: Session, case_id: int) -> None:
    """Delete a case with everything in it (the audit log keeps the history)."""
    case = get_case(session, case_id)
    record_audit(session, "delete", "case", case.id, case_id=case.id, before={"title": case.title})
    session.delete(case)
    changes_of(session).add("deleted", "case", case_id)
