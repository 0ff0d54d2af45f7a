"""Undo support: capture everything a delete or merge removes, and put it back through audited writes.

A capture is plain data (column values), taken in the same transaction as the delete or merge it
precedes. Restoring re-creates rows under their old ids when those are still free, so later
undo steps that name them keep working, and gives records and links back their old version so
optimistic locking still recognises the state the user saw. Rows that still exist (a link a
merge moved to the kept record) are moved back instead of duplicated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError
from casedesk.domain.models import (
    KIND_CLASSES,
    Address,
    Alias,
    ChartPosition,
    Citation,
    ContractParty,
    Event,
    Evidence,
    Finding,
    Identifier,
    Link,
    Record,
)
from casedesk.domain.watchlists import DuplicateDecision, ScreeningHit, Watchlist, WatchlistEntry
from casedesk.services.audit import record_audit
from casedesk.services.links import get_link
from casedesk.services.records import delete_record, get_record, merge_records
from casedesk.services.snapshot import column_values, link_snapshot, record_snapshot
from casedesk.storage.workspace import changes_of

_CHILDREN = (("aliases", Alias), ("identifiers", Identifier), ("addresses", Address))


def _rows(session: Session, model: Any, *where: Any) -> list[dict[str, Any]]:
    return [column_values(obj) for obj in session.scalars(select(model).where(*where).order_by(model.id))]


def capture_record(session: Session, record_id: int) -> dict[str, Any]:
    """Everything deleting a record would remove: fields, names, links, citations, events, places."""
    record = get_record(session, record_id)
    link_rows = _rows(session, Link, (Link.source_id == record_id) | (Link.target_id == record_id))
    link_ids = [r["id"] for r in link_rows]
    cites = _rows(session, Citation, Citation.record_id == record_id)
    if link_ids:
        cites += _rows(session, Citation, Citation.link_id.in_(link_ids))
    cap: dict[str, Any] = {
        "record": column_values(record),
        "links": link_rows,
        "citations": cites,
        "events": _rows(session, Event, Event.record_id == record_id),
        "memberships": _rows(session, ContractParty, ContractParty.party_id == record_id),
        "parties": _rows(session, ContractParty, ContractParty.contract_id == record_id),
        "positions": [{"case_id": p.case_id, "x": p.x, "y": p.y} for p in session.scalars(
            select(ChartPosition).where(ChartPosition.record_id == record_id))],
        "findings": [{"id": f.id, "record_ids": list(f.record_ids or []), "subject_key": f.subject_key}
                     for f in session.scalars(select(Finding).where(Finding.case_id == record.case_id))
                     if record_id in (f.record_ids or [])],
        "hits": _rows(session, ScreeningHit, ScreeningHit.record_id == record_id),
        "duplicate_decisions": _rows(session, DuplicateDecision, (DuplicateDecision.record_a == record_id)
                                     | (DuplicateDecision.record_b == record_id)),
    }
    for name, _model in _CHILDREN:
        cap[name] = [column_values(c) for c in getattr(record, name)]
    return cap


def capture_link(session: Session, link_id: int) -> dict[str, Any]:
    """Everything deleting a link would remove: its columns and its citations."""
    link = get_link(session, link_id)
    return {"link": column_values(link), "citations": _rows(session, Citation, Citation.link_id == link_id)}


def _free(session: Session, model: Any, row_id: int | None) -> bool:
    return row_id is not None and session.get(model, row_id) is None


def _set_version(session: Session, table: Any, row_id: int, version: int) -> None:
    # The ORM always inserts version 1; put the captured version back with a plain UPDATE.
    session.execute(update(table).where(table.c.id == row_id).values(version=version)
                    .execution_options(synchronize_session=False))


def _ensure(session: Session, model: Any, values: dict[str, Any], refs: dict[str, int]) -> Any:
    """Put a captured row back: move it (same id, still there) or re-create it; None if impossible."""
    values = {**values, **refs}
    existing = session.get(model, values["id"]) if values.get("id") is not None else None
    if existing is not None:
        for name, value in refs.items():
            setattr(existing, name, value)
        return existing
    row = model(**values)
    session.add(row)
    return row


def restore_record(session: Session, cap: dict[str, Any], *, moved_to: int | None = None) -> dict[str, Any]:
    """Re-create a captured record with its names, links, citations, events and chart places.

    Returns {"record_id": id, "link_ids": {old: new}}. With moved_to (undoing a merge), rows the
    merge moved to that record are moved back rather than re-created.
    """
    rec = dict(cap["record"])
    case_id = rec["case_id"]
    old_id = rec["id"]
    if not _free(session, Record, old_id):
        rec.pop("id")  # the id was taken meanwhile: come back under a new one (returned)
    version = rec.pop("version", 1)
    record = KIND_CLASSES[rec["kind"]](**rec)
    for name, model in _CHILDREN:
        items = []
        for child in cap.get(name, []):
            values = {k: v for k, v in child.items() if k != "record_id"}
            if not _free(session, model, values.get("id")):
                values.pop("id", None)
            items.append(model(**values))
        setattr(record, name, items)
    session.add(record)
    session.flush()
    new_id = record.id
    _set_version(session, Record.__table__, new_id, version)
    ids = {old_id: new_id}
    changes = changes_of(session)

    def rid(x: int) -> int:
        return ids.get(x, x)

    for party in cap.get("parties", []):
        if session.get(Record, party["party_id"]) is not None:
            _ensure(session, ContractParty, party, {"contract_id": new_id, "party_id": party["party_id"]})
    for member in cap.get("memberships", []):
        if session.get(Record, member["contract_id"]) is not None:
            _ensure(session, ContractParty, member, {"party_id": new_id, "contract_id": member["contract_id"]})
            changes.add("updated", "record", member["contract_id"])
    session.flush()
    link_ids: dict[int, int] = {}
    recreated: list[int] = []
    for link in cap.get("links", []):
        source, target = rid(link["source_id"]), rid(link["target_id"])
        if session.get(Record, source) is None or session.get(Record, target) is None:
            continue  # the other end is gone too: its own restore brings the link back
        existing = session.get(Link, link["id"])
        if existing is not None and moved_to is not None:
            # A plain UPDATE, as the merge moved it: the link's own fields did not change, so
            # its version (what an open inspector holds) stays valid.
            session.execute(update(Link.__table__).where(Link.__table__.c.id == existing.id)
                            .values(source_id=source, target_id=target)
                            .execution_options(synchronize_session=False))
            session.expire(existing)
            link_ids[link["id"]] = existing.id
            changes.add("updated", "link", existing.id)
        elif existing is None:
            link_ids[link["id"]] = new_link = _restore_link_row(session, link, source, target)
            recreated.append(new_link)
    for cite in cap.get("citations", []):
        if session.get(Evidence, cite["evidence_id"]) is None:
            continue
        if cite.get("record_id") is not None:
            refs = {"record_id": new_id, "link_id": None}
        elif cite.get("link_id") in link_ids:
            refs = {"record_id": None, "link_id": link_ids[cite["link_id"]]}
        else:
            continue  # a citation of a link that did not come back (or came back from its other end)
        row = _ensure(session, Citation, cite, refs)
        session.flush()
        changes.add("created", "citation", row.id)
    for event in cap.get("events", []):
        row = _ensure(session, Event, event, {"record_id": new_id})
        session.flush()
        changes.add("created", "event", row.id)
    for place in cap.get("positions", []):
        session.execute(delete(ChartPosition).where(ChartPosition.case_id == place["case_id"],
                                                    ChartPosition.record_id == new_id))
        session.add(ChartPosition(case_id=place["case_id"], record_id=new_id, x=place["x"], y=place["y"]))
    _restore_screening(session, cap, old_id, new_id)
    for finding in cap.get("findings", []):
        f = session.get(Finding, finding["id"])
        if f is not None:
            f.record_ids = [rid(r) for r in finding["record_ids"]]
            if finding.get("subject_key") is not None:
                f.subject_key = finding["subject_key"].replace(f"{old_id}:", f"{new_id}:", 1) \
                    if finding["subject_key"].startswith(f"{old_id}:") else finding["subject_key"]
            changes.add("updated", "finding", f.id)
    session.flush()
    session.expire(record)
    record = get_record(session, new_id)
    record_audit(session, "restore", "record", new_id, case_id=case_id, record_id=new_id,
                 after=record_snapshot(record))
    changes.add("created", "record", new_id)
    for link_id in recreated:
        link = get_link(session, link_id)
        record_audit(session, "restore", "link", link_id, case_id=case_id, after=link_snapshot(link))
        changes.add("created", "link", link_id)
    return {"record_id": new_id, "link_ids": link_ids}


def _restore_screening(session: Session, cap: dict[str, Any], old_id: int, new_id: int) -> None:
    """Put the record's screening hits and duplicate decisions back (moved back after a merge)."""
    changes = changes_of(session)
    for hit in cap.get("hits", []):
        if hit.get("list_id") is not None and session.get(Watchlist, hit["list_id"]) is None:
            hit = {**hit, "list_id": None}
        if hit.get("entry_id") is not None and session.get(WatchlistEntry, hit["entry_id"]) is None:
            hit = {**hit, "entry_id": None}
        existing = session.get(ScreeningHit, hit["id"])
        if existing is not None:  # a merge moved it to the kept record: move it back as it was
            for name, value in hit.items():
                setattr(existing, name, new_id if name == "record_id" else value)
        else:
            session.add(ScreeningHit(**{**hit, "record_id": new_id}))
        session.flush()
        changes.add("created", "screening_hit", hit["id"])
    for d in cap.get("duplicate_decisions", []):
        ends = [new_id if r == old_id else r for r in (d["record_a"], d["record_b"])]
        if any(session.get(Record, r) is None for r in ends):
            continue
        row = session.get(DuplicateDecision, d["id"])
        values = {**d, "record_a": min(ends), "record_b": max(ends)}
        if row is None:
            session.add(DuplicateDecision(**values))
        else:
            row.record_a, row.record_b = values["record_a"], values["record_b"]
    session.flush()


