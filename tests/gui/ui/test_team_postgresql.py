"""Two people's windows on one PostgreSQL workspace: edits, conflicts, undo and dropped connections.

Alice connects as the server's test user, Bob as a role of his own (casedesk_bob), so the audit
and every conflict name who changed what. Skipped unless CASEDESK_TEST_PG_URL is set.
"""

from __future__ import annotations

import pytest
from factories import make_case, make_party
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from casedesk.storage.workspace import open_workspace

BOB = "casedesk_bob"
WAIT = 5000  # ms: live refresh comes within 2 s; the margin is for a loaded test machine


def _make_bob(admin) -> None:  # noqa: ANN001
    """A login role that may read and write the workspace's tables (roles belong to the server)."""
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": BOB}).first() is None:
            try:
                conn.execute(text(f"CREATE ROLE {BOB} LOGIN"))
            except ProgrammingError:  # another test run made it meanwhile
                pass
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {BOB}"))
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {BOB}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {BOB}"))


@pytest.fixture
def team(pg_url, open_window, qtbot):  # noqa: ANN001, ANN201
    """Alice's and Bob's windows on one PostgreSQL case, one party shown in both inspectors."""
    alice_ws = open_workspace(pg_url)
    with alice_ws.write() as s:
        case_id = make_case(s, "Team case")
        rid = make_party(s, case_id, "Aurora Compute")
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    _make_bob(admin)
    bob_ws = open_workspace(make_url(pg_url).set(username=BOB).render_as_string(hide_password=False),
                            migrate=False)
    alice, bob = open_window(alice_ws), open_window(bob_ws)
    for w in (alice, bob):
        w.set_case(case_id)
        qtbot.waitUntil(w.is_idle)
        w.select_record(rid)
        qtbot.waitUntil(lambda w=w: w.inspector.current() == ("record", rid))
    yield alice, bob, rid, admin
    for w in (alice, bob):
        qtbot.waitUntil(w.is_idle, timeout=15000)
        w.close()
    bob_ws.dispose()
    alice_ws.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {BOB}"))
        conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {BOB}"))
        conn.execute(text(f"REVOKE ALL ON SCHEMA public FROM {BOB}"))
    admin.dispose()


def _edit(window, field: str, value: str, qtbot) -> None:  # noqa: ANN001
    """Type a value into the inspector's field and press Enter, as a user would; wait for the save."""
    editor = window.inspector.editor(field)
    editor.set_raw(value)
    editor.commit()
    qtbot.waitUntil(window.is_idle, timeout=15000)


def _value(window, rid: int, field: str):  # noqa: ANN001, ANN202
    """The field's value in the database, read through the window's own workspace."""
    from casedesk.services.record_description import describe_record

    with window.ops.reading() as s:
        return dict((n, v) for n, _, v in describe_record(s, rid)["fields"])[field]


