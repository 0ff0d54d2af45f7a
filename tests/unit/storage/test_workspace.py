"""Big imports commit without copying the write-ahead log themselves; a background thread does."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from casedesk.services.cases import create_case
from casedesk.storage.workspace import Workspace


def _fill(ws: Workspace, defer: bool, rows: int = 3000) -> None:
    with ws.write(defer_checkpoint=defer) as s:
        case_id = create_case(s, "c").id
        s.execute(
            text("INSERT INTO evidence_note_test (case_id, body) VALUES (:c, :b)"),
            [{"c": case_id, "b": "x" * 2000} for _ in range(rows)],
        )


@pytest.fixture
def ws(sqlite_ws):  # noqa: ANN001, ANN201
    with sqlite_ws.write() as s:
        s.execute(text("CREATE TABLE evidence_note_test (id INTEGER PRIMARY KEY, case_id, body)"))
    sqlite_ws.dispose()  # start from a checkpointed file
    return sqlite_ws


def _sizes(ws: Workspace) -> tuple[int, int]:
    db = Path(ws.target)
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size, wal.stat().st_size if wal.exists() else 0


def test_deferred_commit_leaves_the_copy_to_the_background_thread(ws, monkeypatch):  # noqa: ANN001
    started = []
    monkeypatch.setattr(Workspace, "checkpoint_soon", lambda self: started.append(self))
    before, _ = _sizes(ws)
    _fill(ws, defer=True)
    after, wal = _sizes(ws)
    assert started == [ws]
    assert after == before and wal > 3000 * 2000  # committed into the log only
    with ws.read() as s:  # already visible to every reader
        assert s.execute(text("SELECT count(*) FROM evidence_note_test")).scalar() == 3000
    monkeypatch.undo()
    ws.checkpoint_soon()
    ws.wait_for_checkpoint()
    assert _sizes(ws)[0] > before + 3000 * 2000  # now in the database file


def test_an_ordinary_commit_copies_the_log_itself(ws):  # noqa: ANN001
    before, _ = _sizes(ws)
    _fill(ws, defer=False)
    assert _sizes(ws)[0] > before + 3000 * 2000


def test_pooled_connections_get_automatic_checkpoints_back(ws):  # noqa: ANN001
    _fill(ws, defer=True)
    ws.wait_for_checkpoint()
    for _ in range(3):
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_a_failed_deferred_write_rolls_back_and_resets_the_connection(ws):  # noqa: ANN001
    with pytest.raises(RuntimeError), ws.write(defer_checkpoint=True) as s:
        s.execute(text("INSERT INTO evidence_note_test (case_id, body) VALUES (1, 'x')"))
        raise RuntimeError("boom")
    with ws.read() as s:
        assert s.execute(text("SELECT count(*) FROM evidence_note_test")).scalar() == 0
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_dispose_waits_for_the_background_checkpoint(ws):  # noqa: ANN001
    before, _ = _sizes(ws)
    _fill(ws, defer=True)
    ws.dispose()
    db, wal = _sizes(ws)
    assert db > before + 3000 * 2000 and wal == 0  # everything in the file, the log removed
