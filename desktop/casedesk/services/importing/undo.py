"""Undo an import batch: remove what it created and put merged records back, in one audited transaction.

What a batch did is read from the audit log, which names the batch in every entry the import
wrote (records and links created, merged records updated, citations of records already there,
contract parties). The undo refuses, naming the object, when anything made after the import
depends on what it would remove: a record or link edited since, a link, citation, event or
contract party added to an imported record by somebody else. Screening hits of imported records
go with them (they are derived and re-made by the next screening run).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import (
    Address,
    Alias,
    AuditEntry,
    Blob,
    Citation,
    ContractParty,
    Event,
    Evidence,
    Identifier,
    ImportBatch,
    Link,
    Record,
)
from casedesk.services.audit import record_audit, record_audit_bulk
from casedesk.services.in_lists import in_chunks
from casedesk.services.records import get_record
from casedesk.services.snapshot import record_fields, record_snapshot
from casedesk.storage.workspace import changes_of


@dataclass(frozen=True)
class UndoneImport:
    """What undoing a batch removed and restored."""

    batch_id: int
    case_id: int
    filename: str
    records: int
    links: int
    citations: int
    restored: int  # records the import had merged into, put back as they were

    def as_json(self) -> dict[str, Any]:
        """Plain data for the CLI and the audit entry."""
        return {"batch_id": self.batch_id, "filename": self.filename, "records_removed": self.records,
                "links_removed": self.links, "citations_removed": self.citations,
                "records_restored": self.restored}


@dataclass
class _BatchWork:
    """The batch's audit entries, sorted by what they did."""

    created_records: dict[int, dict[str, Any]]  # id -> the creation entry's "after"
    created_links: dict[int, dict[str, Any]]
    created_parties: set[int]  # contract_party ids
    updated: dict[int, tuple[dict[str, Any], int]]  # record id -> (state before the batch, version after)
    last_entry: int  # the batch's own audit entry: what follows came later


def _batch_work(session: Session, batch: ImportBatch) -> _BatchWork:
    """Read the entries the import wrote: from its evidence's creation to the batch's own entry."""
    first = session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "create", AuditEntry.entity == "evidence",
        AuditEntry.entity_id == batch.evidence_id))
    last = session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "create", AuditEntry.entity == "import_batch",
        AuditEntry.entity_id == batch.id))
    if first is None or last is None:
        raise NotFoundError(f"import batch {batch.id} has no complete audit trail; it cannot be undone")
    work = _BatchWork({}, {}, set(), {}, last)
    needle = f'"import_batch":{batch.id}'  # canonical JSON has no spaces
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.before,
               AuditEntry.after)
        .where(AuditEntry.id.between(first, last), AuditEntry.case_id == batch.case_id)
        .order_by(AuditEntry.id))
    for action, entity, entity_id, before, after in rows:
        if after is None or needle not in after:
            continue  # cheap filter first: most entries of a big import are parsed only once
        data = json.loads(after)
        if data.get("import_batch") != batch.id:
            continue
        if action == "create" and entity == "record":
            work.created_records[entity_id] = data
        elif action == "create" and entity == "link":
            work.created_links[entity_id] = data
        elif action == "create" and entity == "contract_party":
            work.created_parties.add(entity_id)
        elif action == "update" and entity == "record":
            prior = work.updated.get(entity_id)
            start = prior[0] if prior else json.loads(before or "{}")
            work.updated[entity_id] = (start, int(data.get("version") or 0))
    return work


def _refuse(batch: ImportBatch, what: str) -> ValidationError:
    # Not a ConflictError: nothing to reload, the user has to take the later change back first.
    return ValidationError(f"import batch {batch.id} ({batch.filename})",
                           f"cannot be undone: {what} after the import; undo or remove that change first")


