"""Other people's changes, read from the audit log: what an open window must refresh, and who did it.

Every change CaseDesk makes appends audit entries in the same transaction, so the log is a change
feed that works the same on SQLite (another process on the file) and PostgreSQL (a colleague):
entries after the last one a window has seen, minus the ranges its own transactions appended,
become one ChangeSet. More entries than a window should replay one by one (a big import, a storm
of edits) make it reload instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.models import AuditEntry
from casedesk.storage.notify import AuditListener, audit_listener
from casedesk.storage.workspace import ChangeSet, Workspace

REPLAY_LIMIT = 2000  # more new entries than this: reload the views rather than replay each change

_CREATED = {"create", "restore"}
_DELETED = {"delete"}


@dataclass
class ForeignChanges:
    """Changes others made after a given audit entry."""

    last_id: int  # the newest entry read (the next call starts after it)
    changes: ChangeSet | None  # None: too many to replay, reload
    actors: list[str] = field(default_factory=list)
    entries: int = 0
    records: dict[int, tuple[str, str, list[str]]] = field(default_factory=dict)  # id: (who, when, fields)


def newest_audit_id(session: Session) -> int:
    """The id of the newest audit entry (0 in an empty workspace)."""
    return session.scalar(select(func.max(AuditEntry.id))) or 0


def _own(entry_id: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(first <= entry_id <= last for first, last in spans)


def changes_since(session: Session, after_id: int, own_spans: Sequence[tuple[int, int]] = (), *,
                  limit: int = REPLAY_LIMIT) -> ForeignChanges:
    """What others changed after audit entry after_id (entries in own_spans are ours, skipped)."""
    newest = newest_audit_id(session)
    if newest <= after_id:
        return ForeignChanges(after_id, ChangeSet())
    if newest - after_id > limit:
        foreign = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.id > after_id))
        ours = sum(max(0, min(last, newest) - max(first, after_id + 1) + 1) for first, last in own_spans)
        if (foreign or 0) - ours > limit:
            actors = sorted(set(session.scalars(select(AuditEntry.actor).where(AuditEntry.id > after_id)
                                                .distinct())))
            return ForeignChanges(newest, None, actors, (foreign or 0) - ours)
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.actor, AuditEntry.at, AuditEntry.action, AuditEntry.entity,
               AuditEntry.entity_id, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.id > after_id, AuditEntry.id <= newest).order_by(AuditEntry.id)).all()
    out = ForeignChanges(newest, ChangeSet())
    for row in rows:
        if _own(row.id, own_spans) or row.entity_id is None:
            continue
        out.entries += 1
        if row.actor not in out.actors:
            out.actors.append(row.actor)
        what = "created" if row.action in _CREATED else "deleted" if row.action in _DELETED else "updated"
        out.changes.add(what, row.entity, row.entity_id)
        if row.entity == "record" and row.action == "merge" and row.after:
            for link_id in json.loads(row.after).get("moved_links", []):
                out.changes.add("updated", "link", link_id)
        if row.entity == "record" and what == "updated":
            out.records[row.entity_id] = (row.actor, row.at, _changed_fields(row.before, row.after))
    return out


def _changed_fields(before: str | None, after: str | None) -> list[str]:
    b = json.loads(before) if before else {}
    a = json.loads(after) if after else {}
    if not isinstance(a, dict) or not isinstance(b, dict):
        return []
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k not in ("version", "updated_at"))


def watch_audit(ws: Workspace) -> AuditListener | None:
    """A LISTEN connection telling when anyone appends to the audit log (PostgreSQL); None on SQLite."""
    return audit_listener(ws.engine)
