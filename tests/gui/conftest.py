"""Fixtures for driving the main window as a user would: the demo case open, the runner real."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings


class ViewDriver:
    """Helpers over an open MainWindow: wait for edits, find records, locate them on screen."""

    def __init__(self, qtbot, window, ws, case_id):  # noqa: ANN001
        self.qtbot, self.window, self.ws, self.case_id = qtbot, window, ws, case_id

    def idle(self, timeout: int = 15000) -> None:
        """Wait until every edit and background job has finished."""
        self.qtbot.waitUntil(self.window.is_idle, timeout=timeout)

    def ids(self) -> dict[str, int]:
        """Record ids of the open case by label."""
        from casedesk.services.queries import list_records

        with self.ws.read() as s:
            return {r["label"]: r["id"] for r in list_records(s, self.case_id)}

    def record(self, record_id: int):  # noqa: ANN201
        """The record's describe_record data (None when gone)."""
        from casedesk.domain.errors import NotFoundError
        from casedesk.services.inspect import describe_record

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


@pytest.fixture
def driver(qtbot, demo_ws, open_window) -> ViewDriver:  # noqa: ANN001
    """The main window on the demo case, shown and laid out."""
    ws, case_id = demo_ws
    window = open_window(ws)
    return ViewDriver(qtbot, window, ws, case_id)
