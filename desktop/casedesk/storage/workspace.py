"""An open workspace: its engine, the transaction frame for user actions, and who is acting."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from casedesk.domain.errors import (
    EncryptedWorkspaceError,
    NoWorkspaceError,
    WorkspaceError,
    WrongPassphraseError,
)
from casedesk.domain.models import AuditEntry
from casedesk.storage import sqlcipher
from casedesk.storage.engine import (
    AUTOCHECKPOINT_OFF,
    WRITE_OPTION,
    is_url,
    make_engine,
)
from casedesk.storage.notify import notify_audit_appended
from casedesk.storage.preferences import load_preferences
from casedesk.storage.schema_check import refuse_foreign_triggers

# OWN_AUDIT_FROM (session.info): the first audit id this transaction appended
from casedesk.storage.seals import (
    OWN_AUDIT_FROM,
    check_receipt,
    load_local_receipt,
    seal_transaction,
    store_local_receipt,
)
from casedesk.storage.seals import workspace_uuid as _workspace_uuid

log = logging.getLogger(__name__)




def default_workspace_path() -> Path:
    """The default workspace file in the user's data directory."""
    return Path(user_data_dir("CaseDesk", appauthor=False)) / "workspace.casedesk"


def resolve_target(db: str | None) -> str:
    """The workspace to open: --db, else $CASEDESK_DB, else the default file."""
    return db or os.environ.get("CASEDESK_DB") or str(default_workspace_path())


@dataclass
class ChangeSet:
    """What one transaction changed, so views refresh precisely (ids per kind of object)."""

    created: dict[str, set[int]] = field(default_factory=dict)
    updated: dict[str, set[int]] = field(default_factory=dict)
    deleted: dict[str, set[int]] = field(default_factory=dict)

    def add(self, what: str, entity: str, entity_id: int) -> None:
        """Note that an entity ('record', 'link', 'case', …) was created/updated/deleted."""
        getattr(self, what).setdefault(entity, set()).add(entity_id)

    def ids(self, what: str, entity: str) -> set[int]:
        """The ids of one entity type in one category."""
        return getattr(self, what).get(entity, set())

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def changes_of(session: Session) -> ChangeSet:
    """The change set of the session's current transaction."""
    return session.info.setdefault("changes", ChangeSet())


# PostgreSQL's insufficient_privilege and read_only_sql_transaction; SQLite's read-only file.
_REFUSED_SQLSTATES = {"42501", "25006"}


