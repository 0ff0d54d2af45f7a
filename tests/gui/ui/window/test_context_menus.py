"""Right-click menus on the navigator, the tables and the chart, the Links tab, and rows out as CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from casedesk.domain.models import AuditEntry, Link
from casedesk.services.progress import run_to_end
from casedesk.services.screening.watchlist_import import import_watchlist


@pytest.fixture
def driver(driver_each):  # noqa: ANN001, ANN201
    """Each test here runs on SQLite and, when CASEDESK_TEST_PG_URL is set, on PostgreSQL."""
    return driver_each


LISTS = Path(__file__).resolve().parents[3] / "data" / "screening-lists"


def _right_click(view, pos: QPoint) -> None:
    """A real context-menu event on a view's viewport, as a right click sends."""
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)


def _actions(menu) -> dict[str, object]:
    return {a.objectName() or a.text().replace("&", ""): a for a in menu.actions() if not a.isSeparator()}


def _row_point(view, row: int) -> QPoint:
    return view.visualRect(view.model().index(row, 1)).center()


def test_right_click_on_a_table_row_offers_the_record_actions_and_they_work(driver, qtbot):
    w = driver.window
    tab = w.tables["party"]
    w._show_tab(tab)
    tab.filter.setText("Derek Aw")
    assert tab.proxy.rowCount() == 1
    _right_click(tab.view, _row_point(tab.view, 0))
    menu = w.context_menu
    names = _actions(menu)
    for wanted in ("context_inspect", "context_edit", "context_show_on_chart", "context_link_to",
                   "context_merge", "context_screen", "context_copy_label", "context_copy_id",
                   "context_copy_row", "context_copy_rows", "context_export_rows", "action_delete"):
        assert wanted in names, wanted
    derek = driver.ids()["Derek Aw"]
    assert w.selection.current_record_id() == derek  # the row right-clicked became the selection
    assert not names["context_merge"].isEnabled()  # one record selected: nothing to merge with
    names["context_copy_id"].trigger()
    assert QGuiApplication.clipboard().text() == str(derek)
    names["context_copy_label"].trigger()
    assert QGuiApplication.clipboard().text() == "Derek Aw"
    names["context_show_on_chart"].trigger()
    assert derek in w.chart.scene.nodes and w.chart.scene.nodes[derek].isSelected()
    names["context_edit"].trigger()
    assert w.inspector.current() == ("record", derek)
    menu.close()


def test_right_click_in_the_navigator_opens_the_record_menu(driver, qtbot):
    w = driver.window
    nav = w.navigator
    nav.search.setText("Derek")
    qtbot.waitUntil(lambda: nav.results_model.rowCount() > 0, timeout=5000)
    _right_click(nav.results, nav.results.visualRect(nav.results_model.index(0, 0)).center())
    names = _actions(w.context_menu)
    assert w.context_menu.objectName() == "record_context_menu"
    assert {"context_inspect", "context_link_to", "context_screen", "context_copy_label"} <= set(names)
    assert w.selection.current_record_id() == driver.ids()["Derek Aw"]
    names["context_inspect"].trigger()
    assert w.inspector.current() == ("record", driver.ids()["Derek Aw"])
    w.context_menu.close()


def test_the_chart_menu_on_a_record_has_the_common_actions_too(driver):
    w = driver.window
    rid = driver.ids()["Derek Aw"]
    point = driver.node_point(rid)
    w._on_chart_context(rid, None, w.chart.view.mapToScene(point), w.chart.view.mapToGlobal(point))
    names = _actions(w.context_menu)
    assert {"context_inspect", "context_link_to", "context_copy_id", "action_expand", "action_hide"} <= set(names)
    assert "context_show_on_chart" not in names  # it is on the chart already
    w.context_menu.close()


def test_link_to_asks_for_the_other_record_by_name_then_offers_the_link_types(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    derek = ids["Derek Aw"]
    w.select_record(derek)
    dialog = w.link_to(derek, "Derek Aw")
    dialog.query.setText("Beijing AI")
    assert dialog.results.count() >= 1 and dialog.chosen() == ids["Beijing AI company (unnamed)"]
    dialog.accept()
    menu = w.link_menu
    assert menu is not None and menu.objectName() == "link_menu"
    before = len(w.links_table.model._rows)
    act = next(a for a in menu.actions() if a.objectName().startswith("link_type_"))
    act.trigger()
    menu.close()
    driver.idle()
    assert w.links_table.model.rowCount() == before + 1  # the Links tab follows the new link


def test_screen_this_party_stores_its_hits(driver, qtbot):
    w = driver.window
    with driver.ws.write() as s:
        run_to_end(import_watchlist(s, LISTS / "csl" / "consolidated_sample_2024.csv"))
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    job = w.screen_record(rid, "Derek Aw")
    assert job is not None
    qtbot.waitUntil(lambda: "Screened ‘Derek Aw’" in w.statusBar().currentMessage(), timeout=30000)
    with driver.ws.read() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "screen").order_by(AuditEntry.id.desc()))
    assert json.loads(entry.after)["records"] == 1  # that party only, not the whole case


