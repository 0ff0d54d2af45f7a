"""The link chart: every record drawn, names and link labels never overlap, all inside the area."""

from __future__ import annotations

import itertools

from reportlab.graphics.shapes import String

from casedesk.services.reporting import DossierOptions, build_dossier
from casedesk.services.reporting.chart_drawing import link_chart


def _overlap(a, b) -> bool:  # noqa: ANN001
    return a[0] < b[2] - 0.01 and b[0] < a[2] - 0.01 and a[1] < b[3] - 0.01 and b[1] < a[3] - 0.01


def _check(chart, width: float, height: float) -> None:  # noqa: ANN001
    boxes = chart.label_boxes
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlap(a, b), (a, b)
    for x0, y0, x1, y1 in boxes:
        assert -0.5 <= x0 and x1 <= width + 0.5 and -0.5 <= y0 and y1 <= height + 0.5


def test_demo_chart_names_every_record_without_overlaps(demo):
    with demo.ws.read() as s:
        d = build_dossier(s, demo.case_id)
    chart = link_chart(d, 770, 420)
    assert chart.labelled_records == len(d.records) == 32
    _check(chart, 770, 420)
    link_labels = len(chart.label_boxes) - chart.labelled_records
    assert link_labels + chart.omitted_link_labels == len(d.links)
    assert link_labels >= len(d.links) * 2 // 3  # most links carry their label
    texts = [n.text for n in chart.drawing.getContents() if isinstance(n, String)]
    assert "owns asset" in texts and "Derek Aw" in texts


def test_view_positions_are_kept_in_proportion(demo):
    ids = demo.ids
    a, b, c = ids["Derek Aw"], ids["Joseph Tse"], ids["Google"]
    with demo.ws.read() as s:
        d = build_dossier(s, demo.case_id, DossierOptions(record_ids=frozenset({a, b, c}),
                                                          positions={a: (0, 0), b: (100, 0), c: (0, 50)}))
    chart = link_chart(d, 770, 420)
    _check(chart, 770, 420)
    # Scene y grows downwards: c (y=50) is drawn below a (y=0); a-b twice as far apart as a-c.
    boxes = {}
    for node in chart.drawing.getContents():
        if isinstance(node, String) and node.text in ("Derek Aw", "Joseph Tse", "Google"):
            boxes[node.text] = (node.x, node.y)
    (ax, ay), (bx, by), (cx, cy) = boxes["Derek Aw"], boxes["Joseph Tse"], boxes["Google"]
    assert cy < ay and abs(ay - by) < 1
    assert abs((bx - ax) / (ay - cy) - 2.0) < 0.25


def test_large_chart_names_only_non_colliding_hubs(sqlite_ws):
    from casedesk.services.bulk import bulk_create_links, bulk_create_records
    from casedesk.services.cases import create_case
    from casedesk.services.records import RecordIn

    with sqlite_ws.write() as s:
        case_id = create_case(s, "Star").id
        ids = bulk_create_records(s, case_id, [RecordIn("party", {"label": f"Company {i}"}) for i in range(400)])
        bulk_create_links(s, case_id, [("owns", ids[0], t, {}) for t in ids[1:200]]
                          + [("owns", ids[200], t, {}) for t in ids[201:]])
    with sqlite_ws.read() as s:
        d = build_dossier(s, case_id)
    chart = link_chart(d, 770, 420)
    assert 2 <= chart.labelled_records <= 50
    _check(chart, 770, 420)
    texts = {n.text for n in chart.drawing.getContents() if isinstance(n, String)}
    assert "Company 0" in texts and "Company 200" in texts
