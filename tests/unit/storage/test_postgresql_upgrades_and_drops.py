"""PostgreSQL faults: an upgrade takes a pg_dump first (or refuses), a dropped connection writes nothing."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine

from casedesk.domain.errors import WorkspaceError
from casedesk.storage.migrations import alembic_config
from casedesk.storage.workspace import open_workspace

OLDER = "0007_audit_hash_unindexed"


def _at_older_schema(url: str) -> None:
    engine = create_engine(url)
    command.upgrade(alembic_config(engine), OLDER)
    engine.dispose()


def test_an_upgrade_is_backed_up_with_pg_dump_first(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _at_older_schema(pg_url)
    ws = open_workspace(pg_url)
    ws.dispose()
    dumps = list((tmp_path / "data").rglob("*.dump"))
    assert len(dumps) == 1 and OLDER in dumps[0].name
    assert dumps[0].read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format


def test_without_pg_dump_the_upgrade_is_refused_unless_told(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _at_older_schema(pg_url)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(WorkspaceError) as info:
        open_workspace(pg_url)
    assert "pg_dump --format=custom" in str(info.value) and "--no-backup" in str(info.value)
    ws = open_workspace(pg_url, backup=False)  # the administrator made their own
    ws.dispose()
    assert not list((tmp_path / "data").rglob("*.dump"))


def test_a_connection_ended_mid_edit_writes_nothing_and_the_next_edit_reconnects(pg_url):
    from factories import make_case, make_party
    from sqlalchemy import text

    from casedesk.services.listings import list_records

    ws = open_workspace(pg_url)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with ws.write() as s:
            case_id = make_case(s)
        with pytest.raises(WorkspaceError) as info, ws.write() as s:
            make_party(s, case_id, "Half written")
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            make_party(s, case_id, "After the drop")
        assert "connection to the database was lost" in str(info.value)
        with ws.write() as s:
            make_party(s, case_id, "Reconnected")
        with ws.read() as s:
            assert [r["label"] for r in list_records(s, case_id)] == ["Reconnected"]
    finally:
        admin.dispose()
        ws.dispose()
