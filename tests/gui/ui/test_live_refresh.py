"""Two windows on one workspace see each other's changes (SQLite file and PostgreSQL alike)."""

from __future__ import annotations

import pytest
from factories import make_case, make_party
from PySide6.QtWidgets import QApplication

from casedesk.services.records import get_record, update_record
from casedesk.storage.workspace import open_workspace


@pytest.fixture
def two_windows(workspace, open_window, qtbot):  # noqa: ANN001, ANN201
    """Alice's and Bob's windows on one workspace, each with its own connection, on one case."""
    with workspace.write() as s:
        case_id = make_case(s, "Shared case")
        rid = make_party(s, case_id, "Aurora Compute")
    bob_ws = open_workspace(workspace.target)
    alice, bob = open_window(workspace), open_window(bob_ws)
    for w in (alice, bob):
        w.set_case(case_id)
        qtbot.waitUntil(w.is_idle)
    yield alice, bob, bob_ws, case_id, rid
    bob_ws.dispose()


def _rename(ws, rid, label, actor="bob"):  # noqa: ANN001, ANN202
    with ws.write() as s:
        s.info["actor"] = actor
        update_record(s, rid, {"label": label}, expected_version=get_record(s, rid).version)


def test_a_colleagues_edit_shows_in_the_other_window_within_two_seconds(two_windows, qtbot):
    alice, bob, bob_ws, case_id, rid = two_windows
    alice.select_record(rid)
    qtbot.waitUntil(lambda: alice.inspector.current() == ("record", rid))
    _rename(bob_ws, rid, "Aurora Compute Holdings")
    qtbot.waitUntil(lambda: alice.inspector.title.text() == "Aurora Compute Holdings", timeout=2500)
    table = alice.tables["party"].model
    assert any(table.index(r, 1).data() == "Aurora Compute Holdings" for r in range(table.rowCount()))
    assert "bob" in alice.statusBar().currentMessage()
    assert "bob changed label" in alice.inspector.banner.label.text()
    assert alice.inspector.current() == ("record", rid)  # the selection stayed


def test_a_field_being_edited_is_kept_and_reload_is_offered(two_windows, qtbot):
    alice, bob, bob_ws, case_id, rid = two_windows
    alice.select_record(rid)
    qtbot.waitUntil(lambda: alice.inspector.current() == ("record", rid))
    editor = alice.inspector.editor("notes")
    editor.set_raw("Alice is typing")
    alice.activateWindow()
    editor.input.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.input)
    _rename(bob_ws, rid, "Aurora Compute Holdings")
    banner = alice.inspector.banner
    qtbot.waitUntil(lambda: banner.isVisible() and banner.reload_button.isVisible(), timeout=2500)
    assert editor.raw() == "Alice is typing" and alice.inspector.title.text() == "Aurora Compute"
    banner.reload_button.click()
    assert alice.inspector.title.text() == "Aurora Compute Holdings" and not banner.isVisible()


def test_own_edits_are_not_reported_as_someone_elses(two_windows, qtbot):
    alice, bob, bob_ws, case_id, rid = two_windows
    _rename(alice.ops.workspace, rid, "Renamed by Alice", actor="alice")
    assert alice.live.check() is None
    found = bob.live.check()
    assert found is not None and found.actors == ["alice"] and rid in found.changes.ids("updated", "record")


def test_a_storm_of_changes_reloads_once_and_stays_responsive(two_windows, qtbot):
    from casedesk.services.bulk import bulk_create_records
    from casedesk.services.records import RecordIn

    alice, bob, bob_ws, case_id, rid = two_windows
    with bob_ws.write() as s:
        bulk_create_records(s, case_id, [RecordIn("party", {"label": f"Storm {i}"}) for i in range(10_000)])
    found = alice.live.check()
    assert found is not None and found.changes is None and found.entries >= 10_000
    qtbot.waitUntil(alice.is_idle, timeout=15000)
    assert len(alice.tables["party"].model._all) == 10_001  # every row known, fetched page by page
    assert "views reloaded" in alice.statusBar().currentMessage()


def test_windows_on_postgresql_are_woken_by_notify_and_sqlite_ones_poll(two_windows, workspace):
    alice, *_ = two_windows
    assert alice.live.listening == (workspace.dialect == "postgresql")
