"""Fixtures for GUI tests: the main window driven as a user would, and a runner without a thread."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QPoint, QSettings, QTimer

from casedesk.ui.tasks import JobFactory, TaskRunner, _Worker


class InlineTaskRunner(TaskRunner):
    """A TaskRunner that runs each job on the calling thread, for tests that need results, not threads.

    After MusicBrainz Picard's FakeThreadPool. The job does not run inside `submit`: callers keep the
    id `submit` returns and match it against `finished` (the watchlist and export dialogs do), so
    each job starts from a zero-timer on the next turn of the event loop, in submission order, like
    the real runner's queued call. The real runner's worker runs it (drains a generator, emitting
    `progress`; `cancel` from a progress slot stops it at the next step), so the outcome signals and
    callbacks are the real ones; only the thread is missing. Jobs still queued at `shutdown` never
    run, as with the real runner once its thread has quit.
    """

    def __init__(self, parent: QObject | None = None):
        QObject.__init__(self, parent)  # not TaskRunner.__init__: it starts the worker thread
        self._ids = itertools.count(1)
        self._worker = _Worker()
        for name in ("started", "progress", "finished", "failed", "cancelled"):
            getattr(self._worker, name).connect(getattr(self, name))
        self._callbacks: dict[int, tuple[Callable[[Any], None] | None, Callable[[str], None] | None]] = {}
        self.finished.connect(self._on_finished)
        self.failed.connect(self._on_failed)
        self.cancelled.connect(self._on_cancelled)
        self._stopped = False

    def submit(self, factory: JobFactory, *, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> int:
        """Queue a job to run on this thread once control is back in the event loop; returns its id."""
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        QTimer.singleShot(0, self, lambda: self._run(job_id, factory))
        return job_id

    def shutdown(self) -> None:
        """Run no more queued jobs (there is no thread to stop)."""
        self._stopped = True

    def _run(self, job_id: int, factory: JobFactory) -> None:
        if not self._stopped:
            self._worker.run(job_id, factory)


@pytest.fixture
def inline_runner(qtbot):  # noqa: ANN001, ANN201
    """An InlineTaskRunner, shut down at the end."""
    runner = InlineTaskRunner()
    yield runner
    runner.shutdown()


class ViewDriver:
    """Helpers over an open MainWindow: wait for edits, find records, locate them on screen."""

    def __init__(self, qtbot, window, ws, case_id):  # noqa: ANN001
        self.qtbot, self.window, self.ws, self.case_id = qtbot, window, ws, case_id

    def idle(self, timeout: int = 15000) -> None:
        """Wait until every edit and background job has finished."""
        self.qtbot.waitUntil(self.window.is_idle, timeout=timeout)

    def ids(self) -> dict[str, int]:
        """Record ids of the open case by label."""
        from casedesk.services.listings import list_records

        with self.ws.read() as s:
            return {r["label"]: r["id"] for r in list_records(s, self.case_id)}

    def record(self, record_id: int):  # noqa: ANN201
        """The record's describe_record data (None when gone)."""
        from casedesk.domain.errors import NotFoundError
        from casedesk.services.record_description import describe_record

        try:
            with self.ws.read() as s:
                return describe_record(s, record_id)
        except NotFoundError:
            return None

    def node_point(self, record_id: int) -> QPoint:
        """Where a record's icon is, in the chart viewport's coordinates (scrolled into view)."""
        view = self.window.chart.view
        item = self.window.chart.scene.nodes[record_id]
        view.centerOn(item)
        return view.mapFromScene(item.scenePos())

    def action(self, name: str):  # noqa: ANN201
        """A window action by name."""
        return self.window.actions_by_name[name]


@pytest.fixture
def view_settings(tmp_path: Path) -> QSettings:
    """Window settings kept in a temporary file (never the user's)."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot, view_settings):  # noqa: ANN001, ANN201
    """A function that opens a MainWindow on a workspace, shown and idle; closed at the end."""
    from casedesk.ui.main_window import MainWindow
    from casedesk.ui.tasks import TaskRunner

    made = []

    def make(ws, settings=None):  # noqa: ANN001, ANN202
        runner = TaskRunner()
        window = MainWindow(ws, runner, settings=settings or view_settings)
        qtbot.addWidget(window)
        window.resize(1500, 950)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(window.is_idle, timeout=15000)
        made.append((window, runner))
        return window

    yield make
    for window, runner in made:
        qtbot.waitUntil(window.is_idle, timeout=15000)
        window.close()
        runner.shutdown()


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_ws_each(request: pytest.FixtureRequest):  # noqa: ANN201
    """The demo case on a SQLite file, and on PostgreSQL when CASEDESK_TEST_PG_URL is set."""
    if request.param == "sqlite":
        yield request.getfixturevalue("demo_ws")
        return
    from casedesk.services.demo import load_demo_case
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(request.getfixturevalue("pg_url"))
    with ws.write() as s:
        cid = load_demo_case(s).id
    yield ws, cid
    ws.dispose()


@pytest.fixture
def driver_each(qtbot, demo_ws_each, open_window) -> ViewDriver:  # noqa: ANN001
    """The main window on the demo case on each backend, shown and laid out."""
    ws, case_id = demo_ws_each
    window = open_window(ws)
    return ViewDriver(qtbot, window, ws, case_id)


@pytest.fixture
def driver(qtbot, demo_ws, open_window) -> ViewDriver:  # noqa: ANN001
    """The main window on the demo case, shown and laid out."""
    ws, case_id = demo_ws
    window = open_window(ws)
    return ViewDriver(qtbot, window, ws, case_id)
