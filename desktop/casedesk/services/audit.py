"""The append-only, hash-chained audit log: append in the caller's transaction, walk to verify.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON of the entry
(who, when, action, object, before, after), so changing any stored byte breaks the chain from
that entry on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.models import AuditEntry
from casedesk.storage.bulkinsert import insert_tuples
from casedesk.storage.workspace import OWN_AUDIT_FROM, actor_of

GENESIS = "0" * 64
_HEAD_KEY = "audit_head"


# json.dumps builds a new encoder on every call; bulk imports hash millions of entries, so the
# C encoder is made once (same settings, same output; circular data is not audited).
_C_ENCODER = (c_make_encoder(None, str, encode_basestring, None, ":", ",", True, False, True)
              if c_make_encoder is not None else None)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, Unicode kept, non-JSON values as strings."""
    if _C_ENCODER is not None:
        return "".join(_C_ENCODER(value, 0))
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The chain hash of an entry given the previous hash and the entry's own fields."""
    body = canonical_json(
        {k: fields.get(k) for k in ("at", "actor", "action", "entity", "entity_id",
                                     "case_id", "record_id", "before", "after")}
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode("utf-8", "surrogatepass")).hexdigest()


def _head(session: Session) -> str:
    head = session.info.get(_HEAD_KEY)
    if head is None:
        # Flush first: entries added earlier in this transaction must be counted.
        session.flush()
        head = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
        head = head or GENESIS
    return head


def _fields(session: Session, action: str, entity: str, entity_id: int | None,
            case_id: int | None, record_id: int | None, before: Any, after: Any,
            at: str | None = None) -> dict[str, Any]:
    return {
        "at": at or now_iso(),
        "actor": actor_of(session),
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "case_id": case_id,
        "record_id": record_id,
        "before": None if before is None else canonical_json(before),
        "after": None if after is None else canonical_json(after),
    }


def record_audit(session: Session, action: str, entity: str, entity_id: int | None, *,
                 case_id: int | None = None, record_id: int | None = None,
                 before: Any = None, after: Any = None) -> AuditEntry:
    """Append one audit entry to the chain inside the caller's transaction."""
    fields = _fields(session, action, entity, entity_id, case_id, record_id, before, after)
    prev = _head(session)
    fields["prev_hash"] = prev
    fields["hash"] = entry_hash(prev, fields)
    entry = AuditEntry(**fields)
    session.add(entry)
    # Flush now so entry ids follow chain order even when other inserts interleave.
    session.flush()
    session.info[_HEAD_KEY] = fields["hash"]
    session.info.setdefault(OWN_AUDIT_FROM, entry.id)
    return entry


_AUDIT_COLUMNS = ["at", "actor", "action", "entity", "entity_id", "case_id", "record_id", "before",
                  "after", "prev_hash", "hash"]


def entry_body(at: str, actor: str, action: str, entity: str, entity_id: Any, case_id: Any,
               record_id: Any, before: str | None, after: str | None) -> str:
    """The canonical JSON entry_hash hashes, written directly for the usual types.

    Equal to canonical_json of the entry's fields (a property test checks it); bulk imports hash
    millions of entries and building the string is several times cheaper than encoding a dict.
    """
    if not (type(at) is str and type(actor) is str and type(action) is str
            and type(entity) is str and _plain_ids(entity_id, case_id, record_id)):
        return canonical_json({"at": at, "actor": actor, "action": action, "entity": entity,
                               "entity_id": entity_id, "case_id": case_id, "record_id": record_id,
                               "before": before, "after": after})
    return _assemble_body(_body_frame(at, actor, action, entity), entity_id, case_id, record_id,
                          before, after)


def _plain_ids(entity_id: Any, case_id: Any, record_id: Any) -> bool:
    """True when each id is None or an int (a bool is not): they are written out as they are."""
    return ((entity_id is None or type(entity_id) is int) and (case_id is None or type(case_id) is int)
            and (record_id is None or type(record_id) is int))


def _body_frame(at: str, actor: str, action: str, entity: str) -> tuple[str, str, str]:
    """The quoted parts of an entry body that entries of one action on one entity share."""
    q = encode_basestring
    return (f'{{"action":{q(action)},"actor":{q(actor)},"after":', f',"at":{q(at)},"before":',
            f',"entity":{q(entity)},"entity_id":')


