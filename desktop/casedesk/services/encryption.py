"""Encrypt a SQLite workspace file with SQLCipher, or decrypt it, leaving no stale plaintext.

The converted copy is written beside the workspace, checked (same rows in every table, and
`verify` finds exactly what it found in the original), and only then moved over the original in
one rename, so a failure at any step leaves the workspace as it was. Encrypting also encrypts the
pre-upgrade backups CaseDesk made beside the file; decrypting keeps an encrypted backup first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from casedesk.domain.errors import NoWorkspaceError, WorkspaceError
from casedesk.domain.models import WorkspaceInfo
from casedesk.services.audit import record_audit
from casedesk.services.verify import verify_workspace
from casedesk.storage import sqlcipher
from casedesk.storage.engine import is_url
from casedesk.storage.migrations import backup_sqlite
from casedesk.storage.workspace import open_workspace, resolve_target, sqlite_path_of


@dataclass
class Conversion:
    """What encrypt/decrypt did: the workspace file, its new state, the backups it made or converted."""

    path: Path
    encrypted: bool
    backup: Path | None = None
    backups_encrypted: list[Path] = field(default_factory=list)

    def as_json(self) -> dict:
        """The `{"path", "encrypted"}` document of cli.md, plus the backups."""
        return {"path": str(self.path), "encrypted": self.encrypted,
                "backup": str(self.backup) if self.backup else None,
                "backups_encrypted": [str(p) for p in self.backups_encrypted]}


def encrypt_workspace(db: str | None, passphrase: str) -> Conversion:
    """Encrypt the plain SQLite workspace with the passphrase; the plaintext file is gone after."""
    sqlcipher.check_passphrase(passphrase)
    path = workspace_file(db, encrypted=False)
    _convert(path, src_key=None, dest_key=passphrase)
    return Conversion(path, True, backups_encrypted=_encrypt_old_backups(path, passphrase))


def decrypt_workspace(db: str | None, passphrase: str) -> Conversion:
    """Turn the encrypted workspace back into a plain one (an encrypted backup is kept beside it)."""
    path = workspace_file(db, encrypted=True)
    backup = _convert(path, src_key=passphrase, dest_key=None)
    return Conversion(path, False, backup=backup)


def workspace_file(db: str | None, *, encrypted: bool) -> Path:
    """The SQLite workspace file db names, checked to exist and be encrypted (or plain) already."""
    target = sqlite_path_of(resolve_target(db))
    if is_url(target):
        raise WorkspaceError("encrypt and decrypt work on a SQLite workspace file; a PostgreSQL "
                             "database is protected by its server (disk encryption, TLS)")
    path = Path(target).expanduser().resolve()
    if not path.exists():
        raise NoWorkspaceError(f"no workspace at {path} (nothing was created)")
    state = sqlcipher.file_state(path)
    if encrypted and state != "encrypted":
        raise WorkspaceError(f"{path} is not encrypted")
    if not encrypted and state == "encrypted":
        raise WorkspaceError(f"{path} is already encrypted")
    return path


def _convert(path: Path, *, src_key: str | None, dest_key: str | None) -> Path | None:
    """Convert path in place (src_key → dest_key); returns the backup made, if any."""
    ws = open_workspace(str(path), create=False, passphrase=src_key)  # brings it to the newest schema
    try:
        before = [str(p) for p in verify_workspace(ws).problems]
    finally:
        ws.dispose()
    if any(p.exists() for p in sqlcipher.sidecars(path)):
        # our last connection closed, so SQLite would have folded its write-ahead log away
        raise WorkspaceError(f"{path} is open in another CaseDesk window or command; close it first")
    backup = backup_sqlite(path, src_key) if src_key is not None else None
    temp = path.with_name(f".{path.name}.converting")
    sqlcipher.remove_with_sidecars(temp)  # a copy left by a conversion that was cut short
    try:
        sqlcipher.export(path, temp, src_key=src_key, dest_key=dest_key)
        differ = sqlcipher.same_content(path, src_key, temp, dest_key)
        if differ:
            raise WorkspaceError(f"the converted copy differs in {', '.join(differ)}; "
                                 f"the workspace is unchanged")
        _note_and_verify(temp, dest_key, before)
        _fold_log(temp, dest_key)
        os.replace(temp, path)  # the original (plain or encrypted) stays whole until this rename
    except BaseException:
        sqlcipher.remove_with_sidecars(temp)
        raise
    _sync_folder(path.parent)
    return backup


def _note_and_verify(temp: Path, key: str | None, before: list[str]) -> None:
    """Write the conversion's audit entry into the copy, then require verify to find what it found
    in the original (nothing, for a healthy workspace)."""
    ws = open_workspace(str(temp), create=False, passphrase=key)
    try:
        with ws.write() as s:
            info_id = s.scalar(select(WorkspaceInfo.id))
            record_audit(s, "encrypt" if key is not None else "decrypt", "workspace", info_id,
                         after={"encrypted": key is not None})
        after = [str(p) for p in verify_workspace(ws).problems]
    finally:
        ws.dispose()
    if after != before:
        new = [p for p in after if p not in before] or after
        raise WorkspaceError(f"the converted copy does not verify ({new[0]}); the workspace is unchanged")


def _fold_log(path: Path, key: str | None) -> None:
    """Fold the copy's write-ahead log into it and leave it in rollback-journal mode, so nothing
    beside it is left behind by the rename (the next open switches it back to WAL)."""
    conn = sqlcipher.connect(path, key)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        conn.execute("PRAGMA journal_mode=DELETE").fetchall()
    finally:
        conn.close()
    left = [p.name for p in sqlcipher.sidecars(path) if p.exists()]
    if left:
        raise WorkspaceError(f"could not close the converted copy cleanly ({', '.join(left)} left)")


def _encrypt_old_backups(path: Path, passphrase: str) -> list[Path]:
    """Encrypt the plain pre-upgrade backups beside the workspace (name.backup-STAMP.ext)."""
    done = []
    for old in sorted(path.parent.glob(f"{path.stem}.backup-*{path.suffix}")):
        if sqlcipher.file_state(old) != "plain" or any(p.exists() for p in sqlcipher.sidecars(old)):
            continue
        temp = old.with_name(f".{old.name}.converting")
        sqlcipher.remove_with_sidecars(temp)
        try:
            sqlcipher.export(old, temp, src_key=None, dest_key=passphrase)
            if sqlcipher.same_content(old, None, temp, passphrase):
                raise WorkspaceError(f"could not encrypt the backup {old}: the copy differs")
            os.replace(temp, old)
        except BaseException:
            sqlcipher.remove_with_sidecars(temp)
            raise
        done.append(old)
    return done


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
