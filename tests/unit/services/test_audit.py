"""The audit chain: every mutation appends in the same transaction; tampering is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import AuditEntry
from casedesk.services.audit import GENESIS, canonical_json
from casedesk.services.records import RecordIn, create_record, update_record
from casedesk.services.verify import verify_workspace

from factories import make_party


def test_chain_links_each_entry_to_the_previous(workspace, case_id):
    with workspace.write() as s:
        rid = make_party(s, case_id, "A")
        update_record(s, rid, {"label": "B"}, expected_version=1)
    with workspace.read() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert entries[0].prev_hash == GENESIS
    for prev, cur in zip(entries, entries[1:]):
        assert cur.prev_hash == prev.hash
    assert [e.action for e in entries] == ["create", "create", "update"]
    assert entries[-1].actor == workspace.actor
    report = verify_workspace(workspace)
    assert report.ok, report.problems
    assert report.audit_entries == 3


def test_a_failed_action_writes_no_audit_entry(workspace, case_id):
    with workspace.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(ValidationError):
        with workspace.write() as s:
            create_record(s, case_id, RecordIn("party", {"label": "ok"}))
            create_record(s, case_id, RecordIn("party", {"label": "x", "country": "Nowhere"}))
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_altering_an_entry_is_found_by_verify(workspace, case_id):
    with workspace.write() as s:
        create_record(s, case_id, RecordIn("party", {"label": "Honest"}))
    with workspace.engine.begin() as conn:
        target = conn.execute(text("SELECT max(id) FROM audit_log")).scalar()
        conn.execute(text("UPDATE audit_log SET after = replace(after, 'Honest', 'Hidden') WHERE id = :i"),
                     {"i": target})
    report = verify_workspace(workspace)
    assert not report.ok
    assert any(p.subject == f"audit entry {target}" for p in report.problems)


def test_canonical_json_is_stable():
    assert canonical_json({"b": 1, "a": "华"}) == '{"a":"华","b":1}'

