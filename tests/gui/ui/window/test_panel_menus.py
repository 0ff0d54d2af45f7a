"""Right-click menus on the findings, the screening hits and the audit log: each action does what it says."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from casedesk.domain.models import Finding
from casedesk.domain.watchlists import ScreeningHit
from casedesk.services.progress import run_to_end
from casedesk.services.records import RecordIn, create_record
from casedesk.services.screening.hits import store_hits
from casedesk.services.screening.screen import match_case
from casedesk.services.screening.watchlist_import import import_watchlist

LISTS = Path(__file__).resolve().parents[3] / "data" / "screening-lists"

# The progress dialog appears when a run takes over 300 ms (a busy machine); Qt's offscreen
# platform then warns that it cannot propagate size hints, which says nothing about CaseDesk.
pytestmark = pytest.mark.qt_log_ignore(r".*propagateSizeHints.*")


def _right_click(view, pos: QPoint) -> None:
    """A real context-menu event on a view's viewport, as a right click sends."""
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)


def _actions(menu) -> dict[str, object]:
    return {a.objectName() or a.text().replace("&", ""): a for a in menu.actions() if not a.isSeparator()}


def _row_point(view, row: int) -> QPoint:
    return view.visualRect(view.model().index(row, 1)).center()


def _menu_on_row(w, view, row: int):
    _right_click(view, _row_point(view, row))
    return w.context_menu, _actions(w.context_menu)


# ==== findings ==========================================================================================

@pytest.fixture
def analysed(driver, qtbot):
    w = driver.window
    w._show_tab(w.findings)
    with qtbot.waitSignal(w.findings.findings_changed, timeout=60000):
        w.actions_by_name["run_analysis"].trigger()
    qtbot.waitUntil(lambda: w.findings.proxy.rowCount() > 0, timeout=10000)
    driver.idle()
    return driver


def _finding_row(panel, rule: str) -> int:
    for row in range(panel.proxy.rowCount()):
        f = panel.model.finding(panel.proxy.mapToSource(panel.proxy.index(row, 0)).row())
        if f["rule"] == rule and f["status"] == "open":
            return row
    raise AssertionError(f"no open {rule} finding shown")


def _status_of(panel, fid: int) -> str:
    return panel.model.finding(panel.model.row_of(fid))["status"]


def test_a_findings_menu_opens_its_subject_and_copies(analysed, qtbot):
    w = analysed.window
    panel = w.findings
    row = _finding_row(panel, "hq_controlled_compute")
    menu, names = _menu_on_row(w, panel.view, row)
    assert menu.objectName() == "finding_context_menu"
    for wanted in ("context_inspect_subject", "context_subject_on_chart", "context_show_path",
                   "context_confirm_finding", "context_dismiss_finding", "context_reopen_finding",
                   "context_copy_title", "context_copy_explanation", "context_copy_row",
                   "context_copy_rows", "context_export_rows"):
        assert wanted in names, wanted
    finding = panel.selected_finding()  # the row right-clicked became the selection
    assert panel.proxy.mapToSource(panel.view.currentIndex()).row() == panel.model.row_of(finding["id"])
    assert names["context_confirm_finding"].isEnabled() and not names["context_reopen_finding"].isEnabled()
    names["context_copy_title"].trigger()
    assert QGuiApplication.clipboard().text() == finding["title"]
    names["context_copy_row"].trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == ["Severity", "Status", "Finding", "Red flag"]
    assert lines[1].split("\t")[2] == finding["title"] and len(lines) == 2
    from casedesk.services.analysis.rules.registry import default_rulebook

    assert lines[1].split("\t")[3] == default_rulebook().get(finding["rule"]).title  # the red flag, in words
    names["context_show_path"].trigger()
    subject = finding["record_ids"][0]
    assert all(r in w.chart.scene.nodes for r in finding["record_ids"])
    names["context_inspect_subject"].trigger()
    assert w.inspector.current() == ("record", subject)
    menu.close()


