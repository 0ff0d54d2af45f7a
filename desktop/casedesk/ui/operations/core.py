"""Edits as operations: one transaction each, run by the one background runner, reporting what changed.

An operation is a function of a write session, run on the runner's thread inside ws.write().
Its result and the transaction's ChangeSet come back to the GUI thread, where `changed` lets every
view refresh precisely before the caller's own callback runs. A CaseDeskError (bad value,
conflict) comes back as the exception object, so the caller can show it next to a field or offer
to reload.

Optimistic locking and our own queued edits: each operation's transaction notes the version steps
it makes (`storage.version_steps`), and `expected` carries the version a user saw through our own
later steps, so only somebody else's change is reported as a conflict.

Signals:
    changed(object): a ChangeSet committed by an operation (before the operation's callback runs).
    busy_changed(bool): operations are pending (True) or all done (False).
    workspace_changed(object): operations now run on this Workspace (views reset to it).
    analysis_day_changed(object): the day compute views are for (a date, or None for today).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from casedesk.domain.errors import CaseDeskError
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.analysis.workspace_catalog import workspace_vocabulary
from casedesk.storage.version_steps import VersionSteps, record_version_steps
from casedesk.storage.workspace import ChangeSet, Workspace, changes_of
from casedesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What an operation produced: its value and changes, or the user-facing error."""

    value: Any = None
    changes: ChangeSet | None = None
    error: CaseDeskError | None = None


class Operations(QObject):
    """Runs edits through the runner in one transaction each and routes results and errors."""

    changed = Signal(object)
    busy_changed = Signal(bool)
    workspace_changed = Signal(object)
    analysis_day_changed = Signal(object)

    def __init__(self, workspace: Workspace, runner: TaskRunner, parent: QObject | None = None, *,
                 vocab: Vocabulary | None = None):
        super().__init__(parent)
        self.ws = workspace
        self.runner = runner
        self._base_vocab = vocab if vocab is not None else default_vocabulary()
        self.vocab = self._base_vocab  # what views and dialogs speak: refresh_vocab adds the workspace's
        self.versions = VersionSteps()
        self.analysis_day: date | None = None  # the day views compute for (Findings' As of); None: today
        self._pending = 0
        self.report_error: Callable[[CaseDeskError | str], None] = lambda e: log.warning("%s", e)

    @property
    def workspace(self) -> Workspace:
        """The workspace operations run on now (only ui/operations/ modules should need it)."""
        return self.ws

    @property
    def actor(self) -> str:
        """Who the audit records as the author of these operations."""
        return self.ws.actor

    def reading(self) -> AbstractContextManager[Session]:
        """A short read transaction on the calling thread: `with ops.reading() as s:` (lazy fetches)."""
        return self.ws.read()

    def read(self, fn: Callable[[Session], Any]) -> Any:
        """fn(session) in a short read transaction on the calling thread (lazy model fetches)."""
        with self.ws.read() as session:
            return fn(session)

    def submit_job(self, factory: Callable[[Workspace], Any], *,
                   on_done: Callable[[Any], None] | None = None,
                   on_error: Callable[[str], None] | None = None) -> int:
        """Queue long work: factory(workspace) returns a Progress generator or a result; the job id."""
        ws = self.ws
        return self.runner.submit(lambda: factory(ws), on_done=on_done, on_error=on_error)

    def cancel(self, job_id: int) -> None:
        """Ask a job to stop at its next progress step."""
        self.runner.cancel(job_id)

    def set_workspace(self, workspace: Workspace) -> None:
        """Point future operations at another workspace."""
        self.ws = workspace
        self.versions = VersionSteps()
        self.refresh_vocab()
        self.workspace_changed.emit(workspace)

    def set_analysis_day(self, day: date | None) -> None:
        """Compute views (inspector, totals) for this day from now on; None: today."""
        if day != self.analysis_day:
            self.analysis_day = day
            self.analysis_day_changed.emit(day)

    def refresh_vocab(self) -> None:
        """Speak the open workspace's catalog (the shipped one plus the models its analysts added)."""
        base = self._base_vocab
        try:
            with self.ws.read() as s:
                self.vocab = workspace_vocabulary(s, base)
        except Exception:  # noqa: BLE001 - an unreadable workspace says why on its first real read
            log.warning("could not read the workspace catalog", exc_info=True)
            self.vocab = base

    def write_block(self) -> str | None:
        """Why this user cannot change the open workspace (read-only role or file), or None."""
        try:
            return self.ws.write_block()
        except Exception:  # noqa: BLE001 - unknown: let writes try and say why if refused
            return None

    def receipt_problems(self) -> list[str]:
        """How the open workspace differs from this install's head receipt (checked on open)."""
        return list(getattr(self.ws, "receipt_problems", []) or [])

    def busy(self) -> bool:
        """True while an operation is queued or running."""
        return self._pending > 0

    def expected(self, entity: str, entity_id: int, seen: int | None) -> int | None:
        """(Worker thread) the version an edit based on `seen` should expect now."""
        return self.versions.follow(entity, entity_id, seen)

    def run(self, fn: Callable[[Session], Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[CaseDeskError | str], None] | None = None) -> int:
        """Run fn(session) in one write transaction off the GUI thread; returns the job id."""
        ws, steps = self.ws, self.versions

        def job() -> Outcome:
            try:
                with ws.write() as session:
                    with record_version_steps(session, steps):
                        value = fn(session)
                    changes = changes_of(session)
                return Outcome(value, changes)
            except CaseDeskError as exc:
                return Outcome(error=exc)

        self._set_pending(+1)

        def done(outcome: Outcome) -> None:
            self._set_pending(-1)
            if outcome.error is not None:
                (on_error or self.report_error)(outcome.error)
                return
            if outcome.changes:
                self.changed.emit(outcome.changes)
            if on_done is not None:
                on_done(outcome.value)

        def failed(message: str) -> None:  # a bug in an operation: say so in one line
            self._set_pending(-1)
            (on_error or self.report_error)(message)

        return self.runner.submit(job, on_done=done, on_error=failed)

    def _set_pending(self, delta: int) -> None:
        was = self._pending > 0
        self._pending += delta
        if was != (self._pending > 0):
            self.busy_changed.emit(self._pending > 0)
