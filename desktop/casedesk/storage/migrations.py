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
from casedesk.storage import sqlcipher

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


def backup_sqlite(path: Path, passphrase: str | None = None) -> Path:
    """Copy a SQLite workspace to a timestamped file beside it (consistent even under WAL);
    an encrypted workspace's backup is encrypted with the same passphrase (never plain)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    dest = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    n = 1
    while dest.exists():
        dest = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}")
        n += 1
    if passphrase is not None:
        sqlcipher.export(path, dest, src_key=passphrase, dest_key=passphrase)
        return dest
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(dest))
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return dest


def upgrade(engine: Engine, *, backup_path: Path | None, pg_backup: bool = True,
            passphrase: str | None = None) -> Path | None:
    """Bring the database to head; back it up first when it has to change (the SQLite file copied,
    a PostgreSQL database dumped with pg_dump unless pg_backup is False).

    passphrase: the key of an encrypted SQLite workspace, so that its backup is encrypted too.
    Returns the backup path when one was made. Refuses a workspace from a newer schema, and a
    PostgreSQL upgrade without pg_dump on PATH (saying what the administrator should run).
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
    if engine.dialect.name == "postgresql" and current is not None and pg_backup:
        backup = dump_postgresql(engine, current, head)
    elif backup_path is not None and current is not None:
        backup = backup_sqlite(backup_path, passphrase)
    elif backup_path is not None and current is None and _has_tables(engine):
        backup = backup_sqlite(backup_path, passphrase)
    if current != stored:
        _restamp(engine, stored, current)
    command.upgrade(alembic_config(engine), "head")
    return backup


def dump_postgresql(engine: Engine, current: str, head: str) -> Path:
    """pg_dump the database (custom format) into the user's backup folder before an upgrade."""
    import os
    import shutil
    import subprocess
    from datetime import datetime, timezone

    from platformdirs import user_data_dir

    url = engine.url
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise WorkspaceError(
            f"the team database {url.database} needs an upgrade (schema {current} to {head}) and "
            "CaseDesk backs it up first with pg_dump, which is not on PATH; ask the administrator to "
            f"run `pg_dump --format=custom --file={url.database}-before-{head}.dump {url.database}`, "
            "then open it again with --no-backup")
    folder = Path(user_data_dir("CaseDesk", appauthor=False)) / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{url.database}-{current}-{stamp}.dump"
    args = [pg_dump, "--format=custom", f"--file={target}", f"--dbname={url.database}"]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args.append(f"{flag}={value}")
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        reason = (done.stderr.strip().splitlines() or ["pg_dump failed"])[-1]
        raise WorkspaceError(f"could not back up {url.database} before upgrading it ({reason}); nothing was "
                             "changed. Back it up yourself and open it again with --no-backup")
    return target


def _restamp(engine: Engine, old: str, new: str) -> None:
    """Rewrite a renamed revision id in alembic_version (after the backup, so it keeps the old id)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
                     {"new": new, "old": old})


def _has_tables(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(engine).get_table_names())