def test_the_links_tab_lists_every_link_sorts_and_filters(driver, qtbot):
    w = driver.window
    tab = w.links_table
    assert w.bottom_tabs.tabText(w.bottom_tabs.indexOf(tab)) == "Links (30)"
    with driver.ws.read() as s:
        count = len(s.scalars(select(Link.id).where(Link.case_id == driver.case_id)).all())
    assert tab.proxy.rowCount() == count == 30
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert headers == ["Id", "Type", "From", "To"]
    first = [tab.proxy.index(0, c).data() for c in range(4)]
    assert first[2:] == ["Derek Aw", "Aw's GPU platform company (name not given)"]
    tab.filter.setText("type: funds")
    assert tab.proxy.rowCount() == 4
    assert {tab.proxy.index(r, 3).data() for r in range(4)} >= {"Brisbane H100 fleet"}
    tab.filter.setText("")
    tab.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    froms = [tab.proxy.index(r, 2).data() for r in range(tab.proxy.rowCount())]
    assert froms == sorted(froms, key=str.casefold, reverse=True)
    # choosing a row selects the link everywhere; selecting a link elsewhere shows it here
    lid = tab.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    tab.view.selectRow(0)
    assert w.inspector.current() == ("link", lid)
    other = tab.proxy.index(5, 0).data(Qt.ItemDataRole.UserRole + 1)
    w.select_link(other)
    assert tab.view.currentIndex().data(Qt.ItemDataRole.UserRole + 1) == other


def test_right_click_on_a_link_row_offers_its_actions(driver, qtbot):
    w = driver.window
    tab = w.links_table
    w._show_tab(tab)
    tab.filter.setText("hosted")
    _right_click(tab.view, _row_point(tab.view, 0))
    names = _actions(w.context_menu)
    for wanted in ("context_inspect_link", "context_show_link_on_chart", "context_open_source", "context_open_target",
                   "context_copy_id", "context_copy_rows", "context_export_rows", "action_delete"):
        assert wanted in names, wanted
    lid = tab.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert w.inspector.current() == ("link", lid)
    names["context_show_link_on_chart"].trigger()
    assert f"link:{lid}" in w.chart.scene.edges
    w.context_menu.close()


def test_export_visible_rows_writes_the_filtered_sorted_rows_neutralised_and_audited(driver, qtbot, tmp_path):
    w = driver.window
    tab = w.tables["party"]
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    editor = w.inspector.editor("website")
    editor.set_raw("=HYPERLINK(\"http://x\")")
    editor.commit()
    driver.idle()
    tab.filter.setText("Aw")
    tab.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    shown = [tab.proxy.index(r, 1).data() for r in range(tab.proxy.rowCount())]
    assert len(shown) >= 2
    out = tmp_path / "parties.csv"
    w.export_rows(tab.view, "party", str(out))
    driver.idle()
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = [tab.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.proxy.columnCount())]
    assert rows[0] == header
    assert [r[1] for r in rows[1:]] == shown  # the filter and the sort as shown
    cell = rows[1 + shown.index("Derek Aw")][header.index("Website")]
    assert cell == "'=HYPERLINK(\"http://x\")"  # a spreadsheet shows it as text, never runs it
    with driver.ws.read() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id.desc()))
    after = json.loads(entry.after)
    assert after["format"] == "csv rows" and after["rows"] == len(shown) and "filter 'Aw'" in after["scope"]
    text = w.copy_rows(tab.view)
    assert text.splitlines()[0].split("\t")[:2] == ["Id", "Label"] and len(text.splitlines()) == len(shown) + 1


def test_the_chart_menu_on_a_link_inspects_copies_and_deletes(driver):
    w = driver.window
    key = next(k for k, e in w.chart.scene.edges.items() if e.link_id is not None)
    lid = w.chart.scene.edges[key].link_id
    w._on_chart_context(None, key, w.chart.view.mapToScene(QPoint(5, 5)), w.chart.view.mapToGlobal(QPoint(5, 5)))
    names = _actions(w.context_menu)
    assert {"context_inspect_link", "context_copy_id", "action_attach", "action_delete"} <= set(names)
    assert w.inspector.current() == ("link", lid)
    names["context_copy_id"].trigger()
    assert QGuiApplication.clipboard().text() == str(lid)
    w.context_menu.close()


def test_ctrl_c_in_a_table_copies_the_selected_row_whole(driver, qtbot):
    w = driver.window
    tab = w.tables["party"]
    w._show_tab(tab)
    tab.filter.setText("Derek Aw")
    tab.view.selectRow(0)
    tab.view.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(tab.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[:2] == ["Id", "Label"]
    assert lines[1].split("\t")[:2] == [str(driver.ids()["Derek Aw"]), "Derek Aw"] and len(lines) == 2


def test_right_click_on_a_timeline_bar_opens_its_links_menu(driver, qtbot):
    w = driver.window
    w._show_tab(w.timeline)
    view = w.timeline.view
    qtbot.waitUntil(lambda: any(i.link_id is not None for i in view.items()), timeout=5000)
    item = next(i for i in view.items() if i.link_id is not None and view.rect_of(i.key) is not None)
    centre = view.rect_of(item.key).center().toPoint()
    _right_click(view, centre)
    names = _actions(w.context_menu)
    assert {"context_inspect_link", "context_show_link_on_chart", "context_open_source", "action_delete"} <= set(names)
    assert "context_export_rows" not in names  # no table here
    assert w.inspector.current() == ("link", item.link_id)
    w.context_menu.close()


def test_the_splitter_above_the_bottom_dock_is_drawn_where_it_can_be_seen(driver):
    from PySide6.QtGui import QColor

    w = driver.window
    top = w.dock_bottom.geometry().top()
    picture = w.grab().toImage()
    x = w.centralWidget().geometry().center().x()
    assert QColor(picture.pixel(x, top - 3)).name() == "#d3d8dd"  # the grip-coloured bar
