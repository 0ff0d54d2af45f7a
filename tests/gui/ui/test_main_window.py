"""The main window opens on the demo case: tables by kind, chart, and a record shown in the inspector."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from casedesk.ui.main_window import MainWindow


def test_shell_shows_demo_case_and_inspects_a_record(qtbot, demo_ws, tmp_path, inline_runner):
    ws, case_id = demo_ws
    runner = inline_runner
    window = MainWindow(ws, runner, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert window.current_case_id() == case_id
    parties = window.tables["party"].model
    assert parties.rowCount() >= 15
    window.tables["party"].view.selectRow(0)
    assert window.inspector.title.text() == "Derek Aw"
    qtbot.waitUntil(window.is_idle, timeout=10000)
    runner.shutdown()
