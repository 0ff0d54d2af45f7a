"""Live refresh: an open window learns of other users' and other processes' changes within a second.

Once a second (a timer on the GUI thread) the audit log is asked for entries after the last one
seen, without those our own operations appended (`services.change_feed`). What comes back goes out
on `foreign` for the window to refresh in place; many changes at once come back as one "reload".
A timer, not a thread: the query is one indexed read, and ticks coalesce a storm of changes.
On PostgreSQL a LISTEN connection (storage.notify) is asked five times a second whether anyone
committed audit entries, at no cost to the server; the log is read only then (and every few
seconds anyway, in case a notification was lost with a connection).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from casedesk.domain.errors import CaseDeskError
from casedesk.services.change_feed import (
    ForeignChanges,
    changes_since,
    newest_audit_id,
    watch_audit,
)
from casedesk.ui.operations.core import Operations

POLL_MS = 1000
LISTEN_MS = 200  # with a LISTEN connection: look this often for a notification
SAFETY_TICKS = 25  # and read the log anyway every 25 looks (5 s)


class LiveRefresh(QObject):
    """Polls the audit log for changes others made; emits them on `foreign`."""

    foreign = Signal(object)  # a ForeignChanges with something in it

    def __init__(self, ops: Operations, parent: QObject | None = None, *, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self._ops = ops
        self._spans: list[tuple[int, int]] = []
        self._last = self._newest()
        self._interval = interval_ms
        self._listener = None
        self._quiet_ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        ops.workspace_changed.connect(self._restart)

    def start(self) -> None:
        """Start watching."""
        self._listen()
        self._timer.start()

    def stop(self) -> None:
        """Stop watching (the window is closing)."""
        self._timer.stop()
        self._unlisten()

    @property
    def listening(self) -> bool:
        """True when a PostgreSQL LISTEN connection wakes this window (else it polls)."""
        return self._listener is not None

    def _listen(self) -> None:
        self._unlisten()
        try:
            self._listener = watch_audit(self._ops.workspace)
        except Exception:  # noqa: BLE001 - no listener: polling still refreshes the window
            self._listener = None
        self._timer.setInterval(LISTEN_MS if self._listener is not None else self._interval)

    def _unlisten(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _tick(self) -> None:
        if self._listener is not None:
            self._quiet_ticks += 1
            if not self._listener.pending() and self._quiet_ticks < SAFETY_TICKS:
                return
            self._quiet_ticks = 0
        self.check()

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
        if self._timer.isActive():
            self._listen()
