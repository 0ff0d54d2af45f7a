"""Live refresh: an open window learns of other users' and other processes' changes within a second.

Once a second (a timer on the GUI thread) the audit log is asked for entries after the last one
seen, without those our own operations appended (`services.change_feed`). What comes back goes out
on `foreign` for the window to refresh in place; many changes at once come back as one "reload".
A timer, not a thread: the query is one indexed read, and ticks coalesce a storm of changes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from casedesk.domain.errors import CaseDeskError
from casedesk.services.change_feed import ForeignChanges, changes_since, newest_audit_id
from casedesk.ui.operations.core import Operations

POLL_MS = 1000


class LiveRefresh(QObject):
    """Polls the audit log for changes others made; emits them on `foreign`."""

    foreign = Signal(object)  # a ForeignChanges with something in it

    def __init__(self, ops: Operations, parent: QObject | None = None, *, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self._ops = ops
        self._spans: list[tuple[int, int]] = []
        self._last = self._newest()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        ops.workspace_changed.connect(self._restart)

    def start(self) -> None:
        """Start watching."""
        self._timer.start()

    def stop(self) -> None:
        """Stop watching (the window is closing)."""
        self._timer.stop()

    def check(self) -> ForeignChanges | None:
        """Look once for changes others made; emits and returns them (None when there are none)."""
        self._spans += self._ops.workspace.take_own_audit_spans()
        try:
            found = self._ops.read(lambda s: changes_since(s, self._last, self._spans))
        except CaseDeskError:
            return None  # the database is away for a moment; the next tick tries again
        except Exception:  # noqa: BLE001 - a dropped connection must not kill the timer
            return None
        self._last = found.last_id
        self._spans = [span for span in self._spans if span[1] > self._last]
        if found.changes is not None and not found.changes:
            return None
        self.foreign.emit(found)
        return found

    def _newest(self) -> int:
        try:
            return self._ops.read(newest_audit_id)
        except Exception:  # noqa: BLE001 - start from nothing rather than fail to open the window
            return 0

    def _restart(self, _workspace: object) -> None:
        self._spans = []
        self._last = self._newest()