def _terminate_others(admin, database: str) -> int:  # noqa: ANN001
    """End every connection to the workspace's database but the administrator's; how many."""
    with admin.connect() as conn:
        return len(conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": database}).all())


def test_an_edit_in_one_window_shows_in_the_other_and_its_undo_too(team, qtbot):
    alice, bob, rid, _ = team
    _edit(bob, "label", "Aurora Compute Holdings", qtbot)
    qtbot.waitUntil(lambda: alice.inspector.title.text() == "Aurora Compute Holdings", timeout=WAIT)
    assert f"{BOB} changed label" in alice.inspector.banner.label.text()
    table = alice.tables["party"].model
    assert table.index(table.row_of(rid), 1).data() == "Aurora Compute Holdings"
    assert alice.inspector.current() == ("record", rid) and alice.undo_stack.count() == 0
    bob.actions_by_name["undo"].trigger()
    qtbot.waitUntil(bob.is_idle)
    qtbot.waitUntil(lambda: alice.inspector.title.text() == "Aurora Compute", timeout=WAIT)
    assert _value(alice, rid, "label") == "Aurora Compute"


def test_a_conflicting_edit_names_the_colleague_saves_nothing_and_undo_stays_honest(team, qtbot):
    alice, bob, rid, _ = team
    _edit(alice, "website", "https://aurora.example", qtbot)
    qtbot.waitUntil(lambda: bob.inspector.editor("website").raw() == "https://aurora.example", timeout=WAIT)
    notes = alice.inspector.editor("notes")  # Alice is typing while Bob saves the same field
    notes.set_raw("Alice's note")
    alice.activateWindow()
    notes.input.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is notes.input)
    _edit(bob, "notes", "Bob's note", qtbot)
    qtbot.waitUntil(lambda: alice.inspector.banner.reload_button.isVisible(), timeout=WAIT)
    notes.commit()
    qtbot.waitUntil(alice.is_idle)
    box = alice.dialog
    assert box.objectName() == "conflict_dialog" and box.isVisible()
    assert f"{BOB} changed it" in box.text() and "notes" in box.informativeText()
    assert _value(alice, rid, "notes") == "Bob's note"  # nothing of Alice's was written
    assert alice.undo_stack.count() == 1  # the refused edit is not on the undo stack
    qtbot.mouseClick(box.reload_button, Qt.MouseButton.LeftButton)
    assert alice.inspector.editor("notes").raw() == "Bob's note"
    _edit(alice, "notes", "Alice's note, after reading Bob's", qtbot)  # redone on the current version
    assert _value(alice, rid, "notes") == "Alice's note, after reading Bob's"
    alice.actions_by_name["undo"].trigger()
    qtbot.waitUntil(alice.is_idle)
    assert _value(alice, rid, "notes") == "Bob's note"
    qtbot.waitUntil(lambda: bob.inspector.editor("notes").raw() == "Bob's note", timeout=WAIT)
    # Undoing the website edit would write over Bob's later change: refused, with his name, nothing written
    alice.actions_by_name["undo"].trigger()
    qtbot.waitUntil(alice.is_idle)
    box = alice.dialog
    assert box.objectName() == "conflict_dialog" and box.text().startswith("Undo Edit")
    assert BOB in box.text()
    assert _value(alice, rid, "website") == "https://aurora.example"
    assert alice.undo_stack.index() == 1 and alice.undo_stack.canUndo()  # the stack matches the data
    box.close()


def test_connections_ended_between_edits_are_replaced_and_refresh_goes_on(team, qtbot):
    alice, bob, rid, admin = team
    database = alice.ops.workspace.engine.url.database
    assert alice.live.listening
    assert _terminate_others(admin, database) >= 2  # both windows' pooled and LISTEN connections
    _edit(alice, "label", "Aurora Compute Ltd", qtbot)  # the pool finds its connection dead and reconnects
    assert _value(alice, rid, "label") == "Aurora Compute Ltd" and alice.undo_stack.count() == 1
    qtbot.waitUntil(lambda: bob.inspector.title.text() == "Aurora Compute Ltd", timeout=WAIT)
    _edit(bob, "website", "https://aurora.example", qtbot)
    qtbot.waitUntil(lambda: alice.inspector.editor("website").raw() == "https://aurora.example", timeout=WAIT)


def test_a_connection_ended_mid_edit_says_so_writes_nothing_and_the_next_edit_works(team, qtbot, monkeypatch):
    import casedesk.ui.operations.records as records_ops

    alice, bob, rid, admin = team
    real_update = records_ops.update_record

    def update_after_the_server_ended_us(session, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        return real_update(session, *args, **kwargs)

    monkeypatch.setattr(records_ops, "update_record", update_after_the_server_ended_us)
    _edit(alice, "label", "Half-saved Compute", qtbot)
    box = alice.dialog
    assert box.objectName() == "error_dialog" and box.isVisible()
    assert "connection to the database was lost" in box.text() and "nothing was written" in box.text()
    assert "Traceback" not in box.text() and "psycopg" not in box.text()
    assert _value(alice, rid, "label") == "Aurora Compute" and alice.undo_stack.count() == 0
    box.close()
    monkeypatch.setattr(records_ops, "update_record", real_update)
    _edit(alice, "label", "Aurora Compute Ltd", qtbot)  # the next try reconnects
    assert alice.dialog is box  # no new message
    assert _value(alice, rid, "label") == "Aurora Compute Ltd" and alice.undo_stack.count() == 1
    qtbot.waitUntil(lambda: bob.inspector.title.text() == "Aurora Compute Ltd", timeout=WAIT)
