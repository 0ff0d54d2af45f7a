"""The app shell shows the demo case: case picker, record tables by kind, inspector."""

from __future__ import annotations

from casedesk.ui.main_window import MainWindow


def test_shell_shows_demo_case_and_inspects_a_record(qtbot, demo_ws):
    ws, case_id = demo_ws
    window = MainWindow(ws)
    qtbot.addWidget(window)
    assert window.current_case_id() == case_id
    parties = window.models["party"]
    assert parties.rowCount() >= 15
    view = window.views["party"]
    view.selectRow(0)
    assert "Derek Aw" in window.inspector.toPlainText()