def write_refusal(exc: DBAPIError) -> str | None:
    """The reason the database refused to let this user write at all, or None for any other error."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    message = str(orig).strip().splitlines()[0] if orig is not None else str(exc)
    if state in _REFUSED_SQLSTATES or "readonly database" in message or "read-only" in message:
        return message
    return None


def actor_of(session: Session) -> str:
    """Who is acting in this session (OS user on SQLite, database user on PostgreSQL)."""
    return session.info.get("actor") or "unknown"


class Workspace:
    """An open workspace: sessions for reading, one transaction per user action for writing."""

    def __init__(self, engine: Engine, target: str, actor: str):
        self.engine = engine
        self.target = target
        self.actor = actor
        self.dialect = engine.dialect.name
        self.encrypted = False  # an SQLCipher file (set by open_workspace)
        self._reader = sessionmaker(engine, expire_on_commit=False)
        self._writer = sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        self.last_changes = ChangeSet()
        # set on open: how the workspace differs from this install's head receipt of it
        self.receipt_problems: list[str] = []
        self._checkpointer: threading.Thread | None = None
        # Audit id ranges our own transactions appended, so a live view tells them from others'.
        self.own_audit_spans: list[tuple[int, int]] = []
        self._own_lock = threading.Lock()

    @staticmethod
    def _own_span(session: Session) -> tuple[int, int] | None:
        """(first, last) audit ids this transaction appended, read before it commits; None if none."""
        first = session.info.get(OWN_AUDIT_FROM)
        if first is None:
            return None
        last = session.scalar(select(func.max(AuditEntry.id)))
        return (first, last) if last is not None and last >= first else None

    def take_own_audit_spans(self) -> list[tuple[int, int]]:
        """The audit id ranges our own transactions appended since the last call (then forgotten)."""
        with self._own_lock:
            spans, self.own_audit_spans = self.own_audit_spans, []
        return spans

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; closed (never committed) at the end, loaded objects stay readable."""
        with self._reader() as session:
            session.info["actor"] = self.actor
            yield session

    @contextmanager
    def write(self, *, defer_checkpoint: bool = False) -> Iterator[Session]:
        """One transaction for one user action: commits at the end, writes nothing on error.

        defer_checkpoint (big imports on SQLite): the commit does not copy the write-ahead log
        into the database file itself; a background thread does it right after (see
        checkpoint_soon), so the data is committed, durable and visible seconds earlier.
        """
        deferred = defer_checkpoint and self.dialect == "sqlite" and ":memory:" not in self.target
        head = None
        with self._writer() as session:
            session.info["actor"] = self.actor
            session.info["changes"] = ChangeSet()
            try:
                if self.dialect == "postgresql":
                    # Serialise writers so the audit hash chain never forks.
                    session.execute(text("SELECT pg_advisory_xact_lock(7270301)"))
                # a trigger planted in the file could rewrite what this transaction writes
                refuse_foreign_triggers(session.connection())
                if deferred:
                    conn = session.connection()
                    conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
                    # the pool puts the usual setting back when the connection is returned
                    conn.connection.info[AUTOCHECKPOINT_OFF] = True
                yield session
                head = seal_transaction(session) if OWN_AUDIT_FROM in session.info else None
                # noted before the commit, so a live view never sees our entries without the span
                span = self._own_span(session)
                if span is not None:
                    with self._own_lock:
                        self.own_audit_spans.append(span)
                    if self.dialect == "postgresql":
                        notify_audit_appended(session, span[1])  # sent by the server on commit
                try:
                    session.commit()
                except BaseException:
                    if span is not None:
                        with self._own_lock:
                            self.own_audit_spans.remove(span)
                    raise
            except DBAPIError as exc:
                session.rollback()
                if exc.connection_invalidated:  # the server went away or ended our connection
                    raise WorkspaceError("the connection to the database was lost during the change; "
                                         "nothing was written, and the next try reconnects") from None
                if self.dialect == "sqlite" and "database is locked" in str(exc.orig):
                    # another copy of CaseDesk (or another program) kept writing past busy_timeout
                    raise WorkspaceError(f"the workspace {self.target} is busy: another program is "
                                         "writing to it (another CaseDesk window or command?); nothing "
                                         "was written; try again when it has finished") from None
                refused = write_refusal(exc)
                if refused is None:
                    raise
                raise WorkspaceError(f"the workspace is read-only for {self.actor}: {refused}; "
                                     "nothing was written") from None
            except BaseException:
                session.rollback()
                raise
            self.last_changes = session.info["changes"]
        if head is not None:
            store_local_receipt(head)
        if deferred:
            self.checkpoint_soon()

    def checkpoint_soon(self) -> None:
        """Copy the write-ahead log into the database file on a background thread (SQLite).

        SQLite's documented pattern for big writes: readers and writers carry on meanwhile
        (a writer's own automatic checkpoint simply skips while this one runs), and a
        checkpoint cut short by the process ending is finished by the next one.
        """
        if self.dialect != "sqlite":
            return
        self.wait_for_checkpoint()

        def work() -> None:
            try:
                raw = self.engine.raw_connection()
                try:
                    # the raw connection: no BEGIN (a checkpoint cannot run inside a transaction)
                    raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                finally:
                    raw.close()
            except Exception:  # noqa: BLE001 - housekeeping: the next checkpoint redoes it
                log.warning("background checkpoint of %s failed", self.target, exc_info=True)

        self._checkpointer = threading.Thread(target=work, name="casedesk-checkpoint", daemon=True)
        self._checkpointer.start()

    def wait_for_checkpoint(self) -> None:
        """Block until a background checkpoint, if one is running, has finished."""
        if self._checkpointer is not None:
            self._checkpointer.join()
            self._checkpointer = None

    def dispose(self) -> None:
        """Close every pooled connection (after a background checkpoint has finished)."""
        self.wait_for_checkpoint()
        self.engine.dispose()

    def write_block(self) -> str | None:
        """Why this user cannot change the workspace (a read-only role or file), or None if they can."""
        if self.dialect == "postgresql":
            with self.read() as s:
                can_insert, read_only, standby = s.execute(text(
                    "SELECT has_table_privilege('record', 'INSERT') AND has_table_privilege('audit_entry', 'INSERT'),"
                    " current_setting('transaction_read_only') = 'on', pg_is_in_recovery()")).one()
            if standby:
                return "the database server is a read-only standby"
            if read_only:
                return "the database session is read-only"
            if not can_insert:
                return f"the database role {self.actor} may read this workspace but not change it"
            return None
        if is_url(self.target) or ":memory:" in self.target:
            return None
        path = Path(self.target)
        if path.exists() and not os.access(path, os.W_OK):
            return f"the file {path} is read-only"
        if not os.access(path.parent, os.W_OK | os.X_OK):
            # SQLite writes its journal beside the file: a read-only folder is a read-only workspace
            return f"the folder {path.parent} is read-only (SQLite needs to write its journal there)"
        return None

    def describe(self) -> str:
        """A short human description of where the workspace lives."""
        return self.target if not is_url(self.target) else self.engine.url.render_as_string()


