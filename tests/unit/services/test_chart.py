"""Chart data, positions, neighbours and paths; the layout keeps node boxes apart."""

from __future__ import annotations

import itertools
import random

from casedesk.domain.models import AuditEntry
from casedesk.services.chart_graph import (
    chart_edges,
    chart_nodes,
    find_path,
    load_positions,
    most_connected,
    neighbours,
    remove_positions,
    save_positions,
)
from casedesk.services.chart_layout import GAP, layout_job, place_near
from casedesk.services.progress import run_to_end
from casedesk.services.listings import list_records
from sqlalchemy import func, select


def _by_label(ws, case_id):
    with ws.read() as s:
        return {r["label"]: r["id"] for r in list_records(s, case_id)}


def test_edges_include_links_and_contract_parties_with_roles(demo_ws):
    ws, case_id = demo_ws
    ids = _by_label(ws, case_id)
    with ws.read() as s:
        nodes = chart_nodes(s, case_id)
        edges = chart_edges(s, case_id)
    assert len(nodes) == len(ids)
    aw = next(n for n in nodes if n.label == "Derek Aw")
    assert (aw.kind, aw.subkind) == ("party", "person")
    contract = ids["Smart-contract compute rental: Brisbane H100s for the Beijing company"]
    roles = sorted(e.label for e in edges if e.link_type == "contract_party" and e.target_id == contract)
    assert roles == ["customer", "payee", "payer", "provider"]
    officer = next(e for e in edges if e.link_type == "officer_of" and e.source_id == ids["Derek Aw"])
    assert officer.label == "officer of" and "runs the company" in officer.detail


def test_share_shows_on_ownership_edges(workspace, case_id):
    from casedesk.services.links import add_link
    from casedesk.services.records import RecordIn, create_record

    with workspace.write() as s:
        a = create_record(s, case_id, RecordIn("party", {"label": "Parent"})).id
        b = create_record(s, case_id, RecordIn("party", {"label": "Sub"})).id
        add_link(s, case_id, "owns", a, b, share_pct=51)
    with workspace.read() as s:
        (edge,) = chart_edges(s, case_id, {a, b})
    assert edge.label == "owns 51 %"


def test_neighbours_path_and_most_connected(demo_ws):
    ws, case_id = demo_ws
    ids = _by_label(ws, case_id)
    aw, beijing = ids["Derek Aw"], ids["Beijing AI company (unnamed)"]
    awco = ids["Aw's GPU platform company (name not given)"]
    with ws.read() as s:
        assert neighbours(s, case_id, [aw]) == {awco}
        path = find_path(s, case_id, aw, beijing)
        assert path.record_ids[0] == aw and path.record_ids[-1] == beijing
        assert len(path.record_ids) == 3  # Aw → company ← customer_of ← Beijing
        assert len(path.link_ids) == 2
        assert find_path(s, case_id, aw, ids["Google"]) is None
        top = most_connected(s, case_id, 3)
    assert awco in top


def test_positions_are_saved_replaced_and_removed_with_one_audit_entry_each(demo_ws):
    ws, case_id = demo_ws
    ids = list(_by_label(ws, case_id).values())
    with ws.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    with ws.write() as s:
        save_positions(s, case_id, {i: (float(i), 2.0 * i) for i in ids})
    with ws.write() as s:
        save_positions(s, case_id, {ids[0]: (-5.0, 7.5)})
    with ws.read() as s:
        pos = load_positions(s, case_id)
        assert pos[ids[0]] == (-5.0, 7.5) and pos[ids[1]] == (float(ids[1]), 2.0 * ids[1])
    with ws.write() as s:
        remove_positions(s, case_id, [ids[0]])
    with ws.read() as s:
        assert ids[0] not in load_positions(s, case_id)
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before + 3


def _overlaps(positions, boxes):
    rects = {n: (x + boxes[n][0], y + boxes[n][1], x + boxes[n][0] + boxes[n][2], y + boxes[n][1] + boxes[n][3])
             for n, (x, y) in positions.items()}
    bad = []
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        if ra[0] < rb[2] and rb[0] < ra[2] and ra[1] < rb[3] and rb[1] < ra[3]:
            bad.append((a, b))
    return bad


def test_layout_places_every_node_without_overlapping_boxes():
    rng = random.Random(7)
    nodes = list(range(1, 301))
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(450)]
    boxes = {n: (-60.0 - n % 40, -20.0, 120.0 + 2 * (n % 40), 70.0) for n in nodes}
    positions = run_to_end(layout_job(nodes, edges, boxes))
    assert set(positions) == set(nodes)
    assert _overlaps(positions, boxes) == []


def test_new_nodes_go_near_their_neighbours_and_clear_of_others():
    boxes = {n: (-50.0, -20.0, 100.0, 60.0) for n in range(1, 8)}
    placed = {1: (0.0, 0.0), 2: (400.0, 0.0)}
    new = place_near([3, 4, 5, 6, 7], [(1, 3), (1, 4), (1, 5), (1, 6), (2, 7)], placed, boxes)
    everything = {**placed, **new}
    assert _overlaps(everything, boxes) == []
    for n in (3, 4, 5, 6):
        assert abs(new[n][0]) + abs(new[n][1]) < 400  # closer to 1 than to 2
    assert abs(new[7][0] - 400) < 250
    assert GAP > 0
