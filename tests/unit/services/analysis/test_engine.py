"""The findings engine: upsert by (rule, subject), decisions kept, re-open on a new path, resolve."""

from __future__ import annotations

from datetime import date

import pytest
from casedesk.domain.models import AuditEntry, Finding
from casedesk.services.analysis.engine import run_analysis
from casedesk.services.cases import create_case
from casedesk.services.findings import decide_finding, list_findings
from casedesk.services.links import add_link, delete_link
from casedesk.services.progress import Progress, run_to_end
from casedesk.services.records import RecordIn, create_record, get_record, update_record
from casedesk.services.verify import verify_workspace
from sqlalchemy import func, select

AS_OF = date(2025, 6, 1)


def _case(ws):
    with ws.write() as s:
        cid = create_case(s, "engine").id
        rec = lambda kind, **f: create_record(s, cid, RecordIn(kind, f)).id  # noqa: E731
        fleet = rec("server", label="Fleet", accelerator_model="H100 SXM", server_count=10,
                    accelerators_per_server=8)
        user = rec("party", label="Beijing Co", country="CN")
        uses = add_link(s, cid, "uses_compute_of", user, fleet).id
    return cid, fleet, user, uses


def _run(ws, cid):
    with ws.write() as s:
        return run_to_end(run_analysis(s, cid, as_of=AS_OF))


def _hq(ws, cid):
    with ws.read() as s:
        return [f for f in list_findings(s, cid) if f["rule"] == "hq_controlled_compute"]


def test_rerun_updates_instead_of_duplicating(workspace):
    cid, fleet, user, _ = _case(workspace)
    first = _run(workspace, cid)
    assert first.counts["created"] >= 1
    second = _run(workspace, cid)
    assert second.counts == {"created": 0, "updated": 0, "unchanged": first.counts["created"],
                             "reopened": 0, "resolved": 0}
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(Finding)) == first.counts["created"]
    # A changed fact updates the finding in place.
    with workspace.write() as s:
        update_record(s, fleet, {"server_count": 20}, expected_version=get_record(s, fleet).version)
    third = _run(workspace, cid)
    assert third.counts["updated"] >= 1 and third.counts["created"] == 0
    assert "160 H100 SXM" in _hq(workspace, cid)[0]["explanation"]


def test_dismissed_finding_stays_dismissed_until_its_path_changes(workspace):
    cid, fleet, user, uses = _case(workspace)
    _run(workspace, cid)
    fid = _hq(workspace, cid)[0]["id"]
    with workspace.write() as s:
        decide_finding(s, fid, "dismissed", "licence seen: BIS licence D123456")
    _run(workspace, cid)
    f = _hq(workspace, cid)[0]
    assert (f["status"], f["reason"]) == ("dismissed", "licence seen: BIS licence D123456")
    # A fact that does not change the path (the fleet's size) keeps the dismissal.
    with workspace.write() as s:
        update_record(s, fleet, {"server_count": 12}, expected_version=get_record(s, fleet).version)
    _run(workspace, cid)
    assert _hq(workspace, cid)[0]["status"] == "dismissed"
    # A new link on the path (a contract covering the fleet) re-opens it.
    with workspace.write() as s:
        contract = create_record(s, cid, RecordIn("contract", {"label": "Rental"})).id
        from casedesk.services.records import add_contract_party
        add_contract_party(s, contract, user, "customer")
        add_link(s, cid, "covers", contract, fleet)
    result = _run(workspace, cid)
    f = _hq(workspace, cid)[0]
    assert result.counts["reopened"] == 1
    assert f["status"] == "open" and f["reason"] == ""
    assert f["details"]["reopened"]["previous_reason"] == "licence seen: BIS licence D123456"
    assert contract in f["record_ids"]


def test_finding_no_longer_true_is_resolved_and_comes_back_with_its_decision(workspace):
    cid, fleet, user, uses = _case(workspace)
    _run(workspace, cid)
    fid = _hq(workspace, cid)[0]["id"]
    with workspace.write() as s:
        decide_finding(s, fid, "dismissed", "end user is a US branch")
        delete_link(s, uses, expected_version=1)
    result = _run(workspace, cid)
    assert result.counts["resolved"] >= 1
    assert _hq(workspace, cid)[0]["status"] == "resolved"
    with workspace.write() as s:   # the user comes back through the data center: a new path
        dc = create_record(s, cid, RecordIn("datacenter", {"label": "DC", "country": "AU"})).id
        add_link(s, cid, "hosted_at", fleet, dc)
        add_link(s, cid, "uses_compute_of", user, dc)
    _run(workspace, cid)
    f = _hq(workspace, cid)[0]
    assert f["id"] == fid and f["status"] == "open"   # the path changed: decide again


def test_path_hash_sees_a_reused_link_id_with_other_ends():
    from casedesk.services.analysis.engine import path_hash
    from casedesk.services.analysis.graph import CaseGraph, LinkRow

    before, after = CaseGraph(1), CaseGraph(1)
    before.add_link(7, LinkRow("uses_compute_of", 1, 2, None, "", None, None))
    after.add_link(7, LinkRow("uses_compute_of", 3, 2, None, "", None, None))  # SQLite reused id 7
    assert path_hash([1, 2], [7], before) != path_hash([1, 2], [7], after)
    assert path_hash([2, 1], [7], before) == path_hash([1, 2, 2], [7], before)


