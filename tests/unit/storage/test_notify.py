"""LISTEN/NOTIFY on PostgreSQL: a committed write wakes a listener; a rolled-back one does not."""

from __future__ import annotations

import time

import pytest
from factories import make_case

from casedesk.storage.notify import audit_listener


def _wait(listener, seconds: float = 2.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if listener.pending():
            return True
        time.sleep(0.02)
    return False


def test_sqlite_has_no_listener(sqlite_ws):
    assert audit_listener(sqlite_ws.engine) is None


@pytest.fixture
def pg_ws(pg_url):  # noqa: ANN001, ANN201
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(pg_url)
    yield ws
    ws.dispose()


def test_a_commit_notifies_and_a_rollback_does_not(pg_ws):
    listener = audit_listener(pg_ws.engine)
    assert listener is not None
    try:
        assert not listener.pending()
        with pytest.raises(RuntimeError), pg_ws.write() as s:
            make_case(s, "Never")
            raise RuntimeError("the user's action failed")
        assert not _wait(listener, 0.5)
        with pg_ws.write() as s:
            make_case(s, "Shared")
        assert _wait(listener)
        assert not listener.pending()  # each notification is read once
    finally:
        listener.close()


def test_a_lost_listen_connection_reconnects_and_says_look(pg_ws):
    from sqlalchemy import text

    listener = audit_listener(pg_ws.engine)
    try:
        pid = listener._conn.info.backend_pid
        with pg_ws.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        assert _wait(listener)  # the dead connection: look at the log anyway
        with pg_ws.write() as s:
            make_case(s, "After")
        assert _wait(listener)  # and listening again
    finally:
        listener.close()