def _restore_hit_decisions(session: Session, hits: list[dict[str, Any]]) -> None:
    """Give the kept record's hits back the decisions they had before a merge combined them."""
    for hit in hits:
        row = session.get(ScreeningHit, hit["id"])
        if row is not None:
            for name in ("status", "reason", "decided_by", "decided_at", "score", "finding_id", "updated_at"):
                setattr(row, name, hit[name])
            changes_of(session).add("updated", "screening_hit", row.id)
    session.flush()


def _restore_link_row(session: Session, values: dict[str, Any], source: int, target: int) -> int:
    values = {**values, "source_id": source, "target_id": target}
    version = values.pop("version", 1)
    if not _free(session, Link, values.get("id")):
        values.pop("id", None)
    link = Link(**values)
    session.add(link)
    session.flush()
    _set_version(session, Link.__table__, link.id, version)
    return link.id


def restore_link(session: Session, cap: dict[str, Any]) -> int:
    """Re-create a captured link (and its citations); both ends must still exist."""
    values = dict(cap["link"])
    for end in ("source_id", "target_id"):
        if session.get(Record, values[end]) is None:
            raise NotFoundError(f"cannot restore the link: record {values[end]} no longer exists")
    link_id = _restore_link_row(session, values, values["source_id"], values["target_id"])
    changes = changes_of(session)
    for cite in cap.get("citations", []):
        if session.get(Evidence, cite["evidence_id"]) is not None:
            row = _ensure(session, Citation, cite, {"link_id": link_id, "record_id": None})
            session.flush()
            changes.add("created", "citation", row.id)
    session.flush()
    link = get_link(session, link_id)
    session.refresh(link)
    record_audit(session, "restore", "link", link_id, case_id=link.case_id, after=link_snapshot(link))
    changes.add("created", "link", link_id)
    return link_id


