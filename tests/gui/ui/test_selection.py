"""One selection: picking a record or link anywhere selects it everywhere; search, timeline, path, evidence."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from sqlalchemy import select

from casedesk.domain.models import Citation, Evidence
from casedesk.ui.models.navigator import ID_ROLE as NAV_ID


def _everywhere(driver, rid: int) -> None:
    """Assert every view shows record rid as the selection."""
    w = driver.window
    assert w.selection.current_record_id() == rid
    assert w.inspector.current() == ("record", rid)
    assert rid in w.chart.scene.selected_record_ids()
    nav_current = w.navigator.tree.currentIndex()
    assert nav_current.isValid() and nav_current.data(NAV_ID) == rid
    kind = driver.record(rid)["kind"]
    table = w.tables[kind]
    current = table.view.currentIndex()
    assert current.isValid() and current.data(Qt.ItemDataRole.UserRole + 1) == rid
    for other_kind, other in w.tables.items():
        if other_kind != kind:
            assert not other.view.selectionModel().hasSelection()
    assert w.timeline.view._selected_lane == rid


def test_navigator_pick_selects_everywhere(driver):
    w = driver.window
    rid = driver.ids()["Brisbane H100 fleet"]
    index = w.navigator.model.record_index(rid, "server", "Brisbane H100 fleet")
    w.navigator.tree.setCurrentIndex(index)
    _everywhere(driver, rid)
    assert w.inspector.title.text() == "Brisbane H100 fleet"


def test_chart_click_selects_everywhere(driver):
    w = driver.window
    rid = driver.ids()["Shanghai AI start-up (unnamed)"]
    point = driver.node_point(rid)
    QTest.mouseClick(w.chart.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    _everywhere(driver, rid)


def test_table_row_selects_everywhere(driver):
    w = driver.window
    table = w.tables["wallet"]
    w.bottom_tabs.setCurrentWidget(table)
    table.view.selectRow(2)
    rid = table.view.currentIndex().data(Qt.ItemDataRole.UserRole + 1)
    _everywhere(driver, rid)
    assert w.bottom_tabs.currentWidget() is table


def test_timeline_click_selects_the_record_or_link(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    w.actions_by_name["show_timeline"].trigger()
    qtbot.waitUntil(lambda: w.timeline.model.rowCount() > 0)
    fleet = ids["Brisbane H100 fleet"]
    view = w.timeline.view
    rect = view.rect_of(f"installed:{fleet}")
    assert rect is not None
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center().toPoint())
    _everywhere(driver, fleet)
    link_item = next(i for i in view.items() if i.kind == "link")
    rect = view.rect_of(link_item.key)
    if not view.viewport().rect().contains(rect.center().toPoint()):
        view.select_link(link_item.link_id)
        rect = view.rect_of(link_item.key)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center().toPoint())
    assert w.selection.current_link_id() == link_item.link_id
    assert w.inspector.current() == ("link", link_item.link_id)
    assert w.chart.scene.edges[f"link:{link_item.link_id}"].isSelected()


def test_timeline_draws_month_precision_across_the_month_and_about_dates_apart(driver, qtbot):
    w = driver.window
    w.actions_by_name["show_timeline"].trigger()
    qtbot.waitUntil(lambda: w.timeline.model.rowCount() > 0)
    view = w.timeline.view
    view.zoom(8)
    items = {i.key: i for i in view.items()}
    month = next(k for k, i in items.items() if i.kind == "installed")
    placed = next(p for p in view._placed if p.item.key == month)
    assert placed.x1 - placed.x0 == 30  # June: 30 days
    about = next(i for i in items.values() if i.about)
    assert about.title.startswith("Aw's platform reports")
    w.timeline.view.grab()  # paints without error


def test_finding_selection_highlights_its_path_and_explains(driver, qtbot):
    from casedesk.services.findings import add_manual_finding

    w = driver.window
    ids = driver.ids()
    path = [ids["Beijing AI company (unnamed)"], ids["Brisbane H100 fleet"]]
    with driver.ws.write() as s:
        fid = add_manual_finding(s, driver.case_id, "Controlled accelerators used from China", severity="high",
                                 explanation="The Beijing company uses the compute of the Brisbane H100 fleet.",
                                 record_ids=path, link_ids=[5]).id
        changes = s.info["changes"]
    w.refresh(changes)
    assert w.findings.model.rowCount() == 1
    w._show_tab(w.findings)
    w.findings.view.selectRow(0)
    assert w.selection.current() == ("finding", fid)
    assert "Brisbane H100 fleet" in w.inspector.findChild(type(w.inspector.title), "finding_explanation").text()
    marked, links = w.chart.scene.marked()
    assert set(marked) == set(path) and links == ["link:5"]
    w.select_record(path[0])
    assert not w.findings.view.selectionModel().hasSelection()


def test_audit_entry_selects_its_record(driver):
    w = driver.window
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    w.inspector.editor("website").set_raw("https://derek.example")
    w.inspector.editor("website").commit()
    driver.idle()
    w.selection.clear()
    w._show_tab(w.audit)
    model = w.audit.model
    assert model.data(model.index(0, 2)) == "update"
    assert "website" in model.data(model.index(0, 4))
    w.audit._on_clicked(model.index(0, 0))
    assert w.selection.current_record_id() == rid


def _type_with_input_method(widget, text: str) -> None:
    """Type text the way a Chinese input method delivers it: a committed string."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_cjk_search_as_you_type_jumps_to_the_record(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    parent = ids["Chinese parent of the Singapore company (unnamed)"]
    w.actions_by_name["find"].trigger()
    _type_with_input_method(w.navigator.search, "母")
    qtbot.waitUntil(lambda: w.navigator.results.isVisible() or w.navigator.no_results.isVisible())
    _type_with_input_method(w.navigator.search, "公")  # two characters: below the trigram index's reach
    qtbot.waitUntil(lambda: w.navigator.results_model.rowCount() > 0)
    hits = [w.navigator.results_model.row_at(r).record_id for r in range(w.navigator.results_model.rowCount())]
    assert hits == [parent]
    w.navigator.search.clear()
    _type_with_input_method(w.navigator.search, "中國母公")  # traditional, as an IME commits it
    qtbot.waitUntil(lambda: w.navigator.results_model.rowCount() > 0)
    QTest.keyClick(w.navigator.search, Qt.Key.Key_Return)
    _everywhere(driver, parent)
    visible = w.chart.view.mapToScene(w.chart.view.viewport().rect()).boundingRect()
    assert visible.contains(w.chart.scene.nodes[parent].scenePos())
    w.navigator.search.clear()
    QTest.keyClicks(w.navigator.search, "zzzz no such")
    qtbot.waitUntil(lambda: w.navigator.no_results.isVisible())


