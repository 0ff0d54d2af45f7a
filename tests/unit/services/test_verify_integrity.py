"""verify on both backends: seals, head receipts, rows against their history, foreign triggers."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from casedesk.domain.errors import WorkspaceError
from casedesk.domain.models import AuditEntry
from casedesk.services.audit import entry_hash
from casedesk.services.cases import create_case
from casedesk.services.receipts import current_receipt
from casedesk.services.records import update_record
from casedesk.services.verify import verify_workspace
from casedesk.storage.workspace import local_receipt_problems

from factories import make_link, make_party


def _raw(ws, *statements: str) -> None:
    with ws.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _checks(ws, **kw) -> dict[str, list[str]]:
    report = verify_workspace(ws, **kw)
    out: dict[str, list[str]] = {}
    for p in report.problems:
        out.setdefault(p.check, []).append(f"{p.subject}: {p.reason}")
    return out


@pytest.fixture
def filled(workspace):  # noqa: ANN001, ANN201
    """A workspace with a case, two parties and a link, written in three transactions."""
    with workspace.write() as s:
        cid = create_case(s, "Case").id
        a = make_party(s, cid, "Alpha Ltd", country="SG")
    with workspace.write() as s:
        b = make_party(s, cid, "Beta GmbH")
        link = make_link(s, cid, "owns", a, b, share_pct=40)
    with workspace.write() as s:
        update_record(s, b, {"notes": "seen"}, expected_version=1)
    return workspace, a, b, link


def test_an_untampered_workspace_verifies_with_this_install_as_signer(filled):
    ws = filled[0]
    report = verify_workspace(ws)
    assert report.ok, report.problems
    assert [(s["seals"], s["this_install"]) for s in report.signers] == [(3, True)]
    assert report.unsigned_before is None
    assert local_receipt_problems(ws) == []


def test_direct_updates_of_record_party_and_link_rows_are_named(filled):
    ws, a, b, link = filled
    _raw(ws, f"UPDATE record SET label = 'Gamma' WHERE id = {b}",
         f"UPDATE party SET country = 'CH' WHERE id = {a}",
         f"UPDATE link SET share_pct = 90 WHERE id = {link}")
    state = "\n".join(_checks(ws)["state"])
    assert f"party {b} 'Gamma': label is 'Gamma' here but 'Beta GmbH'" in state
    assert f"party {a} 'Alpha Ltd': country is 'CH' here but 'SG'" in state
    assert f"link {link} " in state and "share_pct is 90" in state


def test_a_row_added_or_deleted_behind_the_app_is_named(filled):
    ws, a, b, link = filled
    _raw(ws, f"DELETE FROM link WHERE id = {link}",
         "INSERT INTO record (id, case_id, kind, label, notes, tags, sensitive, created_at, updated_at, "
         "version) VALUES (900, 1, 'party', 'Planted', '', '[]', false, 'x', 'x', 1)",
         "INSERT INTO party (id, party_kind, website, description) VALUES (900, 'company', '', '')")
    state = "\n".join(_checks(ws)["state"])
    assert f"link {link}: is missing" in state
    assert "party 900 'Planted': has no audit entry" in state


def test_an_entry_appended_outside_the_app_is_unsealed(filled):
    ws = filled[0]
    with ws.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    fields = {"at": last.at, "actor": "mallory", "action": "update", "entity": "case", "entity_id": 1,
              "case_id": 1, "record_id": None, "before": None, "after": None}
    digest = entry_hash(last.hash, fields)
    with ws.engine.begin() as conn:
        conn.execute(AuditEntry.__table__.insert().values(**fields, prev_hash=last.hash, hash=digest))
    seal = "\n".join(_checks(ws)["seal"])
    assert f"audit entry {last.id + 1}: no seal covers it" in seal


def test_a_cut_history_shows_against_the_local_and_a_handed_receipt(filled):
    ws = filled[0]
    with ws.read() as s:
        handed = current_receipt(s)
    _raw(ws, "DELETE FROM audit_seal WHERE id = (SELECT max(id) FROM audit_seal)",
         "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    checks = _checks(ws, receipts=[("handed", handed)])
    receipt = "\n".join(checks["receipt"])
    assert "this install's head receipt" in receipt and "handed: " in receipt and "was cut" in receipt
    assert local_receipt_problems(ws)


def test_a_forged_seal_signature_is_named(filled):
    ws = filled[0]
    _raw(ws, "UPDATE audit_seal SET entries = entries + 1 WHERE id = (SELECT min(id) FROM audit_seal)")
    assert any("does not hold" in p for p in _checks(ws)["seal"])


def test_a_foreign_trigger_is_named_and_refuses_every_write(filled):
    ws, a, *_ = filled
    if ws.dialect == "sqlite":
        _raw(ws, "CREATE TRIGGER scrub AFTER INSERT ON party BEGIN "
                 "UPDATE party SET country = NULL WHERE id = NEW.id; END")
    else:
        _raw(ws, "CREATE FUNCTION scrub_fn() RETURNS trigger AS $$ BEGIN NEW.country := NULL; "
                 "RETURN NEW; END $$ LANGUAGE plpgsql",
             "CREATE TRIGGER scrub BEFORE INSERT ON party FOR EACH ROW EXECUTE FUNCTION scrub_fn()")
    assert any(p.startswith("trigger scrub") for p in _checks(ws)["schema"])
    with pytest.raises(WorkspaceError, match="scrub.*will not write"):
        with ws.write() as s:
            make_party(s, 1, "Delta", country="SG")
    _raw(ws, "DROP TRIGGER scrub" if ws.dialect == "sqlite" else "DROP TRIGGER scrub ON party")
    with ws.write() as s:
        make_party(s, 1, "Delta", country="SG")


def test_a_foreign_view_and_index_are_named(filled):
    ws = filled[0]
    _raw(ws, "CREATE VIEW peek AS SELECT id FROM record", "CREATE INDEX ix_sneaky ON record (label)")
    schema = "\n".join(_checks(ws)["schema"])
    assert "view peek" in schema and "index ix_sneaky" in schema


def test_history_from_before_sealing_is_reported_as_unsigned_not_as_a_problem(workspace):
    from casedesk.storage.seals import receipt_path, workspace_uuid

    with workspace.write() as s:
        cid = create_case(s, "Old case").id
        make_party(s, cid, "Written before 0010")
    # what a workspace from before migration 0010 looks like: entries, no seals, no receipt
    _raw(workspace, "DELETE FROM audit_seal", "DELETE FROM audit_key")
    with workspace.read() as s:
        receipt_path(workspace_uuid(s)).unlink()
        old = s.query(AuditEntry).count()
    report = verify_workspace(workspace)
    assert report.ok, report.problems
    assert report.unsigned_before == old + 1 and "unsigned before entry" in report.notes()[-1]
    with workspace.write() as s:
        make_party(s, cid, "Written after")
    report = verify_workspace(workspace)
    assert report.ok, report.problems
    assert report.unsigned_before == old + 1 and len(report.signers) == 1


def test_a_dropped_table_or_index_is_named_not_a_crash(sqlite_ws):
    # SQLite only: the dropped-object check compares with a freshly migrated SQLite database
    ws = sqlite_ws
    with ws.write() as s:
        make_party(s, create_case(s, "Case").id, "Alpha")
    _raw(ws, "DROP INDEX ix_link_case", "DROP TABLE audit_seal")
    checks = _checks(ws)
    assert any(p.startswith("index ix_link_case") and "missing" in p for p in checks["schema"])
    assert any(p.startswith("table audit_seal") and "missing" in p for p in checks["schema"])
    assert any("could not be completed" in p for p in checks["seal"])


def test_two_installs_writing_one_workspace_are_both_named_signers(filled, tmp_path, monkeypatch):
    ws, a, *_ = filled
    monkeypatch.setenv("CASEDESK_DATA_DIR", str(tmp_path / "colleague"))
    with ws.write() as s:
        update_record(s, a, {"notes": "by a colleague"}, expected_version=1)
    report = verify_workspace(ws)
    assert report.ok, report.problems
    assert sorted(s["this_install"] for s in report.signers) == [False, True]
    monkeypatch.undo()  # back on the first install: its receipt is a prefix of the history, still sound
    assert local_receipt_problems(ws) == []
