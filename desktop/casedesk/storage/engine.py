"""One engine factory for SQLite files and PostgreSQL URLs, with the pragmas CaseDesk relies on."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from casedesk.domain.errors import WorkspaceError

WRITE_OPTION = "casedesk_write"
# Set in a pooled connection's info while its automatic WAL checkpoints are off (Workspace.write)
AUTOCHECKPOINT_OFF = "casedesk_autocheckpoint_off"
# SQLite's default: a commit that leaves the write-ahead log over 1,000 pages copies it back
_AUTOCHECKPOINT_PAGES = 1000


def is_url(target: str) -> bool:
    """True when the target is an SQLAlchemy URL rather than a file path."""
    return "://" in target


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite+pysqlite:///{path}"


def make_engine(target: str, *, passphrase: str | None = None) -> Engine:
    """Create an engine for a SQLite file path or an SQLAlchemy URL (PostgreSQL).

    With a passphrase the file is opened as an SQLCipher workspace keyed with it.
    """
    if not is_url(target):
        path = Path(target).expanduser().resolve()
        if passphrase is not None:
            from casedesk.storage import sqlcipher

            # the standard dialect on the SQLCipher driver (errors wrapped as its own); the creator
            # keys each new connection before anything else runs on it
            return _sqlite_engine(sqlite_url(path), module=sqlcipher.driver(),
                                  creator=sqlcipher.creator(path, passphrase))
        return _sqlite_engine(sqlite_url(path))
    if target.startswith("sqlite"):
        return _sqlite_engine(target)
    if target.startswith("postgresql"):
        return create_engine(
            target,
            pool_pre_ping=True,
            connect_args={"connect_timeout": int(os.environ.get("CASEDESK_PG_TIMEOUT", "5"))},
        )
    raise WorkspaceError(f"unsupported database URL {target!r} (use a file path or postgresql+psycopg://…)")


def _sqlite_engine(url: str, **options: object) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30}, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see below); the driver's own
        # implicit transactions would always be DEFERRED.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # 64 MB page cache: random-key index inserts (audit hashes) thrash the 2 MB default.
        cur.execute("PRAGMA cache_size=-65536")
        if ":memory:" not in url:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn, record):  # noqa: ANN001 - DBAPI objects
        if dbapi_conn is not None and record.info.pop(AUTOCHECKPOINT_OFF, False):
            dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # A writer takes the lock up front (IMMEDIATE) so that it waits on busy_timeout instead of
        # failing with SQLITE_BUSY when upgrading a read lock; readers stay DEFERRED so the GUI
        # can read while an import writes (WAL).
        mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