def _check_untouched(session: Session, batch: ImportBatch, work: _BatchWork) -> set[int]:
    """Refuse when later work depends on the batch; returns the created records still there."""
    created = set(work.created_records)
    alive: set[int] = set()
    for chunk in in_chunks(created | set(work.updated)):
        for rid, label, version in session.execute(
                select(Record.id, Record.label, Record.version).where(Record.id.in_(chunk))):
            expected = work.updated[rid][1] if rid in work.updated else 1
            if version != expected:
                raise _refuse(batch, f"record #{rid} ({label}) was edited")
            if rid in created:
                alive.add(rid)
    links = set(work.created_links)
    for chunk in in_chunks(alive):
        for lid, ltype, version in session.execute(
                select(Link.id, Link.link_type, Link.version).where(
                    or_(Link.source_id.in_(chunk), Link.target_id.in_(chunk)))):
            if lid not in links:
                raise _refuse(batch, f"link #{lid} ({ltype}) to an imported record was added")
        other = session.execute(select(Citation.id, Citation.record_id).where(
            Citation.record_id.in_(chunk), Citation.evidence_id != batch.evidence_id)).first()
        if other is not None:
            raise _refuse(batch, f"evidence was cited for imported record #{other.record_id}")
        event = session.execute(select(Event.id, Event.title).where(Event.record_id.in_(chunk))).first()
        if event is not None:
            raise _refuse(batch, f"event “{event.title}” was added to an imported record")
        party = session.execute(select(ContractParty.id, ContractParty.contract_id).where(
            or_(ContractParty.party_id.in_(chunk), ContractParty.contract_id.in_(chunk)),
            ContractParty.id.not_in(work.created_parties or {0}))).first()
        if party is not None:
            raise _refuse(batch, f"a party of contract #{party.contract_id} was added")
    for (after,) in session.execute(select(AuditEntry.after).where(
            AuditEntry.id > work.last_entry, AuditEntry.case_id == batch.case_id,
            AuditEntry.entity == "citation", AuditEntry.action == "create")):
        data = json.loads(after or "{}")
        if data.get("evidence_id") == batch.evidence_id:
            what = f"record #{data['record_id']}" if data.get("record_id") else f"link #{data.get('link_id')}"
            raise _refuse(batch, f"the imported file was cited for {what}")
    for chunk in in_chunks(links):
        for lid, ltype, version in session.execute(
                select(Link.id, Link.link_type, Link.version).where(Link.id.in_(chunk))):
            if version != 1:
                raise _refuse(batch, f"link #{lid} ({ltype}) was edited")
        other = session.execute(select(Citation.id, Citation.link_id).where(
            Citation.link_id.in_(chunk), Citation.evidence_id != batch.evidence_id)).first()
        if other is not None:
            raise _refuse(batch, f"evidence was cited for imported link #{other.link_id}")
    return alive


def _restore(session: Session, record_id: int, before: dict[str, Any], batch_id: int) -> None:
    """Put a record the import merged into back as it was before the import (audited)."""
    record = get_record(session, record_id)
    current = record_snapshot(record)
    for name in record_fields(record):
        if name in before:
            setattr(record, name, before[name])
    record.aliases[:] = [Alias(name=a["name"], script=a.get("script") or "",
                               language=a.get("language") or "", alias_kind=a.get("kind") or "aka")
                         for a in before.get("aliases", [])]
    record.identifiers[:] = [Identifier(scheme=i["scheme"], value=i["value"], status=i.get("status") or
                                        "unchecked", country=i.get("country"))
                             for i in before.get("identifiers", [])]
    record.addresses[:] = [Address(full=a["full"], city=a.get("city") or "", country=a.get("country"))
                           for a in before.get("addresses", [])]
    record.updated_at = now_iso()
    session.flush()
    record_audit(session, "update", "record", record.id, case_id=record.case_id, record_id=record.id,
                 before=current, after={**record_snapshot(record), "undo_import": batch_id})
    changes_of(session).add("updated", "record", record.id)


def _missing_batch(session: Session, batch_id: int) -> NotFoundError:
    """Why batch `batch_id` is gone: undone (when, by whom, from the audit log) or never imported."""
    undone = session.execute(select(AuditEntry.at, AuditEntry.actor, AuditEntry.before).where(
        AuditEntry.action == "undo", AuditEntry.entity == "import_batch",
        AuditEntry.entity_id == batch_id).limit(1)).first()
    if undone is not None:
        name = json.loads(undone.before or "{}").get("filename") or "?"
        return NotFoundError(f"import batch {batch_id} ({name}) was already undone "
                             f"on {undone.at[:19]} by {undone.actor or 'unknown'}")
    return NotFoundError(f"no import batch {batch_id} (never imported)")


