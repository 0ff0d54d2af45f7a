"""State matches history for the rows around records: findings, screening hits, events and
citations, each compared with the after-state of its newest audit entry and named by table, id and
field (expected vs found) when it differs.

Record-level work (merge, unmerge, restore) moves these rows between records without an entry of
their own, so fields that such work rewrites are not compared once a newer one touched the row's
records; an import rewrites the locators of the citations of its own file as it reads on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.catalog_entries import CatalogEntry
from casedesk.domain.models import AuditEntry, Citation, Event, Finding, ImportBatch, Record
from casedesk.domain.watchlists import ScreeningHit
from casedesk.services.verify_reading import as_json_value, audit_afters, last_entries, rows_by_ids

_BATCH = 500
_MAX_UNAUDITED = 201
_RELINKING = ("merge", "unmerge", "restore")  # record and link entries that move child rows
# Rows whose last entry says so are gone by design; any other missing row was deleted outside.
_GONE = ("delete",)


@dataclass(frozen=True)
class _Entry:
    """The newest audit entry of one row: its id, action, parsed after-state and record column."""

    id: int
    action: str
    after: Any
    record_id: int | None


@dataclass(frozen=True)
class _Table:
    """How one table is compared: its model, the after-state key → column map, what relinking
    rewrites, the defaults a create entry implies, and how a row is named."""

    entity: str
    model: Any
    fields: dict[str, str]
    relinked_fields: frozenset[str]
    implied_on_create: dict[str, Any]
    label: Callable[[dict[str, Any]], str]


def _short(text: Any) -> str:
    text = str(text or "")
    return repr(text if len(text) <= 60 else text[:57] + "…")


_TABLES = (
    _Table("finding", Finding,
           {k: k for k in ("rule", "severity", "title", "explanation", "status", "reason",
                           "path_hash", "subject_key", "record_ids", "link_ids")},
           frozenset({"subject_key", "record_ids"}), {},
           lambda r: f"finding {r['id']} {_short(r['title'])}"),
    _Table("screening_hit", ScreeningHit,
           {"list": "list_name", "list_name": "list_name", "entry_key": "entry_key",
            "status": "status", "reason": "reason", "finding_id": "finding_id"},
           frozenset({"status", "reason", "finding_id"}), {"status": "open", "reason": ""},
           lambda r: f"screening_hit {r['id']} ({r['list_name']} {r['entry_key']} on record "
                     f"{r['record_id']})"),
    _Table("event", Event,
           {k: k for k in ("title", "on", "until", "description", "record_id")},
           frozenset({"record_id"}), {},
           lambda r: f"event {r['id']} {_short(r['title'])}"),
    _Table("citation", Citation,
           {k: k for k in ("evidence_id", "record_id", "link_id", "locator", "claim")},
           frozenset({"record_id", "link_id"}), {},
           lambda r: f"citation {r['id']} (evidence {r['evidence_id']} for "
                     f"{'record ' + str(r['record_id']) if r['record_id'] else 'link ' + str(r['link_id'])})"),
    # the workspace's own accelerator models: a figure changed outside would change every class
    _Table("catalog_entry", CatalogEntry,
           {**{k: k for k in ("code", "name", "vendor", "aliases", "tpp", "die_area_mm2", "io_gbps",
                              "memory", "datacenter", "prc_made", "announced", "source",
                              "evidence_id")}, "source_sha256": "sha256"},
           frozenset(), {}, lambda r: f"catalog model {r['code']} {_short(r['name'])}"),
)


def row_problems(s: Session, cases: set[int]) -> Iterator[tuple[str, str]]:
    """(subject, reason) for each finding, hit, event, citation or catalog model that differs from its history."""
    relinked = _relinked(s)
    import_files = set(s.scalars(select(ImportBatch.evidence_id).where(ImportBatch.evidence_id.is_not(None))))
    for table in _TABLES:
        last = last_entries(s, table.entity)
        present = list(s.scalars(select(table.model.id).order_by(table.model.id)))
        present_set = set(present)
        unaudited = [i for i in present if i not in last][:_MAX_UNAUDITED]
        for start in range(0, len(unaudited), _BATCH):
            chunk = unaudited[start:start + _BATCH]
            for row in rows_by_ids(s, table.model.__table__, chunk):
                if relinked and _refs(row, relinked):
                    continue  # a restore re-creates rows whose ids were taken, under new ones
                if table.entity == "citation" and row["evidence_id"] in import_files:
                    continue  # an import names its citations in the entries creating their subjects
                yield table.label(row), "has no audit entry: it was added outside CaseDesk"
        audited = sorted(last)
        for start in range(0, len(audited), _BATCH):
            chunk = audited[start:start + _BATCH]
            entries = _entries(s, [last[i] for i in chunk])
            rows = {r["id"]: r for r in rows_by_ids(s, table.model.__table__, [i for i in chunk if i in present_set])}
            for rid in chunk:
                entry = entries.get(last[rid])
                if entry is None:
                    continue
                row = rows.get(rid)
                if row is None:
                    if _deleted_outside(s, table, entry, cases, relinked):
                        yield (f"{table.entity} {rid}", f"is missing, but its last audit entry ({entry.id}, "
                                                        f"{entry.action}) says it exists: it was deleted outside CaseDesk")
                    continue
                if entry.action in _GONE:
                    yield table.label(row), f"exists, but its last audit entry ({entry.id}) deleted it"
                    continue
                if not isinstance(entry.after, dict):
                    continue
                expected = dict(entry.after)
                if entry.action == "create":
                    expected = {**table.implied_on_create, **expected}
                moved = _refs(row, relinked) | _refs(expected, relinked) if relinked else set()
                skip = set(table.relinked_fields) if moved and max(moved) > entry.id else set()
                if table.entity == "citation" and row["evidence_id"] in import_files:
                    skip.add("locator")  # an import lengthens its citations' locators as rows recur
                for key, column in table.fields.items():
                    if key not in expected or column in skip:
                        continue
                    found, want = as_json_value(row[column]), expected[key]
                    if column in ("record_ids", "link_ids"):
                        found, want = _ids(found), _ids(want)
                    if found != want:
                        yield (table.label(row), f"{column} is {found!r} here but {want!r} in its last "
                                                 f"audit entry ({entry.id}): changed outside CaseDesk")


def _ids(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return sorted(value) if isinstance(value, list) else value


def _relinked(s: Session) -> dict[tuple[str, int], int]:
    """("record"|"link", id) → newest merge, unmerge or restore entry about it."""
    return {(entity, eid): aid for entity, eid, aid in s.execute(
        select(AuditEntry.entity, AuditEntry.entity_id, func.max(AuditEntry.id))
        .where(AuditEntry.entity.in_(("record", "link")), AuditEntry.action.in_(_RELINKING),
               AuditEntry.entity_id.is_not(None))
        .group_by(AuditEntry.entity, AuditEntry.entity_id))}


def _refs(row: dict[str, Any], relinked: dict[tuple[str, int], int]) -> set[int]:
    """Entry ids of the relinking work on the records and links a row names (empty: none)."""
    records = _ids(row.get("record_ids")) if row.get("record_ids") is not None else []
    records = list(records) if isinstance(records, list) else []
    if isinstance(row.get("record_id"), int):
        records.append(row["record_id"])
    out = {relinked[("record", r)] for r in records if isinstance(r, int) and ("record", r) in relinked}
    if isinstance(row.get("link_id"), int) and ("link", row["link_id"]) in relinked:
        out.add(relinked[("link", row["link_id"])])
    return out


def _entries(s: Session, ids: list[int]) -> dict[int, _Entry]:
    return {aid: _Entry(aid, action, after, record_id)
            for aid, (action, after, record_id) in audit_afters(s, ids, AuditEntry.record_id).items()}


def _deleted_outside(s: Session, table: _Table, entry: _Entry, cases: set[int],
                     relinked: dict[tuple[str, int], int]) -> bool:
    """A missing row was deleted outside CaseDesk unless its entry deleted it or what it hung on is
    gone (a record, link, evidence or case deleted with an entry of its own cascades to it)."""
    if entry.action in _GONE:
        return False
    case_id = s.scalar(select(AuditEntry.case_id).where(AuditEntry.id == entry.id))
    if case_id is not None and case_id not in cases:  # None: a workspace-wide row (catalog model)
        return False
    after = entry.after if isinstance(entry.after, dict) else {}
    refs = {"record_id": after.get("record_id", entry.record_id), "link_id": after.get("link_id")}
    if any(aid > entry.id for aid in _refs(refs, relinked)):
        return False
    from casedesk.domain.models import Evidence, Link

    for model, key in ((Record, refs["record_id"]), (Link, refs["link_id"]),
                       (Evidence, after.get("evidence_id"))):
        if isinstance(key, int) and s.get(model, key) is None:
            return False
    return True
