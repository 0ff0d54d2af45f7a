"""Alembic, configured in code: upgrade a workspace on open, after backing up a SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from casedesk.domain.errors import WorkspaceError
from casedesk.paths import migrations_dir

# Tables a migration creates outside the models (SQLite FTS5 search indexes and their shadow
# tables): Alembic's model comparison must not report them as "removed".
UNMODELLED_TABLE_PREFIXES = ("record_search",)


# Revision ids renamed because the old id misled (old -> new). A workspace still stores the old id
# in alembic_version; upgrade() rewrites it before Alembic looks it up. Never remove an entry.
RENAMED_REVISIONS: tuple[tuple[str, str], ...] = (
    ("0003_view", "0003_trigram_name_search"),
    ("0005_screening", "0005_screening_lookups"),
)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic comparison filter: skip tables that deliberately live outside the models."""
    return not (type_ == "table" and name is not None and name.startswith(UNMODELLED_TABLE_PREFIXES))


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic Config pointing at db/; the engine travels in config.attributes."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest revision this CaseDesk knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(path: Path) -> Path:
    """Copy a SQLite workspace to a timestamped file beside it (consistent even under WAL)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    dest = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    n = 1
    while dest.exists():
        dest = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}")
        n += 1
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(dest))
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return dest


def upgrade(engine: Engine, *, backup_path: Path | None) -> Path | None:
    """Bring the database to head; back the SQLite file up first when it has to change.

    Returns the backup path when one was made. Refuses a workspace from a newer schema.
    """
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    stored = current_revision(engine)
    current = dict(RENAMED_REVISIONS).get(stored, stored) if stored is not None else None
    if stored == head:
        return None
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:  # alembic raises several types for an unknown revision
            raise WorkspaceError(
                f"this workspace has schema revision {current}, newer than this CaseDesk "
                f"(which knows up to {head}); open it with a newer CaseDesk"
            ) from None
    backup = None
    if backup_path is not None and current is not None:
        backup = backup_sqlite(backup_path)
    elif backup_path is not None and current is None and _has_tables(engine):
        backup = backup_sqlite(backup_path)
    if current != stored:
        _restamp(engine, stored, current)
    command.upgrade(alembic_config(engine), "head")
    return backup


def _restamp(engine: Engine, old: str, new: str) -> None:
    """Rewrite a renamed revision id in alembic_version (after the backup, so it keeps the old id)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
                     {"new": new, "old": old})


def _has_tables(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(engine).get_table_names())
