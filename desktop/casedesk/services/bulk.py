"""The bulk path: many records and links in one transaction through Core inserts, audit included.

The ORM unit of work manages about 18k rows/s here; Core executemany with ids allocated up front
manages about ten times that, which is what imports and benchmarks need.

Two layers: bulk_create_records / bulk_create_links validate raw input and then insert; the
insert_clean_* functions insert input a caller has already validated with the same rules (the
importer validates row by row, with caches, to name the row and column of every problem).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import ValidationError
from casedesk.domain.models import (
    KIND_CLASSES,
    Address,
    Alias,
    Citation,
    Identifier,
    Link,
    Party,
    Record,
)
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.audit import record_audit_bulk
from casedesk.services.collector import few_gc_passes
from casedesk.services.fields import clean_fields, clean_link_fields
from casedesk.services.records import (
    AliasIn,
    RecordIn,
    check_address,
    check_alias,
    check_identifier,
    prepare_contract,
    prepare_wallet,
)
from casedesk.storage.bulkinsert import insert_tuples, next_ids, search_index_batch
from casedesk.storage.workspace import changes_of

_COMMON = ("label", "notes", "tags", "sensitive")
_LINK_KEYS = ("role", "share_pct", "start_on", "end_on", "grade", "notes", "tx_hash", "value", "asset", "tx_time")


@dataclass
class CleanRecord:
    """A record whose fields, aliases, identifiers and addresses have passed validation."""

    kind: str
    fields: dict[str, Any]
    aliases: Sequence[AliasIn] = ()
    identifiers: Sequence[Identifier] = ()  # unsaved rows from records.check_identifier
    addresses: Sequence[Address] = ()  # unsaved rows from records.check_address


def allocate_ids(session: Session, table: Any, count: int) -> list[int]:
    """Reserve `count` consecutive new primary keys of a table (the caller holds the write lock)."""
    if count == 0:
        return []
    if session.bind.dialect.name == "postgresql":
        seq = f"{table.name}_id_seq"
        rows = session.execute(text(f"SELECT nextval('\"{seq}\"') FROM generate_series(1, :n)"),
                               {"n": count}).scalars().all()
        return list(rows)
    ids = next_ids(session, table, count,
                   lambda: (session.scalar(select(func.max(table.c.id))) or 0) + 1)
    if ids is not None:
        return ids
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _kind_defaults(table: Any, keys: set[str]) -> dict[str, Any]:
    return {c.name: (c.default.arg if c.default is not None and not callable(c.default.arg) else
                     ([] if c.name == "tx_hashes" else None))
            for c in table.columns if c.name in keys}


def bulk_create_records(session: Session, case_id: int, items: Sequence[RecordIn], *,
                        vocab: Any = None, audit_extra: dict[str, Any] | None = None) -> list[int]:
    """Validate and insert many records (with aliases, identifiers, addresses); returns their ids in order.

    Raises ValidationError (with the item's index as row) before anything is written.
    """
    with few_gc_passes():
        return _create_records(session, case_id, items,
                               vocab if vocab is not None else default_vocabulary(), audit_extra)


def _create_records(session: Session, case_id: int, items: Sequence[RecordIn], vocab: Any,
                    audit_extra: dict[str, Any] | None) -> list[int]:
    cleaned: list[CleanRecord] = []
    for n, item in enumerate(items):
        try:
            fields = clean_fields(item.kind, item.fields, vocab)
            if item.kind == "wallet":
                fields = prepare_wallet(fields)
            elif item.kind == "contract":
                fields = prepare_contract(fields)
            aliases = [check_alias(a, vocab) for a in item.aliases]
            idents = [check_identifier(i, vocab) for i in item.identifiers]
            addrs = [check_address(a) for a in item.addresses]
        except ValidationError as exc:
            raise exc.at_row(n + 1) from None
        cleaned.append(CleanRecord(item.kind, fields, aliases, idents, addrs))
    return insert_clean_records(session, case_id, cleaned, audit_extra=audit_extra)


class CleanRecordLike(Protocol):
    """What insert_clean_records reads of an item: a CleanRecord, or the importer's own draft."""

    kind: str
    fields: dict[str, Any]
    aliases: Sequence[AliasIn]
    identifiers: Sequence[Any]
    addresses: Sequence[Address]


def insert_clean_records(session: Session, case_id: int, items: Sequence[CleanRecordLike], *,
                         audit_extra: dict[str, Any] | None = None,
                         source_rows: Sequence[int] | None = None,
                         now: str | None = None) -> list[int]:
    """Insert validated records with their children and one audit entry each; returns their ids.

    audit_extra is added to every entry's "after", source_rows[i] to item i's as its "row" (the
    file row an import read it from). now is their creation time (and their audit entries'):
    the current time when not given.
    """
    session.flush()
    ids = allocate_ids(session, Record.__table__, len(items))
    now = now or now_iso()
    base_rows: list[tuple[Any, ...]] = []
    kind_items: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    alias_rows: list[tuple[Any, ...]] = []
    ident_rows: list[tuple[Any, ...]] = []
    addr_rows: list[tuple[Any, ...]] = []
    for rid, item in zip(ids, items):
        f = item.fields
        base_rows.append((rid, item.kind, f.get("label", ""), f.get("notes", ""), f.get("tags", []),
                          f.get("sensitive", False)))
        kind_items.setdefault(item.kind, []).append((rid, f))
        for a in item.aliases:
            alias_rows.append((rid, a.name, a.script, a.language, a.kind))
        for i in item.identifiers:
            ident_rows.append((rid, i.scheme, i.value, i.status, i.country))
        for ad in item.addresses:
            addr_rows.append((rid, ad.full, ad.city or "", ad.country, ad.latitude, ad.longitude))
    with search_index_batch(session, ids[0] if ids else 1, ids[-1] if ids else 0):
        insert_tuples(session, Record.__table__, ["id", "kind", "label", "notes", "tags", "sensitive"],
                      base_rows, {"case_id": case_id, "created_at": now, "updated_at": now, "version": 1},
                      hoist=("kind", "notes", "tags", "sensitive"))
        for kind, rows in kind_items.items():
            table = KIND_CLASSES[kind].__table__
            # executemany needs the same columns in every row: absent ones get column defaults
            keys = sorted({k for _, f in rows for k in f if k not in _COMMON})
            defaults = _kind_defaults(table, set(keys))
            dvals = [defaults[k] for k in keys]
            insert_tuples(session, table, ["id", *keys],
                          [(rid, *map(f.get, keys, dvals)) for rid, f in rows], hoist=keys)
        insert_tuples(session, Alias.__table__, ["record_id", "name", "script", "language", "alias_kind"],
                      alias_rows)
    insert_tuples(session, Identifier.__table__, ["record_id", "scheme", "value", "status", "country"],
                  ident_rows)
    insert_tuples(session, Address.__table__, ["record_id", "full", "city", "country", "latitude",
                                               "longitude"], addr_rows)
    extra = audit_extra or {}
    audit = []
    for n, (rid, item) in enumerate(zip(ids, items)):
        after = {"id": rid, "kind": item.kind, **item.fields, **extra}
        if source_rows is not None:
            after["row"] = source_rows[n]
        if item.aliases:
            after["aliases"] = [a.name for a in item.aliases]
        if item.identifiers:
            after["identifiers"] = [f"{i.scheme}:{i.value}" for i in item.identifiers]
        if item.addresses:
            after["addresses"] = [a.full for a in item.addresses]
        audit.append(("create", "record", rid, case_id, rid, None, after))
    record_audit_bulk(session, audit, at=now)
    changes_of(session).created.setdefault("record", set()).update(ids)
    return ids


def endpoint_kinds(session: Session, record_ids: Iterable[int]) -> dict[int, tuple[int, str, str | None]]:
    """For each record id: (case_id, kind, party_kind or None)."""
    out: dict[int, tuple[int, str, str | None]] = {}
    ids = sorted(set(record_ids))
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        rec, party = Record.__table__.c, Party.__table__.c  # Core: no polymorphic aliasing
        for rid, case_id, kind, pk in session.execute(
            select(rec.id, rec.case_id, rec.kind, party.party_kind)
            .outerjoin(Party.__table__, party.id == rec.id).where(rec.id.in_(chunk))
        ):
            out[rid] = (case_id, kind, pk)
    return out


def bulk_create_links(session: Session, case_id: int,
                      items: Sequence[tuple[str, int, int, dict[str, Any]]], *,
                      vocab: Any = None, audit_extra: dict[str, Any] | None = None) -> list[int]:
    """Validate and insert many links (type, source id, target id, fields); returns their ids."""
    with few_gc_passes():
        return _create_links(session, case_id, items,
                             vocab if vocab is not None else default_vocabulary(), audit_extra)


def _create_links(session: Session, case_id: int,
                  items: Sequence[tuple[str, int, int, dict[str, Any]]], vocab: Any,
                  audit_extra: dict[str, Any] | None) -> list[int]:
    kinds = endpoint_kinds(session, [i[1] for i in items] + [i[2] for i in items])
    rows = []
    for n, (link_type, source_id, target_id, fields) in enumerate(items):
        try:
            lt = vocab.link_types.get(link_type)
            if lt is None:
                raise ValidationError("link_type", f"unknown link type {link_type!r}")
            src, tgt = kinds.get(source_id), kinds.get(target_id)
            if src is None or tgt is None:
                raise ValidationError("link", f"record {source_id if src is None else target_id} does not exist")
            if src[0] != case_id or tgt[0] != case_id:
                raise ValidationError("link", "both ends of a link must belong to the case")
            if source_id == target_id:
                raise ValidationError("link", "a record cannot be linked to itself")
            if not lt.allows(src[1], src[2], tgt[1], tgt[2]):
                raise ValidationError("link_type", f"a {src[1]} cannot be linked to a {tgt[1]} by {lt.label!r}")
            clean = clean_link_fields(fields, vocab)
        except ValidationError as exc:
            raise exc.at_row(n + 1) from None
        rows.append((link_type, source_id, target_id, clean))
    return insert_clean_links(session, case_id, rows, audit_extra=audit_extra)


def insert_clean_links(session: Session, case_id: int,
                       items: Sequence[tuple[str, int, int, dict[str, Any]]], *,
                       audit_extra: dict[str, Any] | None = None,
                       source_rows: Sequence[int] | None = None,
                       now: str | None = None) -> list[int]:
    """Insert validated links (type, source id, target id, clean fields), each audited; returns ids.

    audit_extra and source_rows go into the audit entries as in insert_clean_records; now is
    their creation time (and their audit entries'): the current time when not given.
    """
    session.flush()
    ids = allocate_ids(session, Link.__table__, len(items))
    now = now or now_iso()
    db_rows, audit = [], []
    extra = audit_extra or {}
    for n, (lid, (link_type, s, t, clean)) in enumerate(zip(ids, items)):
        get = clean.get  # the _LINK_KEYS in order with their defaults, spelled out per row
        db_rows.append((lid, link_type, s, t, get("role", ""), get("share_pct"), get("start_on"),
                        get("end_on"), get("grade", ""), get("notes", ""), get("tx_hash"), get("value"),
                        get("asset"), get("tx_time")))
        after = {"id": lid, "link_type": link_type, "source_id": s, "target_id": t, **clean, **extra}
        if source_rows is not None:
            after["row"] = source_rows[n]
        audit.append(("create", "link", lid, case_id, None, None, after))
    insert_tuples(session, Link.__table__, ["id", "link_type", "source_id", "target_id", *_LINK_KEYS],
                  db_rows, {"case_id": case_id, "created_at": now, "updated_at": now, "version": 1},
                  hoist=("link_type", *_LINK_KEYS))
    record_audit_bulk(session, audit, at=now)
    changes_of(session).created.setdefault("link", set()).update(ids)
    return ids


def bulk_cite(session: Session, case_id: int, evidence_id: int,
              items: Sequence[tuple[int | None, int | None, str, str]], *, audit: bool = True,
              audit_extra: dict[str, Any] | None = None) -> list[int]:
    """Cite one evidence for many records or links: items are (record_id, link_id, locator, claim).

    The caller guarantees the subjects and the evidence belong to case_id. With audit=False the
    caller has already named each citation in the audit entry that created its subject.
    """
    for record_id, link_id, _, _ in items:
        if (record_id is None) == (link_id is None):
            raise ValidationError("citation", "a citation is for exactly one record or one link")
    session.flush()
    ids = allocate_ids(session, Citation.__table__, len(items))
    insert_tuples(session, Citation.__table__, ["id", "record_id", "link_id", "locator", "claim"],
                  [(cid, *item) for cid, item in zip(ids, items)], {"evidence_id": evidence_id},
                  hoist=("record_id", "link_id", "claim"))
    if audit:
        extra = audit_extra or {}
        record_audit_bulk(session, [
            ("create", "citation", cid, case_id, r, None,
             {"evidence_id": evidence_id, "record_id": r, "link_id": lk, "locator": loc,
              "claim": claim, **extra})
            for cid, (r, lk, loc, claim) in zip(ids, items)])
    changes_of(session).created.setdefault("citation", set()).update(ids)
    return ids


__all__ = ["CleanRecord", "CleanRecordLike", "allocate_ids", "bulk_create_records", "insert_clean_records",
           "endpoint_kinds", "bulk_create_links", "insert_clean_links", "bulk_cite"]