def open_workspace(db: str | None = None, *, create: bool = True, migrate: bool = True,
                   backup: bool = True, passphrase: str | None = None) -> Workspace:
    """Open (creating and upgrading as needed) the workspace named by a path or URL.

    create=False: a missing file is NoWorkspaceError and nothing is created (not even its folder).
    An encrypted file needs its passphrase: none is EncryptedWorkspaceError, a wrong one
    WrongPassphraseError; the passphrase is ignored for a plain file.
    """
    from casedesk.storage import migrations  # Alembic import is slow; only when opening

    target = sqlite_path_of(resolve_target(db))
    existed = True
    key = None
    if not is_url(target):
        path = Path(target).expanduser()
        if path.exists() and path.is_dir():
            raise WorkspaceError(f"workspace path {path} is a folder, not a workspace file")
        if not path.exists():
            existed = False
            if not create:
                raise NoWorkspaceError(f"no workspace at {path} (nothing was created; `casedesk --db PATH "
                                       "cases new TITLE` or `demo` makes one)")
            if db is None and not path.parent.exists():
                _make_data_folder(path.parent)
            if not path.parent.is_dir():
                raise WorkspaceError(f"cannot create workspace {path}: folder {path.parent} does not exist")
        elif not os.access(path, os.R_OK):
            raise WorkspaceError(f"workspace {path} is not readable")
        elif (state := sqlcipher.file_state(path)) == "encrypted":
            key = _check_passphrase(path, passphrase)
        elif state == "other":
            raise WorkspaceError(f"{path} is not a CaseDesk workspace (not a SQLite or SQLCipher file)")
        target = str(path.resolve())
    engine = make_engine(target, passphrase=key)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
                actor = load_preferences().actor()
            else:
                actor = conn.execute(text("SELECT current_user")).scalar() or "unknown"
            conn.rollback()
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if is_url(target):
            raise WorkspaceError(f"cannot connect to {_redact(target)}: {reason}") from None
        raise WorkspaceError(f"cannot open workspace {target}: {reason}") from None
    if migrate:
        try:
            migrations.upgrade(engine, backup_path=None if is_url(target) or not existed else Path(target),
                               pg_backup=backup, passphrase=key)
        except WorkspaceError:
            engine.dispose()
            raise
    ws = Workspace(engine, target, actor)
    ws.encrypted = key is not None
    if migrate:
        _ensure_identity(ws)
        ws.receipt_problems = local_receipt_problems(ws)
    return ws


def local_receipt_problems(ws: Workspace) -> list[str]:
    """How the workspace differs from the head receipt this install kept of it (empty: it matches,
    or this install never wrote to it)."""
    with ws.read() as s:
        receipt = load_local_receipt(_workspace_uuid(s))
        return [] if receipt is None else check_receipt(s, receipt)


def sqlite_path_of(target: str) -> str:
    """A plain `sqlite:///PATH` URL as its file path (so it gets the same checks); others unchanged."""
    if is_url(target) and target.split("://", 1)[0] in ("sqlite", "sqlite+pysqlite"):
        from sqlalchemy.engine import make_url

        database = make_url(target).database
        if database and database != ":memory:" and not database.startswith("file:"):
            return database
    return target


def is_encrypted(db: str | None) -> bool:
    """True when the workspace named by db is an encrypted (SQLCipher) file."""
    target = sqlite_path_of(resolve_target(db))
    return not is_url(target) and sqlcipher.file_state(Path(target).expanduser()) == "encrypted"


def _check_passphrase(path: Path, passphrase: str | None) -> str:
    if passphrase is None:
        raise EncryptedWorkspaceError(f"the workspace is encrypted: {path} opens only with its passphrase "
                                      "(CASEDESK_PASSPHRASE on the command line)")
    sqlcipher.check_passphrase(passphrase)
    if not sqlcipher.opens_with(path, passphrase):
        raise WrongPassphraseError(f"wrong passphrase for the encrypted workspace {path}")
    return passphrase


def _make_data_folder(folder: Path) -> None:
    """Create the default workspace's folder, or say which folder is needed (HOME not writable)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(
            f"cannot create the folder {folder} for the workspace ({exc.strerror or exc}); make it "
            "writable, or choose a workspace elsewhere with --db or CASEDESK_DB") from None


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _ensure_identity(ws: Workspace) -> None:
    import uuid

    from casedesk.domain.clock import now_iso
    from casedesk.domain.models import WorkspaceInfo

    with ws.read() as s:
        if s.scalar(select(WorkspaceInfo.id)) is not None:
            return
    with ws.write() as s:
        if s.scalar(select(WorkspaceInfo.id)) is None:
            s.add(WorkspaceInfo(uuid=str(uuid.uuid4()), name="CaseDesk workspace", created_at=now_iso()))
