"""Undo support: deleted records, links and merges come back whole, audited; small inverse edits."""

from __future__ import annotations

from datetime import date

import pytest

from sqlalchemy import select

from casedesk.domain.models import AuditEntry, Citation, ContractParty, Event
from casedesk.services.chart_graph import chart_edges, load_positions, save_positions
from casedesk.services.editing import (
    delete_citation,
    delete_event,
    delete_evidence,
    reattach_evidence,
    readd_event,
    recite,
    remove_contract_party,
)
from casedesk.services.record_description import describe_record
from casedesk.services.links import delete_link
from casedesk.services.listings import list_links, list_records
from casedesk.services.restore import (
    capture_link,
    delete_records_captured,
    merge_captured,
    restore_link,
    restore_records,
    unmerge,
)
from casedesk.services.timeline import timeline_items
from casedesk.services.verify import verify_workspace


def _state(ws, case_id):
    with ws.read() as s:
        records = list_records(s, case_id)
        return {
            "records": records,
            "links": list_links(s, case_id),
            "edges": chart_edges(s, case_id),
            "described": [describe_record(s, r["id"]) for r in records],
            "positions": load_positions(s, case_id),
            "citations": sorted((c.id, c.evidence_id, c.record_id, c.link_id, c.locator)
                                for c in s.scalars(select(Citation))),
            "events": sorted((e.id, e.record_id, e.title, e.on) for e in s.scalars(select(Event))),
        }


def _ids(ws, case_id):
    with ws.read() as s:
        return {r["label"]: r["id"] for r in list_records(s, case_id)}


AWCO = "Aw's GPU platform company (name not given)"


@pytest.fixture
def demo_any(workspace):
    """The demo case on each backend."""
    from casedesk.services.demo import load_demo_case

    with workspace.write() as s:
        return workspace, load_demo_case(s).id


def test_deleted_record_comes_back_whole(demo_any):
    ws, case_id = demo_any
    ids = _ids(ws, case_id)
    with ws.write() as s:
        save_positions(s, case_id, {i: (1.0 * i, 2.0) for i in ids.values()})
    before = _state(ws, case_id)
    with ws.write() as s:
        caps = delete_records_captured(s, {ids[AWCO]: 1})
    after_delete = _state(ws, case_id)
    assert len(after_delete["links"]) < len(before["links"])
    with ws.write() as s:
        restored = restore_records(s, caps)
        changes = s.info["changes"]
    assert restored == [ids[AWCO]]
    assert ids[AWCO] in changes.ids("created", "record")
    assert _state(ws, case_id) == before
    with ws.read() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(3))]
        assert "restore" in actions
    assert verify_workspace(ws).ok


def test_two_linked_records_deleted_together_come_back_with_their_link(demo_ws):
    ws, case_id = demo_ws
    ids = _ids(ws, case_id)
    before = _state(ws, case_id)
    with ws.write() as s:
        caps = delete_records_captured(s, {ids["Derek Aw"]: 1, ids[AWCO]: 1, ids["Brisbane H100 fleet"]: 1})
    with ws.write() as s:
        restore_records(s, caps)
    assert _state(ws, case_id) == before


def test_merge_is_undone_exactly(demo_any):
    ws, case_id = demo_any
    ids = _ids(ws, case_id)
    with ws.write() as s:
        save_positions(s, case_id, {ids["Google"]: (5.0, 5.0), ids[AWCO]: (9.0, 9.0)})
    before = _state(ws, case_id)
    with ws.write() as s:
        cap = merge_captured(s, ids["Google"], ids[AWCO])
    merged = _state(ws, case_id)
    assert len(merged["records"]) == len(before["records"]) - 1
    with ws.write() as s:
        unmerge(s, cap)
    after = _state(ws, case_id)
    # The kept record's version moves on (it was edited twice); everything else is as before.
    for state in (before, after):
        for r in state["records"]:
            r.pop("version")
        for d in state["described"]:
            d.pop("version")
    assert after == before


def test_deleted_link_comes_back_with_its_citations(demo_ws):
    ws, case_id = demo_ws
    before = _state(ws, case_id)
    link_id = before["links"][0]["id"]
    with ws.write() as s:
        cap = capture_link(s, link_id)
        delete_link(s, link_id, expected_version=1)
    with ws.write() as s:
        assert restore_link(s, cap) == link_id
    assert _state(ws, case_id) == before


def test_small_inverse_edits_round_trip(demo_ws):
    ws, case_id = demo_ws
    before = _state(ws, case_id)
    with ws.read() as s:
        event_id = s.scalar(select(Event.id).order_by(Event.id))
        citation_id = s.scalar(select(Citation.id).order_by(Citation.id))
        cp_id = s.scalar(select(ContractParty.id).order_by(ContractParty.id))
    with ws.write() as s:
        ev = delete_event(s, event_id)
        cite = delete_citation(s, citation_id)
        cp = remove_contract_party(s, cp_id)
    with ws.write() as s:
        readd_event(s, ev)
        recite(s, cite)
        from casedesk.services.records import add_contract_party

        add_contract_party(s, cp["contract_id"], cp["party_id"], cp["role"])
    after = _state(ws, case_id)
    assert sorted(map(str, (e[1:] for e in after["events"]))) == sorted(map(str, (e[1:] for e in before["events"])))
    assert sorted(map(str, (c[1:] for c in after["citations"]))) == sorted(map(str, (c[1:] for c in before["citations"])))
    with ws.read() as s:
        evidence_id = s.scalar(select(Citation.evidence_id).order_by(Citation.id))
    with ws.write() as s:
        captured = delete_evidence(s, evidence_id)
    with ws.write() as s:
        new_id, cites = reattach_evidence(s, captured)
    assert len(cites) == len(captured["citations"]) > 0
    assert verify_workspace(ws).ok


def test_timeline_keeps_date_precision(demo_ws):
    ws, case_id = demo_ws
    with ws.read() as s:
        items = timeline_items(s, case_id)
    by_title = {i.title: i for i in items}
    installed = next(i for i in items if i.kind == "installed")
    assert installed.start == "2024-06" and installed.precision == "month"
    assert (installed.first_day, installed.last_day) == (date(2024, 6, 1), date(2024, 6, 30))
    about = next(i for i in items if i.start.startswith("~"))
    assert about.about and about.kind == "event"
    link = next(i for i in items if i.kind == "link" and i.title.startswith("uses compute of"))
    assert link.open_end and link.link_id is not None
    term = next(i for i in items if i.kind == "term")
    assert term.record_id == term.lane_id
    case_event = by_title["Wall Street Journal publishes the report"]
    assert case_event.lane_id is None and case_event.lane_label == "Case"
    assert [i.first_day for i in items] == sorted(i.first_day for i in items)


def test_timeline_shows_a_fleet_decommissioning(demo_ws):
    from casedesk.services.listings import list_records
    from casedesk.services.records import get_record, update_record

    ws, case_id = demo_ws
    with ws.write() as s:
        fleet = next(r["id"] for r in list_records(s, case_id) if r["label"] == "Brisbane H100 fleet")
        update_record(s, fleet, {"decommissioned_on": "2025-03"},
                      expected_version=get_record(s, fleet).version)
    with ws.read() as s:
        items = timeline_items(s, case_id)
    retired = next(i for i in items if i.kind == "decommissioned")
    assert retired.record_id == fleet and retired.start == "2025-03" and retired.title == "Decommissioned"
