"""Version steps our own transactions made, so queued edits of ours never conflict with each other.

An edit made while an earlier one of ours is still running carries the version the user saw, which
the earlier edit is about to bump. `record_version_steps` watches one write session and notes each
record's and link's old → new version in a `VersionSteps`; `VersionSteps.follow` then carries a
seen version through our own later steps, so only somebody else's change is a conflict.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from casedesk.domain.models import Link, Record


class VersionSteps:
    """Version steps (old → new) our own transactions made, per record and link (thread-safe)."""

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], dict[int, int]] = {}
        self._lock = threading.Lock()

    def note(self, entity: str, entity_id: int, old: int, new: int) -> None:
        """Remember that we moved an object from version old to new."""
        if old != new:
            with self._lock:
                self._steps.setdefault((entity, entity_id), {})[old] = new

    def follow(self, entity: str, entity_id: int, seen: int | None) -> int | None:
        """The version to expect: the one seen, carried through our own later edits."""
        if seen is None:
            return None
        with self._lock:
            steps = self._steps.get((entity, entity_id), {})
            guard = 0
            while seen in steps and guard < 10000:
                seen, guard = steps[seen], guard + 1
        return seen


@contextmanager
def record_version_steps(session: Session, steps: VersionSteps) -> Iterator[None]:
    """Note in steps every record and link version the body of this block changes in session."""
    seen: dict[tuple[str, int], int] = {}

    def before_flush(sess: Session, _ctx: Any, _instances: Any) -> None:
        for obj in sess.dirty:
            if isinstance(obj, (Record, Link)) and obj.id is not None:
                seen.setdefault(("link" if isinstance(obj, Link) else "record", obj.id), obj.version)

    event.listen(session, "before_flush", before_flush)
    try:
        yield
        session.flush()
        for (entity, entity_id), old in seen.items():
            obj = session.get(Link if entity == "link" else Record, entity_id)
            if obj is not None:
                steps.note(entity, entity_id, old, obj.version)
    finally:
        event.remove(session, "before_flush", before_flush)
