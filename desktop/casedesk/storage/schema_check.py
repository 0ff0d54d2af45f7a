"""The workspace's schema against what the migrations create: foreign triggers, views, indexes.

A workspace received from someone else can carry a trigger that rewrites data as it is written
(no audit entry ever shows it). The expected objects are those the migrations make in a fresh
in-memory database (built once, ~0.2 s, then cached under the data folder), compared by name and
SQL text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from casedesk.domain.errors import WorkspaceError

_lock = threading.Lock()
_expected: dict[tuple[str, str], str] | None = None


@dataclass(frozen=True)
class ForeignObject:
    """A schema object the migrations do not create (or create with different SQL)."""

    type: str
    name: str
    table: str
    reason: str

    def __str__(self) -> str:
        return f"{self.type} {self.name} on {self.table}: {self.reason}"


def _normal(sql: str | None) -> str:
    return re.sub(r"\s+", " ", (sql or "")).strip().lower()


def _expected_sqlite() -> dict[tuple[str, str], str]:
    """(type, name) → normalised SQL of every object a freshly migrated SQLite workspace holds."""
    global _expected
    with _lock:
        if _expected is None:
            cache = _cache_path()
            try:
                _expected = {(t, n): sql for t, n, sql in json.loads(cache.read_text("utf-8"))}
            except (OSError, ValueError, TypeError):
                _expected = _build_expected()
                _store(cache, _expected)
        return _expected


def _build_expected() -> dict[tuple[str, str], str]:
    from casedesk.storage import migrations
    from casedesk.storage.engine import make_engine

    engine = make_engine("sqlite://")
    try:
        migrations.upgrade(engine, backup_path=None)
        with engine.connect() as conn:
            return {(t, n): _normal(sql) for t, n, sql in conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master")}
    finally:
        engine.dispose()


def _cache_path() -> Path:
    """A cache of the expected schema (building it takes 0.2 s, a CLI write command ~1 s), named by
    the migration scripts' bytes and the SQLite version, so any change of either rebuilds it."""
    from casedesk.paths import migrations_dir
    from casedesk.storage.signing import data_dir

    digest = hashlib.sha256(sqlite3.sqlite_version.encode())
    for script in sorted((migrations_dir() / "versions").glob("*.py")):
        digest.update(script.name.encode() + b"\0" + script.read_bytes())
    return data_dir() / "cache" / f"schema-{digest.hexdigest()[:24]}.json"


def _store(path: Path, expected: dict[tuple[str, str], str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(sorted([t, n, sql] for (t, n), sql in expected.items())), "utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # only a cache: the next process builds it again


def foreign_objects(conn: Connection, *, triggers_only: bool = False) -> list[ForeignObject]:
    """Triggers, views, indexes and tables in the workspace that the migrations do not create."""
    if conn.dialect.name == "sqlite":
        return _sqlite_foreign(conn, triggers_only)
    if conn.dialect.name == "postgresql":
        return _postgresql_foreign(conn, triggers_only)
    return []


def _sqlite_foreign(conn: Connection, triggers_only: bool) -> list[ForeignObject]:
    where = "WHERE type = 'trigger'" if triggers_only else ""
    rows = conn.exec_driver_sql(f"SELECT type, name, tbl_name, sql FROM sqlite_master {where}").all()
    expected = _expected_sqlite()
    found = []
    for type_, name, table, sql in rows:
        want = expected.get((type_, name))
        if want is None:
            # FTS5 shadow tables and automatic indexes follow the tables the migrations made
            if type_ == "table" and name.startswith("record_search") or name.startswith("sqlite_"):
                continue
            found.append(ForeignObject(type_, name, table, "not created by CaseDesk's migrations"))
        elif type_ in ("trigger", "view") and want != _normal(sql):
            # tables and indexes are compared by name only: an upgraded workspace's CREATE TABLE
            # text differs from a fresh one's (batch migrations rewrite it), their meaning does not
            found.append(ForeignObject(type_, name, table, "differs from what CaseDesk's migrations create"))
    if not triggers_only:
        have = {(t, n) for t, n, _table, _sql in rows}
        for type_, name in sorted(set(expected) - have):
            # automatic indexes and FTS5 shadow tables come and go with what owns them
            if name.startswith("sqlite_") or (type_ == "table" and name.startswith("record_search_")):
                continue
            found.append(ForeignObject(type_, name, "the workspace", "created by CaseDesk's "
                                       "migrations but missing (dropped outside CaseDesk)"))
    return found


# On PostgreSQL the migrations create no trigger and no view; indexes are compared by name.
def _postgresql_foreign(conn: Connection, triggers_only: bool) -> list[ForeignObject]:
    found = [ForeignObject("trigger", name, table, "not created by CaseDesk's migrations")
             for name, table in conn.execute(text(
                 "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                 "JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"))]
    if triggers_only:
        return found
    found += [ForeignObject("view", name, name, "not created by CaseDesk's migrations")
              for (name,) in conn.execute(text(
                  "SELECT viewname FROM pg_views WHERE schemaname = current_schema()"))]
    from casedesk.domain.schema import metadata

    known = {"pk_alembic_version", "alembic_version_pkc"}
    for table in metadata.tables.values():
        known.update(str(i.name) for i in table.indexes)
        known.update(str(c.name) for c in table.constraints if c.name is not None)
    for name, table in conn.execute(text(
            "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()")):
        if name not in known:
            found.append(ForeignObject("index", name, table, "not created by CaseDesk's migrations"))
    return found


def refuse_foreign_triggers(conn: Connection) -> None:
    """Raise WorkspaceError naming each foreign trigger: nothing is written until they are removed."""
    triggers = foreign_objects(conn, triggers_only=True)
    if triggers:
        names = ", ".join(f"{t.name} (on {t.table}, {t.reason})" for t in triggers)
        raise WorkspaceError(
            f"this workspace carries a trigger CaseDesk did not create: {names}. A trigger can change "
            "data as it is written without any audit entry, so CaseDesk will not write to this "
            "workspace until it is removed (e.g. sqlite3 FILE 'DROP TRIGGER name'); nothing was written")
