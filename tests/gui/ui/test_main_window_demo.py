"""The main window on the demo case: what it shows, its actions, its remembered layout, the chart's readability."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QSettings

from casedesk.domain.models import RECORD_KINDS
from casedesk.ui.chart.items import LABEL_WIDTH


@pytest.fixture
def driver(driver_each):  # noqa: ANN001, ANN201
    """Each test here runs on SQLite and, when CASEDESK_TEST_PG_URL is set, on PostgreSQL."""
    return driver_each


def test_window_shows_the_demo_case_everywhere(driver):
    w = driver.window
    ids = driver.ids()
    assert w.current_case_id() == driver.case_id
    # navigator: the case, then its kinds with counts
    nav = w.navigator.model
    kinds = [nav.index(r, 0, nav.case_index()).data() for r in range(nav.rowCount(nav.case_index()))]
    assert kinds == ["Parties (19)", "Wallets (4)", "Data centers (2)", "Server fleets (3)", "Contracts (4)"]
    # tables per kind, with counts in the tab titles
    assert w.tables["party"].model.rowCount() == 19
    assert w.bottom_tabs.tabText(w.bottom_tabs.indexOf(w.tables["server"])) == "Server fleets (3)"
    # the chart shows every record and every link and contract party
    assert set(w.chart.scene.nodes) == set(ids.values())
    assert len(w.visible_link_ids()) == 30
    assert sum(1 for e in w.chart.scene.edges.values() if e.link_type == "contract_party") == 12
    # status bar totals from services.compute.case_totals
    totals = w.totals_label.text()
    assert "32 records" in totals and "30 links" in totals
    assert "at least 5,600 accelerators" in totals and "TPP" in totals


def test_every_action_has_a_shortcut_and_they_do_not_clash(driver):
    keys = {}
    for name, action in driver.window.actions_by_name.items():
        sequence = action.shortcut().toString()
        assert sequence, f"action {name} has no keyboard shortcut"
        assert sequence not in keys, f"{name} and {keys.get(sequence)} share {sequence}"
        keys[sequence] = name
    menus = {m.title().replace("&", "") for m in driver.window.menus.values()}
    assert {"File", "Edit", "Insert", "Chart", "View", "Help"} <= menus


def test_demo_chart_labels_do_not_overlap_after_layout(driver):
    """Readable at the demo's size: no label or icon box overlaps another after the automatic layout."""
    scene = driver.window.chart.scene
    boxes = []
    for rid, item in scene.nodes.items():
        boxes.append((rid, "label", item.mapRectToScene(item.label_rect())))
        boxes.append((rid, "icon", item.mapRectToScene(item.icon_rect())))
        assert item.label_rect().width() <= LABEL_WIDTH + 8
    clashes = [(a[:2], b[:2]) for a, b in itertools.combinations(boxes, 2)
               if a[0] != b[0] and a[2].intersects(b[2])]
    assert clashes == []
    # and the whole demo fits the window at a zoom where labels are drawn
    assert driver.window.chart.view.scale_factor() >= 0.6


def test_demo_link_labels_do_not_cover_record_labels(driver):
    scene = driver.window.chart.scene
    record_labels = [item.mapRectToScene(item.label_rect()) for item in scene.nodes.values()]
    shown = [e for e in scene.edges.values() if e.label_shown()]
    covered = [e.key for e in shown if any(e.label_rect().intersects(r) for r in record_labels)]
    assert covered == []
    clashing = [(a.key, b.key) for a, b in itertools.combinations(shown, 2) if a.label_rect().intersects(b.label_rect())]
    assert clashing == []
    # labels that found no clear spot are few, and show when their link is selected
    assert len(shown) >= 0.8 * len(scene.edges)


def test_layout_run_again_is_undoable_and_saved(driver):
    from casedesk.services.chart_graph import load_positions

    w = driver.window
    before = w.chart_positions()
    w.chart.scene.set_positions({rid: (x + 500, y) for rid, (x, y) in before.items()})
    w.actions_by_name["layout"].trigger()
    driver.idle()
    after = w.chart_positions()
    with driver.ws.read() as s:
        assert load_positions(s, driver.case_id) == after
    assert w.actions_by_name["undo"].text().replace("&", "") == "Undo Automatic layout"
    w.actions_by_name["undo"].trigger()
    driver.idle()
    assert w.chart_positions() == {rid: (x + 500, y) for rid, (x, y) in before.items()}


def test_window_layout_is_remembered(qtbot, demo_ws, open_window, tmp_path):
    ws, _ = demo_ws
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    first = open_window(ws, settings)
    first.dock_inspector.hide()
    first.close()
    second = open_window(ws, settings)
    assert not second.dock_inspector.isVisible()
    assert second.dock_navigator.isVisible()


def test_integration_points_for_other_panels(driver, qtbot):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel

    w = driver.window
    ids = driver.ids()
    index = w.add_bottom_tab(QLabel("hits"), "Screening hits")
    assert w.bottom_tabs.tabText(index) == "Screening hits"
    action = QAction("Run analysis", w)
    w.add_menu_action("Analysis", action)
    assert action in w.menus["Analysis"].actions()
    w.add_menu_action("File", QAction("Export PDF…", w))
    with qtbot.waitSignal(w.selection.record_selected) as got:
        w.select_record(ids["Derek Aw"])
    assert got.args == [ids["Derek Aw"]]
    link = w.visible_link_ids()[0]
    with qtbot.waitSignal(w.selection.link_selected):
        w.select_link(link)
    assert w.inspector.current() == ("link", link)
    w.highlight_path([ids["Derek Aw"], ids["Aw's GPU platform company (name not given)"]], [1])
    marked_records, marked_links = w.chart.scene.marked()
    assert set(marked_records) == {ids["Derek Aw"], ids["Aw's GPU platform company (name not given)"]}
    assert marked_links == ["link:1"]
    assert set(w.chart_positions()) == set(w.visible_record_ids()) == set(ids.values())
    w.kind_filters["wallet"].setChecked(False)
    assert not set(w.visible_record_ids()) & {ids[k] for k in ids if "wallet" in k}
    assert len(w.visible_link_ids()) < 30


def test_all_record_kinds_have_tables(driver):
    assert list(driver.window.tables) == list(RECORD_KINDS)