def test_find_path_between_two_selected_records(driver):
    w = driver.window
    ids = driver.ids()
    a, b = ids["Derek Aw"], ids["Beijing AI company (unnamed)"]
    w.selection.select_records([a, b])
    assert w.actions_by_name["path"].isEnabled()
    w.actions_by_name["path"].trigger()
    marked, links = w.chart.scene.marked()
    assert a in marked and b in marked and len(marked) == 3 and len(links) == 2
    w.actions_by_name["clear_highlight"].trigger()
    assert w.chart.scene.marked() == ([], [])


def test_expand_neighbourhood_highlight_and_hide(driver):
    w = driver.window
    ids = driver.ids()
    rid = ids["Derek Aw"]
    w.select_record(rid)
    w.actions_by_name["neighbourhood"].setChecked(True)
    faded = [r for r, item in w.chart.scene.nodes.items() if item.opacity() < 1]
    assert rid not in faded and ids["Aw's GPU platform company (name not given)"] not in faded
    assert ids["Google"] in faded
    w.actions_by_name["neighbourhood"].setChecked(False)
    w.actions_by_name["hide"].trigger()
    assert rid not in w.visible_record_ids()
    w.select_record(ids["Aw's GPU platform company (name not given)"])
    w.actions_by_name["expand"].trigger()
    assert rid in w.visible_record_ids()


@pytest.fixture
def evidence_file(tmp_path):
    path = tmp_path / "registry extract.pdf"
    path.write_bytes(b"%PDF-1.4 registry extract of the Brisbane operator\n")
    return path


def test_drop_a_file_onto_a_record_attaches_graded_cited_evidence(driver, qtbot, evidence_file):
    w = driver.window
    rid = driver.ids()["Brisbane data center (unnamed)"]
    view = w.chart.view
    point = driver.node_point(rid)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(evidence_file))])
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QTest.qWait(1)
    view.dropEvent(drop)
    dialog = w.dialog
    assert dialog.objectName() == "attach_evidence_dialog"
    digest = hashlib.sha256(evidence_file.read_bytes()).hexdigest()
    assert dialog.hashes == [digest]
    dialog.set_grade("B2")
    dialog.date.setText("June 2024")  # not a date form CaseDesk reads: refused next to the field
    assert not dialog.try_accept()
    assert dialog.date_error.isVisible()
    dialog.date.setText("2024-06")
    dialog.locator_edit.setText("page 3")
    assert dialog.try_accept()
    driver.idle()
    with driver.ws.read() as s:
        ev = s.scalars(select(Evidence).where(Evidence.sha256 == digest)).one()
        cite = s.scalars(select(Citation).where(Citation.evidence_id == ev.id)).one()
        assert (ev.reliability, ev.credibility, ev.source_date, ev.filename) == ("B", "2", "2024-06",
                                                                                 "registry extract.pdf")
        assert (cite.record_id, cite.locator) == (rid, "page 3")
    w.select_record(rid)
    assert any("registry extract.pdf" in c for c in driver.record(rid)["citations"])
    driver.window.actions_by_name["undo"].trigger()
    driver.idle()
    with driver.ws.read() as s:
        assert s.scalars(select(Evidence).where(Evidence.sha256 == digest)).first() is None


def test_dropping_onto_empty_chart_space_is_refused(driver, evidence_file):
    view = driver.window.chart.view
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(evidence_file))])
    drop = QDropEvent(QPointF(2, 2), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)
    assert not drop.isAccepted()
    assert driver.window.dialog is None
