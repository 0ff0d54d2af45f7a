"""A case too big to draw whole: the chart shows a part, grows on demand and reopens as it was left."""

from __future__ import annotations

import random

import pytest

from casedesk.services.bulk import bulk_create_links, bulk_create_records
from casedesk.services.cases import create_case
from casedesk.services.records import RecordIn
from casedesk.ui.chart import panel


@pytest.fixture
def big_case(sqlite_ws, monkeypatch):
    monkeypatch.setattr(panel, "SHOW_ALL_LIMIT", 60)
    monkeypatch.setattr(panel, "INITIAL_LARGE", 15)
    rng = random.Random(4)
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Big").id
        ids = bulk_create_records(s, case_id, [RecordIn("party", {"label": f"Company {i}"}) for i in range(150)])
        links = {(rng.choice(ids), rng.choice(ids)) for _ in range(300)}
        bulk_create_links(s, case_id, [("customer_of", a, b, {}) for a, b in links if a != b])
    return sqlite_ws, case_id, ids


def test_big_case_shows_the_most_connected_and_grows_on_demand(qtbot, big_case, open_window):
    ws, case_id, ids = big_case
    window = open_window(ws)
    chart = window.chart
    assert len(chart.scene.nodes) == 15
    assert chart._bar.isVisible() and "15 of 150" in chart._info.text()
    outside = next(r for r in ids if r not in chart.scene.nodes)
    window.select_record(outside)  # e.g. a search result: it is brought onto the chart
    assert outside in chart.scene.nodes and outside in chart.scene.selected_record_ids()
    before = len(chart.scene.nodes)
    window.actions_by_name["expand"].trigger()
    assert len(chart.scene.nodes) > before
    qtbot.waitUntil(window.is_idle, timeout=10000)
    shown = set(chart.scene.nodes)
    positions = window.chart_positions()
    window.set_case(case_id)  # reopen: the same records, where they were
    assert set(chart.scene.nodes) == shown
    assert window.chart_positions() == positions
    window.actions_by_name["show_all"].trigger()
    assert len(chart.scene.nodes) == 150 and not chart._bar.isVisible()
