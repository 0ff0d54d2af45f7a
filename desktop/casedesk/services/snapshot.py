"""Plain-dict pictures of records and links: what the audit log stores before and after a change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from casedesk.domain.models import Link, Record
from casedesk.services.fields import fields_of

_LINK_COLUMNS = ("link_type", "source_id", "target_id", "role", "share_pct", "start_on",
                 "end_on", "grade", "notes", "tx_hash", "value", "asset", "tx_time")


def record_fields(record: Record) -> dict[str, Any]:
    """The record's own field values (common and kind-specific)."""
    return {spec.name: getattr(record, spec.name) for spec in fields_of(record.kind)}


def record_snapshot(record: Record) -> dict[str, Any]:
    """Everything about a record worth auditing: fields, aliases, identifiers, addresses."""
    snap: dict[str, Any] = {"id": record.id, "case_id": record.case_id, "kind": record.kind,
                            "version": record.version}
    snap.update(record_fields(record))
    snap["aliases"] = [
        {"name": a.name, "script": a.script, "language": a.language, "kind": a.alias_kind}
        for a in record.aliases
    ]
    snap["identifiers"] = [
        {"scheme": i.scheme, "value": i.value, "status": i.status, "country": i.country}
        for i in record.identifiers
    ]
    snap["addresses"] = [
        {"full": a.full, "city": a.city, "country": a.country} for a in record.addresses
    ]
    if record.kind == "contract":
        snap["parties"] = [{"party_id": p.party_id, "role": p.role} for p in record.parties]
    return snap


def link_snapshot(link: Link) -> dict[str, Any]:
    """Everything about a link worth auditing."""
    snap = {c: getattr(link, c) for c in _LINK_COLUMNS}
    snap.update({"id": link.id, "case_id": link.case_id, "version": link.version})
    return snap


def column_values(obj: Any) -> dict[str, Any]:
    """All mapped column values of an ORM object."""
    return {attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs}