def test_resolved_finding_returning_on_the_same_path_keeps_its_dismissal(workspace):
    cid, fleet, user, uses = _case(workspace)
    _run(workspace, cid)
    fid = _hq(workspace, cid)[0]["id"]
    with workspace.write() as s:
        decide_finding(s, fid, "dismissed", "checked")
        update_record(s, fleet, {"accelerator_model": "H20"}, expected_version=get_record(s, fleet).version)   # no longer controlled
    _run(workspace, cid)
    assert _hq(workspace, cid)[0]["status"] == "resolved"
    with workspace.write() as s:
        update_record(s, fleet, {"accelerator_model": "H100 SXM"}, expected_version=get_record(s, fleet).version)
    _run(workspace, cid)
    f = _hq(workspace, cid)[0]
    assert (f["id"], f["status"], f["reason"]) == (fid, "dismissed", "checked")


def test_confirmed_finding_stays_confirmed_and_notes_a_changed_path(workspace):
    cid, fleet, user, _ = _case(workspace)
    _run(workspace, cid)
    fid = _hq(workspace, cid)[0]["id"]
    with workspace.write() as s:
        decide_finding(s, fid, "confirmed", "matches the report")
        dc = create_record(s, cid, RecordIn("datacenter", {"label": "DC", "country": "AU"})).id
        add_link(s, cid, "hosted_at", fleet, dc)
    _run(workspace, cid)
    f = _hq(workspace, cid)[0]
    assert f["status"] == "confirmed" and f["details"]["path_changed_since_decision"]


def test_every_change_is_audited_and_the_chain_verifies(workspace):
    cid, *_ = _case(workspace)
    with workspace.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    result = _run(workspace, cid)
    with workspace.read() as s:
        entries = s.execute(select(AuditEntry.action, AuditEntry.entity).where(AuditEntry.id > 0)
                            .order_by(AuditEntry.id)).all()[before:]
    assert entries.count(("create", "finding")) == result.counts["created"]
    assert entries[-1] == ("analyse", "case")
    assert verify_workspace(workspace).ok


def test_cancelling_the_job_writes_nothing(workspace):
    cid, *_ = _case(workspace)
    with pytest.raises(GeneratorExit):
        with workspace.write() as s:
            job = run_analysis(s, cid, as_of=AS_OF)
            steps = [next(job) for _ in range(3)]
            assert all(isinstance(p, Progress) for p in steps)
            job.close()
            raise GeneratorExit
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(Finding)) == 0


def test_manual_findings_are_left_alone(workspace):
    from casedesk.services.findings import add_manual_finding

    cid, *_ = _case(workspace)
    with workspace.write() as s:
        add_manual_finding(s, cid, "Seen at the trade show", severity="low")
    _run(workspace, cid)
    _run(workspace, cid)
    with workspace.read() as s:
        manual = [f for f in list_findings(s, cid) if f["rule"] == "manual"]
    assert len(manual) == 1 and manual[0]["status"] == "open"


def test_unknown_case_is_a_clear_error(workspace):
    from casedesk.domain.errors import NotFoundError

    with workspace.write() as s, pytest.raises(NotFoundError):
        run_to_end(run_analysis(s, 999))


def test_garbage_collector_is_restored_after_a_run_and_a_cancel(workspace):
    import gc

    cid, *_ = _case(workspace)
    before = gc.get_threshold()
    _run(workspace, cid)
    assert gc.get_threshold() == before
    with workspace.read() as s:
        job = run_analysis(s, cid, as_of=AS_OF)
        next(job)
        assert gc.get_threshold()[0] > before[0]   # full passes deferred while the job runs
        job.close()
    assert gc.get_threshold() == before


def test_finding_rows_match_list_findings_and_paths_describe_records(workspace):
    from casedesk.services.analysis.explain import describe_path, finding_rows

    cid, fleet, user, uses = _case(workspace)
    _run(workspace, cid)
    with workspace.read() as s:
        listed = {f["id"]: f for f in list_findings(s, cid)}
        rows = finding_rows(s, cid)
        assert {r["id"] for r in rows} == set(listed)
        for r in rows:
            assert {k: r[k] for k in listed[r["id"]]} == listed[r["id"]]
        one = finding_rows(s, cid, [rows[0]["id"]])
        assert [r["id"] for r in one] == [rows[0]["id"]]
        path = describe_path(s, [user, fleet, 99999], [uses])
    assert [r["label"] for r in path["records"]] == ["Beijing Co", "Fleet", "#99999 (deleted)"]
    assert path["links"] == [{"id": uses, "type": "uses_compute_of", "source_id": user, "target_id": fleet}]


def test_hostile_labels_survive_the_fast_loader(workspace):
    """NUL, markup and RTL overrides in labels come back exactly (PostgreSQL escapes NUL)."""
    name = "Evil\x00Co <b>\u202e gnp.exe \ue000"
    with workspace.write() as s:
        cid = create_case(s, "hostile").id
        fleet = create_record(s, cid, RecordIn("server", {
            "label": "Fleet", "accelerator_model": "H100 SXM", "server_count": 1,
            "accelerators_per_server": 8})).id
        user = create_record(s, cid, RecordIn("party", {"label": name, "country": "CN"})).id
        add_link(s, cid, "uses_compute_of", user, fleet)
    _run(workspace, cid)
    f = _hq(workspace, cid)[0]
    assert f["explanation"].startswith(name + ", headquartered in China")
    assert f["title"].startswith(name)
