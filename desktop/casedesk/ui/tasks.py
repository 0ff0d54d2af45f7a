"""The one background runner: runs jobs (generators yielding Progress) off the GUI thread, one at a time.

One worker thread suits SQLite's single writer (as Anki's taskman does). A job is cancelled by
closing its generator at the next yield, which rolls back the transaction it holds.

Signals:
    started(int): a job with this id began.
    progress(int, object): a job reported a Progress.
    finished(int, object): a job returned this result.
    failed(int, str): a job raised; the message is fit for a user.
    cancelled(int): a job stopped at the user's request.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from casedesk.domain.errors import CaseDeskError
from casedesk.services.progress import Progress

log = logging.getLogger(__name__)
JobFactory = Callable[[], Any]  # returns a generator of Progress, or a plain result


class _Worker(QObject):
    started = Signal(int)
    progress = Signal(int, object)
    finished = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self._cancel: set[int] = set()
        self._lock = threading.Lock()

    def cancel(self, job_id: int) -> None:
        with self._lock:
            self._cancel.add(job_id)

    def _is_cancelled(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._cancel

    @Slot(int, object)
    def run(self, job_id: int, factory: JobFactory) -> None:
        if self._is_cancelled(job_id):
            self.cancelled.emit(job_id)
            return
        self.started.emit(job_id)
        try:
            job = factory()
            if not hasattr(job, "__next__"):
                self.finished.emit(job_id, job)
                return
            while True:
                if self._is_cancelled(job_id):
                    job.close()  # GeneratorExit at the yield: the job's transaction rolls back
                    self.cancelled.emit(job_id)
                    return
                try:
                    step = next(job)
                except StopIteration as stop:
                    self.finished.emit(job_id, stop.value)
                    return
                if isinstance(step, Progress):
                    self.progress.emit(job_id, step)
        except CaseDeskError as exc:
            self.failed.emit(job_id, str(exc))
        except Exception as exc:  # a bug: log it, tell the user in one line
            log.exception("background job failed")
            self.failed.emit(job_id, f"internal error: {type(exc).__name__}: {exc}")


class TaskRunner(QObject):
    """Queues jobs on one worker thread and reports their progress and outcome by signals."""

    started = Signal(int)
    progress = Signal(int, object)
    finished = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)
    _submit = Signal(int, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._thread = QThread(self)
        self._thread.setObjectName("casedesk-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        for name in ("started", "progress", "finished", "failed", "cancelled"):
            getattr(self._worker, name).connect(getattr(self, name))
        self._callbacks: dict[int, tuple[Callable[[Any], None] | None, Callable[[str], None] | None]] = {}
        self.finished.connect(self._on_finished)
        self.failed.connect(self._on_failed)
        self.cancelled.connect(self._on_cancelled)
        self._thread.start()

    def submit(self, factory: JobFactory, *, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> int:
        """Queue a job (a callable returning a Progress generator or a result); returns its id."""
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._submit.emit(job_id, factory)
        return job_id

    def cancel(self, job_id: int) -> None:
        """Ask a job to stop at its next progress step (queued jobs never start)."""
        self._worker.cancel(job_id)

    def pending(self) -> int:
        """How many submitted jobs have not ended yet."""
        return len(self._callbacks)

    def shutdown(self) -> None:
        """Stop the worker thread (waits for the current job)."""
        self._thread.quit()
        self._thread.wait()

    def _on_finished(self, job_id: int, result: object) -> None:
        on_done, _ = self._callbacks.pop(job_id, (None, None))
        if on_done is not None:
            on_done(result)

    def _on_failed(self, job_id: int, message: str) -> None:
        _, on_error = self._callbacks.pop(job_id, (None, None))
        if on_error is not None:
            on_error(message)

    def _on_cancelled(self, job_id: int) -> None:
        self._callbacks.pop(job_id, None)