def batch_to_undo(session: Session, case_id: int, batch_id: int | None) -> int:
    """The batch `import undo` takes back: `batch_id` checked against the case, or the case's newest.

    Raises NotFoundError naming why: never imported, already undone (when and by whom, from the
    audit log), imported into another case, or the case has no import left to undo.
    """
    if batch_id is None:
        newest = session.scalar(select(ImportBatch.id).where(ImportBatch.case_id == case_id)
                                .order_by(ImportBatch.id.desc()).limit(1))
        if newest is None:
            raise NotFoundError(f"case {case_id} has no import left to undo")
        return newest
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise _missing_batch(session, batch_id)
    if batch.case_id != case_id:
        raise NotFoundError(f"import batch {batch_id} ({batch.filename}) belongs to case {batch.case_id}, "
                            f"not case {case_id}")
    return batch_id


def undo_import(session: Session, batch_id: int) -> UndoneImport:
    """Remove everything import batch `batch_id` added and restore what it merged into (one transaction).

    Raises NotFoundError for an unknown (or already undone) batch and ValidationError, naming the
    object, when later changes depend on what the import added.
    """
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise _missing_batch(session, batch_id)
    work = _batch_work(session, batch)
    alive = _check_untouched(session, batch, work)
    case_id, evidence_id = batch.case_id, batch.evidence_id
    changes = changes_of(session)
    citations = list(session.scalars(select(Citation.id).where(Citation.evidence_id == evidence_id)))
    session.execute(delete(Citation).where(Citation.evidence_id == evidence_id))
    changes.deleted.setdefault("citation", set()).update(citations)
    if work.created_parties:
        for chunk in in_chunks(work.created_parties):
            session.execute(delete(ContractParty).where(ContractParty.id.in_(chunk)))
    links = [lid for chunk in in_chunks(work.created_links)
             for lid in session.scalars(select(Link.id).where(Link.id.in_(chunk)))]
    for chunk in in_chunks(links):
        session.execute(delete(Link).where(Link.id.in_(chunk)))
    for chunk in in_chunks(alive):
        # the kind tables, names, places and hits go with the record (ON DELETE CASCADE)
        session.execute(delete(Record).where(Record.id.in_(chunk)))
    changes.deleted.setdefault("link", set()).update(links)
    changes.deleted.setdefault("record", set()).update(alive)
    now = now_iso()
    record_audit_bulk(session, [
        *(("delete", "link", lid, case_id, None, {**work.created_links[lid], "undo_import": batch_id}, None)
          for lid in links),
        *(("delete", "record", rid, case_id, rid, {**work.created_records[rid], "undo_import": batch_id},
           None) for rid in sorted(alive)),
    ], at=now)
    restored = 0
    for rid, (before, _version) in work.updated.items():
        if rid not in work.created_records and session.get(Record, rid) is not None:
            _restore(session, rid, before, batch_id)
            restored += 1
    result = UndoneImport(batch_id, case_id, batch.filename, len(alive), len(links), len(citations),
                          restored)
    evidence = session.get(Evidence, evidence_id)
    sha256 = evidence.sha256 if evidence is not None else None
    batch_before = {"filename": batch.filename, "sha256": batch.sha256, "evidence_id": evidence_id,
                    "counts": batch.counts}
    session.delete(batch)
    session.flush()
    if evidence is not None:
        record_audit(session, "delete", "evidence", evidence_id, case_id=case_id,
                     before={"title": evidence.title, "sha256": evidence.sha256,
                             "filename": evidence.filename, "undo_import": batch_id})
        session.delete(evidence)
        session.flush()
        changes.add("deleted", "evidence", evidence_id)
        if sha256 and session.scalar(select(Evidence.id).where(Evidence.sha256 == sha256).limit(1)) is None:
            session.execute(delete(Blob).where(Blob.sha256 == sha256))  # nothing else holds these bytes
    record_audit(session, "undo", "import_batch", batch_id, case_id=case_id, before=batch_before,
                 after=result.as_json())
    changes.add("deleted", "import_batch", batch_id)
    return result
