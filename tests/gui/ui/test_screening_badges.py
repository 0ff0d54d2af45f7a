"""Confirmed sanctions hits stand out where people work: chart badge, table column, column filter."""

from __future__ import annotations

from factories import make_case, make_hit, make_party
from PySide6.QtCore import Qt

from casedesk.services.screening.hits import decide_hit


def test_a_confirmed_hit_shows_on_the_chart_and_in_the_parties_table(sqlite_ws, open_window, qtbot):
    with sqlite_ws.write() as s:
        case_id = make_case(s, "Brisbane rentals")
        listed = make_party(s, case_id, "Harbor Compute Pte Ltd", party_kind="company", country="SG")
        clean = make_party(s, case_id, "Acme Bakery", party_kind="company", country="AU")
        hit_id = make_hit(s, case_id, listed)
    w = open_window(sqlite_ws)
    w.set_case(case_id)
    qtbot.waitUntil(w.is_idle)
    nodes = w.chart.scene.nodes
    assert nodes[listed].badge() == "open" and nodes[clean].badge() == ""
    with sqlite_ws.write() as s:
        decide_hit(s, hit_id, "confirmed", "same registration number")
    w.hits.hits_changed.emit(case_id)
    assert nodes[listed].badge() == "confirmed"
    assert "confirmed list match" in nodes[listed].tooltip()
    tab = w.tables["party"]
    column = next(c for c in range(tab.model.columnCount())
                  if tab.model.headerData(c, Qt.Orientation.Horizontal) == "Screening")
    row = tab.model.ensure_row(listed)
    assert tab.model.index(row, column).data() == "confirmed hit"
    tab.filter.setText("screening: confirmed")
    assert tab.proxy.rowCount() == 1
    assert tab.proxy.index(0, 1).data() == "Harbor Compute Pte Ltd"
    tab.filter.setText("")
    assert tab.proxy.rowCount() == 2