def test_a_findings_menu_confirms_dismisses_with_a_reason_and_reopens(analysed, qtbot, monkeypatch):
    w = analysed.window
    panel = w.findings
    menu, names = _menu_on_row(w, panel.view, _finding_row(panel, "hq_controlled_compute"))
    fid = panel.selected_finding_id()
    names["context_confirm_finding"].trigger()
    menu.close()
    qtbot.waitUntil(lambda: _status_of(panel, fid) == "confirmed", timeout=10000)
    panel.select_finding(fid)
    menu, names = _menu_on_row(w, panel.view, panel.view.currentIndex().row())
    assert not names["context_confirm_finding"].isEnabled() and names["context_reopen_finding"].isEnabled()
    monkeypatch.setattr(panel, "_ask_reason", lambda: "Licence seen for this customer")
    names["context_dismiss_finding"].trigger()
    menu.close()
    qtbot.waitUntil(lambda: _status_of(panel, fid) == "dismissed", timeout=10000)
    with analysed.ws.read() as s:
        stored = s.get(Finding, fid)
        assert (stored.status, stored.reason) == ("dismissed", "Licence seen for this customer")
    panel.filter_combo.setCurrentIndex(panel.filter_combo.count() - 1)  # "All": the dismissed row shows
    panel.select_finding(fid)
    menu, names = _menu_on_row(w, panel.view, panel.view.currentIndex().row())
    names["context_reopen_finding"].trigger()
    menu.close()
    qtbot.waitUntil(lambda: _status_of(panel, fid) == "open", timeout=10000)


# ==== screening hits =====================================================================================

@pytest.fixture
def screened(qtbot, demo_ws, open_window):
    """The demo case with two listed names added and screened against a real CSL extract."""
    ws, case_id = demo_ws
    with ws.write() as s:
        run_to_end(import_watchlist(s, LISTS / "csl" / "consolidated_sample_2024.csv"))
        academy = create_record(s, case_id, RecordIn("party", {
            "label": "Academy of Aerospace Solid Propulsion Technology", "country": "CN"})).id
        create_record(s, case_id, RecordIn("party", {"label": "Rosneft Trade Limited"}))
    with ws.read() as s:
        subjects, matches, used = run_to_end(match_case(s, case_id, threshold=80))
    with ws.write() as s:
        store_hits(s, case_id, subjects, matches, used)
    w = open_window(ws)
    w._show_tab(w.hits)
    assert w.hits.proxy.rowCount() >= 2
    return w, ws, academy


def _hit_row(panel, label: str) -> int:
    return next(r for r in range(panel.proxy.rowCount()) if panel.proxy.index(r, 2).data() == label)


def test_a_hits_menu_confirms_dismisses_and_opens_the_party_and_the_list_entry(screened, qtbot, monkeypatch):
    w, ws, academy = screened
    panel = w.hits
    menu, names = _menu_on_row(w, panel.table, _hit_row(panel, "Academy of Aerospace Solid Propulsion Technology"))
    assert menu.objectName() == "hit_context_menu"
    for wanted in ("context_confirm_hit", "context_dismiss_hit", "context_reopen_hit", "context_inspect_party",
                   "context_show_on_chart", "context_open_entry", "context_copy_entry_name",
                   "context_copy_row", "context_export_rows"):
        assert wanted in names, wanted
    hit = panel.selected_hit()
    assert hit["record_id"] == academy and not names["context_reopen_hit"].isEnabled()
    names["context_inspect_party"].trigger()
    assert w.inspector.current() == ("record", academy)
    names["context_open_entry"].trigger()
    dialog = panel.entry_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.body.toPlainText()
    assert "Academy of Aerospace Solid Propulsion Technology (AASPT)" in text
    assert "Military End User (MEU) List" in text and "US Consolidated Screening List" in text
    dialog.close()
    names["context_copy_entry_name"].trigger()
    assert QGuiApplication.clipboard().text() == hit["entry_name"]
    names["context_confirm_hit"].trigger()
    menu.close()
    qtbot.waitUntil(lambda: panel.selected_hit() is not None and panel.selected_hit()["status"] == "confirmed",
                    timeout=10000)
    with ws.read() as s:
        assert s.get(ScreeningHit, hit["hit_id"]).status == "confirmed"
        assert s.scalar(select(Finding.id).where(Finding.rule == "screening_hit")) is not None
    # a dismissal from the menu asks why (the reason box is empty) and keeps the answer
    menu, names = _menu_on_row(w, panel.table, _hit_row(panel, "Academy of Aerospace Solid Propulsion Technology"))
    assert not names["context_confirm_hit"].isEnabled() and names["context_reopen_hit"].isEnabled()
    monkeypatch.setattr(panel, "_ask_reason", lambda: "a university, not the listed academy")
    names["context_dismiss_hit"].trigger()
    menu.close()
    qtbot.waitUntil(lambda: panel.selected_hit()["status"] == "dismissed", timeout=10000)
    with ws.read() as s:
        stored = s.get(ScreeningHit, hit["hit_id"])
        assert (stored.status, stored.reason) == ("dismissed", "a university, not the listed academy")


