"""verify names findings, screening hits, events and citations changed behind the app's back (both
backends), and stays clean after the app's own merges, undos and decisions."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from casedesk.services.audit import record_audit
from casedesk.services.cases import create_case
from casedesk.services.evidence import add_event, attach_evidence, cite
from casedesk.services.findings import add_manual_finding, decide_finding
from casedesk.services.records import merge_records
from casedesk.services.restore import merge_captured, unmerge
from casedesk.services.screening.hits import decide_hit
from casedesk.services.verify import verify_workspace

from factories import make_hit, make_link, make_party


def _raw(ws, *statements: str) -> None:
    with ws.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _state(ws) -> list[str]:
    report = verify_workspace(ws)
    return [f"{p.subject}: {p.reason}" for p in report.problems if p.check == "state"]


def _audited_hit(s, case_id: int, record_id: int, key: str) -> int:
    """A hit stored with the entry screening writes for a new one."""
    hit = make_hit(s, case_id, record_id, key)
    record_audit(s, "create", "screening_hit", hit, case_id=case_id, record_id=record_id,
                 after={"list": "Test list", "entry_key": key, "entry_name": "Listed Name", "score": 90.0})
    return hit


@pytest.fixture
def rows(workspace):  # noqa: ANN001, ANN201
    """A case with a finding (decided), a hit (decided), an event and a citation."""
    with workspace.write() as s:
        cid = create_case(s, "Case").id
        a, b = make_party(s, cid, "Alpha Ltd"), make_party(s, cid, "Beta GmbH")
        link = make_link(s, cid, "owns", a, b)
        ev = attach_evidence(s, cid, b"registry extract", title="Registry extract").id
        citation = cite(s, ev, record_id=a, locator="p. 3", claim="owner").id
        link_cite = cite(s, ev, link_id=link, locator="p. 4").id
        event = add_event(s, cid, "Incorporated", "2019-03", record_id=a).id
        finding = add_manual_finding(s, cid, "Shares held through a nominee", severity="high",
                                     record_ids=[a, b]).id
        hit = _audited_hit(s, cid, a, "SDN-1")
    with workspace.write() as s:
        decide_finding(s, finding, "dismissed", "nominee is a bank")
        decide_hit(s, hit, "dismissed", "different country")
    return workspace, {"case": cid, "a": a, "b": b, "link": link, "evidence": ev, "citation": citation,
                       "link_cite": link_cite, "event": event, "finding": finding, "hit": hit}


def test_untouched_rows_verify_clean(rows):
    assert _state(rows[0]) == []


def test_each_tampered_row_is_named_with_table_id_field_expected_and_found(rows):
    ws, ids = rows
    _raw(ws, f"UPDATE finding SET status = 'open', severity = 'low' WHERE id = {ids['finding']}",
         f"UPDATE screening_hit SET status = 'confirmed' WHERE id = {ids['hit']}",
         f"UPDATE event SET \"on\" = '2021' WHERE id = {ids['event']}",
         f"UPDATE citation SET claim = 'not the owner' WHERE id = {ids['citation']}")
    state = "\n".join(_state(ws))
    f, h, e, c = ids["finding"], ids["hit"], ids["event"], ids["citation"]
    assert (f"finding {f} 'Shares held through a nominee': status is 'open' here but 'dismissed' "
            "in its last audit entry") in state
    assert f"finding {f} 'Shares held through a nominee': severity is 'low' here but 'high'" in state
    assert (f"screening_hit {h} (Test list SDN-1 on record {ids['a']}): status is 'confirmed' here "
            "but 'dismissed'") in state
    assert f"event {e} 'Incorporated': on is '2021' here but '2019-03'" in state
    assert (f"citation {c} (evidence {ids['evidence']} for record {ids['a']}): claim is "
            "'not the owner' here but 'owner'") in state
    assert state.count("changed outside CaseDesk") == 5


def test_rows_moved_or_deleted_behind_the_app_are_named(rows):
    ws, ids = rows
    _raw(ws, f"UPDATE citation SET record_id = {ids['b']} WHERE id = {ids['citation']}",
         f"DELETE FROM event WHERE id = {ids['event']}",
         f"DELETE FROM citation WHERE id = {ids['link_cite']}",
         f"INSERT INTO event (id, case_id, record_id, title, \"on\", description, created_at) "
         f"VALUES (900, {ids['case']}, {ids['a']}, 'Planted', '2020', '', 'x')")
    state = "\n".join(_state(ws))
    assert f"record_id is {ids['b']} here but {ids['a']}" in state
    assert f"event {ids['event']}: is missing, but its last audit entry" in state
    assert f"citation {ids['link_cite']}: is missing" in state
    assert "event 900 'Planted': has no audit entry: it was added outside CaseDesk" in state


def test_rows_gone_with_their_record_or_evidence_through_the_app_are_not_named(rows):
    from casedesk.services.editing import delete_event
    from casedesk.services.records import delete_record

    ws, ids = rows
    with ws.write() as s:
        delete_event(s, ids["event"])
    with ws.write() as s:
        delete_record(s, ids["b"], expected_version=1)  # its link and the link's citation go too
    assert _state(ws) == []


def test_merging_and_unmerging_records_moves_rows_without_a_false_alarm(workspace):
    with workspace.write() as s:
        cid = create_case(s, "Case").id
        keep, drop = make_party(s, cid, "Jade Systems"), make_party(s, cid, "Jade Systems Inc.")
        ev = attach_evidence(s, cid, b"letter", title="Letter").id
        cite(s, ev, record_id=drop, locator="p. 1")
        add_event(s, cid, "Founded", "2018", record_id=drop)
        add_manual_finding(s, cid, "Same director", record_ids=[drop])
        decide_hit(s, _audited_hit(s, cid, keep, "EL-7"), "dismissed", "different city")
        decide_hit(s, _audited_hit(s, cid, drop, "EL-7"), "confirmed", "address matches")
    with workspace.write() as s:
        merge_records(s, keep, drop)
    assert _state(workspace) == []
    with workspace.write() as s:
        cid2 = create_case(s, "Other").id
        k2, d2 = make_party(s, cid2, "Aurora"), make_party(s, cid2, "Aurora Ltd")
        decide_hit(s, _audited_hit(s, cid2, d2, "EL-9"), "confirmed", "same number")
    with workspace.write() as s:
        cap = merge_captured(s, k2, d2)
    with workspace.write() as s:
        unmerge(s, cap)
    assert _state(workspace) == []