def _assemble_body(frame: tuple[str, str, str], entity_id: int | None, case_id: int | None,
                   record_id: int | None, before: str | None, after: str | None) -> str:
    """entry_body in its key order, from a _body_frame and the entry's own values."""
    q = encode_basestring
    return (f'{frame[0]}{"null" if after is None else q(after)}{frame[1]}'
            f'{"null" if before is None else q(before)},"case_id":'
            f'{"null" if case_id is None else case_id}{frame[2]}'
            f'{"null" if entity_id is None else entity_id},'
            f'"record_id":{"null" if record_id is None else record_id}}}')


def record_audit_bulk(session: Session, items: Iterable[tuple[str, str, int | None, int | None,
                                                            int | None, Any, Any]],
                      *, at: str | None = None) -> int:
    """Append many entries (action, entity, entity_id, case_id, record_id, before, after) fast.

    Used by bulk imports: hashes are chained in Python and rows go in through the bulk path.
    at is the entries' time (the current time when not given).
    """
    prev = _head(session)
    at = at or now_iso()
    actor = actor_of(session)
    rows = []
    sha = hashlib.sha256
    # The quoted parts entries share are made once per (action, entity), not once per entry.
    frames: dict[tuple[str, str], tuple[str, str, str]] = {}
    plain_batch = type(at) is str and type(actor) is str
    for action, entity, entity_id, case_id, record_id, before, after in items:
        before_json = None if before is None else canonical_json(before)
        after_json = None if after is None else canonical_json(after)
        if (plain_batch and type(action) is str and type(entity) is str
                and _plain_ids(entity_id, case_id, record_id)):
            frame = frames.get((action, entity))
            if frame is None:
                frame = frames[(action, entity)] = _body_frame(at, actor, action, entity)
            body = _assemble_body(frame, entity_id, case_id, record_id, before_json, after_json)
        else:
            body = entry_body(at, actor, action, entity, entity_id, case_id, record_id,
                              before_json, after_json)
        digest = sha(f"{prev}\n{body}".encode("utf-8", "surrogatepass")).hexdigest()
        rows.append((action, entity, entity_id, case_id, record_id, before_json, after_json, prev,
                     digest))
        prev = digest
    if OWN_AUDIT_FROM not in session.info and rows:
        # writers are serialised, so this transaction's entries follow the newest one there is
        last = session.scalar(select(func.max(AuditEntry.id))) or 0
        session.info[OWN_AUDIT_FROM] = last + 1
    insert_tuples(session, AuditEntry.__table__, _AUDIT_COLUMNS[2:], rows, {"at": at, "actor": actor},
                  hoist=("action", "entity", "case_id", "before"))
    session.info[_HEAD_KEY] = prev
    return len(rows)


@dataclass(frozen=True)
class ChainProblem:
    """A break in the audit chain at one entry."""

    entry_id: int
    reason: str


def walk_chain(session: Session, batch: int = 20000) -> Iterator[ChainProblem]:
    """Re-compute every entry's hash in order and yield each problem found."""
    prev = GENESIS
    last_id = 0
    cols = (AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity,
            AuditEntry.entity_id, AuditEntry.case_id, AuditEntry.record_id, AuditEntry.before,
            AuditEntry.after, AuditEntry.prev_hash, AuditEntry.hash)
    while True:
        rows = session.execute(
            select(*cols).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            fields = row._asdict()
            if fields["prev_hash"] != prev:
                yield ChainProblem(row.id, "previous-hash link does not match the entry before it")
            expected = entry_hash(fields["prev_hash"], fields)
            if expected != fields["hash"]:
                yield ChainProblem(row.id, "content does not match its hash (entry was altered)")
            prev = fields["hash"]
            last_id = row.id


def chain_head(session: Session) -> tuple[int, str]:
    """The id and hash of the newest audit entry ((0, genesis) for an empty log)."""
    row = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (row.id, row.hash) if row else (0, GENESIS)


# Entries that record a case being written out, not a change to it: a dossier anchors on the
# newest entry that is not one of these, so exporting twice gives the same dossier twice.
OUTPUT_ACTIONS = ("export",)


def content_head(session: Session) -> tuple[int, str]:
    """The id and hash of the newest entry that changed something ((0, genesis) when none did)."""
    row = session.execute(
        select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.action.not_in(OUTPUT_ACTIONS))
        .order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (row.id, row.hash) if row else (0, GENESIS)
