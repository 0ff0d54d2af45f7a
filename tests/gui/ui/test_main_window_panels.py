"""The main window hosts every issue's panel: findings with analysis, screening hits, import, export."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from casedesk.ui.main_window import MainWindow


def _window(qtbot, ws, tmp_path):  # noqa: ANN001, ANN202
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(ws, settings=settings)
    qtbot.addWidget(w)
    return w


def test_run_analysis_from_the_menu_fills_findings_and_selecting_one_highlights_its_path(qtbot, demo_ws, tmp_path):
    ws, case_id = demo_ws
    w = _window(qtbot, ws, tmp_path)
    assert w.current_case_id() == case_id
    assert "run_analysis" in w.actions_by_name and "Analysis" in w.menus
    with qtbot.waitSignal(w.findings.findings_changed, timeout=60000):
        w.actions_by_name["run_analysis"].trigger()
    qtbot.waitUntil(lambda: w.findings.model.rowCount() > 0, timeout=10000)
    assert "Findings (" in w.bottom_tabs.tabText(w.bottom_tabs.indexOf(w.findings))
    with qtbot.waitSignal(w.findings.finding_chosen, timeout=5000) as blocker:
        w.findings.view.selectRow(0)
    fid = blocker.args[0]
    assert w.selection.finding_id == fid if hasattr(w.selection, "finding_id") else True
    assert w.inspector.mode == "finding"
    # an open question's record, selected beside the findings, becomes the window's selection
    qtbot.waitUntil(lambda: w.findings.questions.group_count() > 0, timeout=10000)
    target = w.findings.questions.records_of(0)[0]
    w.findings.questions.choose(0, 0)
    qtbot.waitUntil(lambda: w.selection.current_record_id() == target, timeout=5000)
    w.runner.shutdown()


def test_file_menu_opens_import_wizard_and_export_dialog_for_the_case(qtbot, demo_ws, tmp_path):
    ws, case_id = demo_ws
    w = _window(qtbot, ws, tmp_path)
    wizard = w.import_evidence()
    assert wizard is not None and w.dialog is wizard
    wizard.close()
    dialog = w.export_dossier()
    assert dialog is not None and w.dialog is dialog
    records, links, positions = w._view_state()
    assert records and set(positions) <= set(records)
    dialog.close()
    hits_index = w.bottom_tabs.indexOf(w.hits)
    assert hits_index >= 0 and w.hits.case_id() == case_id
    w.runner.shutdown()