def test_dismissing_a_hit_from_the_menu_and_cancelling_the_reason_changes_nothing(screened, qtbot, monkeypatch):
    w, ws, _academy = screened
    panel = w.hits
    menu, names = _menu_on_row(w, panel.table, 0)
    hit = panel.selected_hit()
    monkeypatch.setattr(panel, "_ask_reason", lambda: None)
    names["context_dismiss_hit"].trigger()
    menu.close()
    qtbot.waitUntil(w.is_idle, timeout=10000)
    assert panel.selected_hit()["status"] == "open"
    with ws.read() as s:
        assert s.get(ScreeningHit, hit["hit_id"]).status == "open"


# ==== audit log =========================================================================================

def test_an_audit_menu_opens_the_record_and_copies_the_row(driver, qtbot):
    w = driver.window
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    editor = w.inspector.editor("website")
    editor.set_raw("https://derek.example")
    editor.commit()
    driver.idle()
    w._show_tab(w.audit)
    qtbot.waitUntil(lambda: w.audit.model.rowCount() > 0, timeout=5000)
    row = next(r for r in range(w.audit.model.rowCount())
               if w.audit.model.entry(r)["record_id"] == rid and w.audit.model.entry(r)["entity"] == "record")
    entry = w.audit.model.entry(row)
    w.selection.clear()
    menu, names = _menu_on_row(w, w.audit.view, row)
    assert menu.objectName() == "audit_context_menu"
    for wanted in ("context_open_audited", "context_copy_details", "context_copy_row", "context_copy_rows",
                   "context_export_rows"):
        assert wanted in names, wanted
    names["context_open_audited"].trigger()
    assert w.inspector.current() == ("record", rid)
    names["context_copy_row"].trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == ["When", "Who", "Action", "What", "Details"]
    assert lines[1].split("\t")[2:4] == [entry["action"], f"record {entry['entity_id']}"]
    assert lines[1].split("\t")[4] == entry["summary"]  # the whole summary, not the cell's shortened one
    names["context_copy_details"].trigger()
    assert QGuiApplication.clipboard().text() == entry["summary"]
    menu.close()


def test_an_audit_entry_of_a_deleted_record_says_so_instead_of_opening_it(driver, qtbot):
    w = driver.window
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    box = w.delete_selection()
    next(b for b in box.buttons() if b.text() == "Delete").click()
    driver.idle()
    assert driver.record(rid) is None
    w._show_tab(w.audit)
    qtbot.waitUntil(lambda: w.audit.model.rowCount() > 0, timeout=5000)
    row = next(r for r in range(w.audit.model.rowCount()) if w.audit.model.entry(r)["record_id"] == rid)
    menu, names = _menu_on_row(w, w.audit.view, row)
    act = names["context_open_audited"]
    assert not act.isEnabled() and act.text() == "The record no longer exists"
    menu.close()


def test_a_read_only_workspace_offers_no_decision_in_the_menus(screened, monkeypatch):
    w, _ws, _academy = screened
    monkeypatch.setattr(w, "write_blocked", "the role may only read")
    menu, names = _menu_on_row(w, w.hits.table, 0)
    assert not names["context_confirm_hit"].isEnabled() and not names["context_dismiss_hit"].isEnabled()
    assert names["context_open_entry"].isEnabled() and names["context_copy_row"].isEnabled()  # looking is fine
    menu.close()
