"""State matches history: each record's, link's and evidence row's current values against the
after-state of its newest audit entry, so a row changed outside CaseDesk is named with its field;
findings, screening hits, events and citations likewise (services.verify_rows)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.models import (
    KIND_CLASSES,
    Address,
    Alias,
    AuditEntry,
    Case,
    Evidence,
    Identifier,
    Link,
    Record,
)
from casedesk.services.audit import canonical_json
from casedesk.services.fields import fields_of
from casedesk.services.verify_rows import row_problems
from casedesk.services.verify_reading import as_json_value, audit_afters, last_entries, rows_by_ids

_BATCH = 500
_MAX_NAMED = 200  # a workspace rewritten wholesale is named by its first rows, then counted
_LINK_FIELDS = ("link_type", "source_id", "target_id", "role", "share_pct", "start_on", "end_on",
                "grade", "notes", "tx_hash", "value", "asset", "tx_time")
# Fields migration 0009 moved out of link notes: entries written before it (no tx_hash key) keep
# the old notes, so the notes of such links are not compared.
_TRANSFER_FIELDS = ("notes", "tx_hash", "value", "asset", "tx_time")
_GONE_ACTIONS = ("delete",)
# Children of a record as full snapshots store them, and as bulk entries reduce them to text.
_CHILD_TEXT = {"aliases": lambda c: c["name"], "identifiers": lambda c: f"{c['scheme']}:{c['value']}",
               "addresses": lambda c: c["full"]}


def _entries(s: Session, ids: Sequence[int]) -> dict[int, tuple[str, Any, int | None]]:
    """audit id → (action, parsed after or None, case id)."""
    return audit_afters(s, list(ids), AuditEntry.case_id)


def _moved_links(s: Session) -> dict[int, int]:
    """link id → newest merge entry that moved it to the kept record (no link entry of its own)."""
    moved: dict[int, int] = {}
    for aid, after in s.execute(select(AuditEntry.id, AuditEntry.after).where(
            AuditEntry.entity == "record", AuditEntry.action == "merge")):
        try:
            for lid in json.loads(after or "{}").get("moved_links", []):
                moved[int(lid)] = aid
        except (ValueError, TypeError, AttributeError):
            continue
    return moved


def state_problems(s: Session) -> Iterator[tuple[str, str]]:
    """(subject, reason) for every row whose state differs from its audit history."""
    cases = set(s.scalars(select(Case.id)))
    named = 0
    for subject, reason in _all(s, cases):
        named += 1
        if named <= _MAX_NAMED:
            yield subject, reason
    if named > _MAX_NAMED:
        yield "rows", f"{named - _MAX_NAMED} more differences between rows and their audit history"


def _all(s: Session, cases: set[int]) -> Iterator[tuple[str, str]]:
    yield from _check(s, "record", cases, _records, _record_diff)
    moved = _moved_links(s)
    yield from _check(s, "link", cases, _links, lambda obj, after, aid: _link_diff(obj, after, aid, moved))
    yield from _check(s, "evidence", cases, _evidence, _evidence_diff)
    yield from row_problems(s, cases)


def _check(s: Session, entity: str, cases: set[int], load: Any, diff: Any) -> Iterator[tuple[str, str]]:
    last = last_entries(s, entity)
    model = {"record": Record, "link": Link, "evidence": Evidence}[entity]
    present = list(s.scalars(select(model.id).order_by(model.id)))
    present_set = set(present)
    unaudited = [rid for rid in present if rid not in last][:_MAX_NAMED + 1]
    for start in range(0, len(unaudited), _BATCH):
        chunk = unaudited[start:start + _BATCH]
        objs = load(s, chunk)
        for rid in chunk:
            yield _name(entity, objs[rid]), "has no audit entry: it was added outside CaseDesk"
    audited = sorted(last)
    for start in range(0, len(audited), _BATCH):
        chunk = audited[start:start + _BATCH]
        entries = _entries(s, [last[i] for i in chunk])
        objs = load(s, [i for i in chunk if i in present_set])
        for eid in chunk:
            action, after, case_id = entries.get(last[eid], ("", None, None))
            obj = objs.get(eid)
            if obj is None:
                if action not in _GONE_ACTIONS and case_id in cases:
                    yield (f"{entity} {eid}", f"is missing, but its last audit entry ({last[eid]}, "
                                              f"{action}) says it exists: it was deleted outside CaseDesk")
                continue
            if action in _GONE_ACTIONS:
                yield (_name(entity, obj), f"exists, but its last audit entry ({last[eid]}) deleted it")
                continue
            if not isinstance(after, dict):
                continue  # nothing to compare with (an entry without an after-state)
            for field, here, there in diff(obj, after, last[eid]):
                yield (_name(entity, obj), f"{field} is {here!r} here but {there!r} in its last audit "
                                           f"entry ({last[eid]}): changed outside CaseDesk")


def _name(entity: str, obj: dict[str, Any]) -> str:
    if entity == "record":
        return f"{obj['kind']} {obj['id']} {obj['label']!r}"
    if entity == "link":
        return f"link {obj['id']} ({obj['link_type']} {obj['source_id']}→{obj['target_id']})"
    return f"evidence {obj['id']} {obj['title']!r}"


def _records(s: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    out = {r["id"]: r for r in rows_by_ids(s, Record.__table__, ids)}
    for cls in KIND_CLASSES.values():
        for r in rows_by_ids(s, cls.__table__, ids):
            if r["id"] in out:
                out[r["id"]].update({k: v for k, v in r.items() if k != "id"})
    for rec in out.values():
        rec["aliases"], rec["identifiers"], rec["addresses"] = [], [], []
    for a in rows_by_ids(s, Alias.__table__, ids, "record_id"):
        out[a["record_id"]]["aliases"].append({"name": a["name"], "script": a["script"],
                                               "language": a["language"], "kind": a["alias_kind"]})
    for i in rows_by_ids(s, Identifier.__table__, ids, "record_id"):
        out[i["record_id"]]["identifiers"].append({"scheme": i["scheme"], "value": i["value"],
                                                   "status": i["status"], "country": i["country"]})
    for a in rows_by_ids(s, Address.__table__, ids, "record_id"):
        out[a["record_id"]]["addresses"].append({"full": a["full"], "city": a["city"],
                                                 "country": a["country"]})
    return out


def _links(s: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in rows_by_ids(s, Link.__table__, ids)}


def _evidence(s: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in rows_by_ids(s, Evidence.__table__, ids)}


def _record_diff(record: dict[str, Any], after: dict, _aid: int) -> Iterator[tuple[str, Any, Any]]:
    if "kind" in after and after["kind"] != record["kind"]:
        yield "kind", record["kind"], after["kind"]
        return
    for name in _field_names(record["kind"]):
        if name in after:
            here, there = as_json_value(record.get(name)), after[name]
            if here != there:
                yield name, here, there
    for child, as_text in _CHILD_TEXT.items():
        if child not in after or not isinstance(after[child], list):
            continue
        there = after[child]
        here = as_json_value(record[child])
        if there and all(isinstance(c, str) for c in there):  # a bulk entry keeps names only
            here = [as_text(c) for c in here]
        if sorted(map(canonical_json, here)) != sorted(map(canonical_json, there)):
            yield child, here, there


@lru_cache(maxsize=None)
def _field_names(kind: str) -> tuple[str, ...]:
    return tuple(spec.name for spec in fields_of(kind))


def _link_diff(link: dict[str, Any], after: dict, aid: int, moved: dict[int, int]
               ) -> Iterator[tuple[str, Any, Any]]:
    skip = set(_TRANSFER_FIELDS) if "tx_hash" not in after else set()
    if moved.get(link["id"], 0) > aid:
        skip |= {"source_id", "target_id"}  # a later merge moved it onto the kept record
    for field in _LINK_FIELDS:
        if field in after and field not in skip:
            here = as_json_value(link[field])
            if here != after[field]:
                yield field, here, after[field]


def _evidence_diff(ev: dict[str, Any], after: dict, _aid: int) -> Iterator[tuple[str, Any, Any]]:
    for field in ("title", "sha256", "source", "filename"):
        if field in after and ev[field] != after[field]:
            yield field, ev[field], after[field]
    if isinstance(after.get("grade"), str):
        want = "".join(ch for ch in after["grade"] if ch.isalnum()).upper()
        here = f"{ev['reliability']}{ev['credibility']}"
        if want and here != want:
            yield "grade", here, after["grade"]