def delete_records_captured(session: Session, versions: Mapping[int, int]) -> list[dict[str, Any]]:
    """Delete records {id: version the deletion started from}, returning the captures that restore them."""
    caps = []
    for record_id, version in versions.items():
        if session.get(Record, record_id) is None:
            continue  # gone already (with a record deleted before it, say)
        caps.append(capture_record(session, record_id))
        delete_record(session, record_id, expected_version=version)
    return caps


def restore_records(session: Session, caps: list[dict[str, Any]]) -> list[int]:
    """Restore captured records (reverse deletion order, so links between them come back too)."""
    # A link between two deleted records was captured by the one deleted first, so restoring in
    # reverse order brings its other end back before it.
    ids = [restore_record(session, cap)["record_id"] for cap in reversed(caps)]
    return ids[::-1]


def merge_captured(session: Session, keep_id: int, drop_id: int) -> dict[str, Any]:
    """Merge drop into keep (services.records.merge_records) and return what undoing needs."""
    cap = {"keep": capture_record(session, keep_id), "drop": capture_record(session, drop_id)}
    merge_records(session, keep_id, drop_id)
    return cap


def unmerge(session: Session, cap: dict[str, Any]) -> None:
    """Undo a merge: the kept record gets its fields and names back, the dropped one returns whole."""
    keep_cap, drop_cap = cap["keep"], cap["drop"]
    keep = get_record(session, keep_cap["record"]["id"])
    before = record_snapshot(keep)
    for name, value in keep_cap["record"].items():
        if name not in ("id", "case_id", "kind", "version", "created_at", "updated_at"):
            setattr(keep, name, value)
    keep.updated_at = now_iso()
    for name, model in _CHILDREN:
        wanted = {c["id"] for c in keep_cap.get(name, [])}
        items = getattr(keep, name)
        for child in list(items):
            if child.id not in wanted:
                items.remove(child)
    session.flush()
    if not keep_cap.get("positions"):
        session.execute(delete(ChartPosition).where(ChartPosition.record_id == keep.id))
    _restore_hit_decisions(session, keep_cap.get("hits", []))
    restore_record(session, drop_cap, moved_to=keep.id)
    keep = get_record(session, keep.id)
    record_audit(session, "unmerge", "record", keep.id, case_id=keep.case_id, record_id=keep.id,
                 before=before, after={**record_snapshot(keep), "restored": drop_cap["record"]["id"]})
    changes_of(session).add("updated", "record", keep.id)
