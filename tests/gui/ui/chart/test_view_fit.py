"""The chart opens, reopens and jumps at a zoom an investigator can read."""

from __future__ import annotations

from PySide6.QtCore import QRectF

from casedesk.ui.chart.items import LABEL_DETAIL


def _covered(window) -> float:  # noqa: ANN001
    """How much of the view the records fill (the larger of width and height share)."""
    view = window.chart.view
    rect = QRectF()
    for item in window.chart.scene.nodes.values():
        if item.isVisible():
            rect = rect.united(item.sceneBoundingRect())
    shown = view.mapFromScene(rect).boundingRect()
    port = view.viewport().rect()
    return max(shown.width() / port.width(), shown.height() / port.height())


def test_a_reopened_case_covers_the_view_as_it_did_the_first_time(qtbot, demo_ws, open_window, view_settings):
    ws, case_id = demo_ws
    first = open_window(ws)
    first.set_case(case_id)
    qtbot.waitUntil(first.is_idle)
    qtbot.waitUntil(lambda: not first.chart.layout_pending() and not first.chart.layout_running, timeout=15000)
    before = _covered(first)
    assert before > 0.6
    first.close()
    # As the app starts: the window is built and the last case opened before it is shown at its size.
    from casedesk.ui.main_window import MainWindow
    from casedesk.ui.tasks import TaskRunner

    runner = TaskRunner()
    again = MainWindow(ws, runner, settings=view_settings)
    qtbot.addWidget(again)
    try:
        again.set_case(case_id)  # every record has a saved position now
        again.resize(1500, 950)
        again.show()
        qtbot.waitExposed(again)
        qtbot.waitUntil(again.is_idle)
        qtbot.wait(50)
        after = _covered(again)
        assert after > 0.6 and abs(after - before) < 0.15, (before, after)
        assert again.chart.view.scale_factor() >= LABEL_DETAIL
    finally:
        again.close()
        runner.shutdown()


def test_resizing_keeps_the_fit_until_the_user_zooms(driver, qtbot):
    window = driver.window
    window.resize(900, 600)
    qtbot.wait(50)
    window.resize(1500, 950)
    qtbot.wait(50)
    assert _covered(window) > 0.6
    window.chart.view.zoom_by(0.5)
    zoom = window.chart.view.scale_factor()
    window.resize(1200, 800)
    qtbot.wait(50)
    assert window.chart.view.scale_factor() == zoom  # the user's zoom is left alone


def test_a_jump_from_the_navigator_lands_where_the_label_reads(driver, qtbot):
    window = driver.window
    view = window.chart.view
    view.zoom_by(0.1)
    assert view.scale_factor() < LABEL_DETAIL
    target = max(window.chart.scene.nodes)
    window.selection.select_record(target)
    qtbot.waitUntil(lambda: window.inspector.current() == ("record", target))
    assert view.scale_factor() >= LABEL_DETAIL
    item = window.chart.scene.nodes[target]
    assert view.viewport().rect().contains(view.mapFromScene(item.sceneBoundingRect().center()))
