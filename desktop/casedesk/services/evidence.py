"""Evidence: content-addressed blobs (stored once), graded sources, citations and events."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import Blob, Citation, Event, Evidence
from casedesk.services.audit import record_audit
from casedesk.services.cases import get_case
from casedesk.services.records import get_record
from casedesk.storage.workspace import changes_of

RELIABILITY = "ABCDEF"
CREDIBILITY = "123456"


def parse_grade(grade: str) -> tuple[str, str]:
    """Split an Admiralty grade like 'B2' into (reliability, credibility)."""
    text = (grade or "").strip().upper()
    if len(text) != 2 or text[0] not in RELIABILITY or text[1] not in CREDIBILITY:
        raise ValidationError("grade", f"{grade!r} is not an Admiralty grade: source A–F then information 1–6, e.g. B2")
    return text[0], text[1]


def store_blob(session: Session, content: bytes) -> str:
    """Store bytes once under their SHA-256; return the hash."""
    digest = hashlib.sha256(content).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(Blob(sha256=digest, size=len(content), content=content))
        session.flush()
    return digest


def attach_evidence(session: Session, case_id: int, content: bytes, *, title: str,
                    grade: str = "F6", kind: str = "file", source: str = "", author: str = "",
                    source_date: str | None = None, filename: str = "",
                    media_type: str | None = None) -> Evidence:
    """Store content as graded evidence of a case; the same bytes are kept once."""
    get_case(session, case_id)
    if not title or not title.strip():
        raise ValidationError("title", "evidence needs a title")
    reliability, credibility = parse_grade(grade)
    date = str(parse_partial_date(source_date)) if source_date else None
    digest = store_blob(session, content)
    media = media_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    ev = Evidence(case_id=case_id, sha256=digest, title=title, evidence_kind=kind, source=source,
                  author=author, source_date=date, filename=filename, media_type=media,
                  reliability=reliability, credibility=credibility, created_at=now_iso())
    session.add(ev)
    session.flush()
    record_audit(session, "create", "evidence", ev.id, case_id=case_id,
                 after={"title": title, "sha256": digest, "size": len(content), "grade": grade,
                        "source": source, "filename": filename})
    changes_of(session).add("created", "evidence", ev.id)
    return ev


def attach_file(session: Session, case_id: int, path: Path, *, grade: str = "F6",
                title: str | None = None, source: str = "") -> Evidence:
    """Read a file and attach it as evidence."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ValidationError("file", f"cannot read {path}: {exc.strerror}") from None
    return attach_evidence(session, case_id, content, title=title or path.name, grade=grade,
                           source=source or str(path), filename=path.name)


def get_evidence(session: Session, evidence_id: int) -> Evidence:
    """The evidence with this id, or NotFoundError."""
    ev = session.get(Evidence, evidence_id)
    if ev is None:
        raise NotFoundError(f"no evidence with id {evidence_id}")
    return ev


def blob_content(session: Session, sha256: str) -> bytes:
    """The stored bytes of a blob."""
    content = session.scalar(select(Blob.content).where(Blob.sha256 == sha256))
    if content is None:
        raise NotFoundError(f"no stored content with SHA-256 {sha256}")
    return content


def cite(session: Session, evidence_id: int, *, record_id: int | None = None,
         link_id: int | None = None, locator: str = "", claim: str = "") -> Citation:
    """Cite evidence for one record or one link, with a locator (page, row, quote)."""
    if (record_id is None) == (link_id is None):
        raise ValidationError("citation", "a citation is for exactly one record or one link")
    ev = get_evidence(session, evidence_id)
    if record_id is not None:
        case_id = get_record(session, record_id).case_id
    else:
        from casedesk.services.links import get_link

        case_id = get_link(session, link_id).case_id
    if case_id != ev.case_id:
        raise ValidationError("citation", "evidence and subject belong to different cases")
    c = Citation(evidence_id=evidence_id, record_id=record_id, link_id=link_id, locator=locator,
                 claim=claim)
    session.add(c)
    session.flush()
    record_audit(session, "create", "citation", c.id, case_id=case_id, record_id=record_id,
                 after={"evidence_id": evidence_id, "record_id": record_id, "link_id": link_id,
                        "locator": locator, "claim": claim})
    changes_of(session).add("created", "citation", c.id)
    return c


def add_event(session: Session, case_id: int, title: str, on: str, *, record_id: int | None = None,
              until: str | None = None, description: str = "") -> Event:
    """Add a dated event (date keeps its precision) to a case, optionally tied to a record."""
    get_case(session, case_id)
    if not title or not title.strip():
        raise ValidationError("title", "an event needs a title")
    start = parse_partial_date(on)
    end = parse_partial_date(until) if until else None
    if end is not None and end.last_day() < start.first_day():
        raise ValidationError("until", "the event ends before it starts")
    if record_id is not None and get_record(session, record_id).case_id != case_id:
        raise ValidationError("record", "the record belongs to another case")
    ev = Event(case_id=case_id, record_id=record_id, title=title, on=str(start),
               until=str(end) if end else None, description=description, created_at=now_iso())
    session.add(ev)
    session.flush()
    record_audit(session, "create", "event", ev.id, case_id=case_id, record_id=record_id,
                 after={"title": title, "on": ev.on, "until": ev.until, "description": description})
    changes_of(session).add("created", "event", ev.id)
    return ev
