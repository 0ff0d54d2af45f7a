"""SQLCipher workspaces: tell an encrypted file from a plain one, open it with its key, convert.

SQLCipher (through the `sqlcipher3` driver, a drop-in for the standard `sqlite3` module)
encrypts every page of the file and of its write-ahead log with a key derived from the
passphrase (PBKDF2-HMAC-SHA512, AES-256, a per-file salt in the first 16 bytes). Evidence is
stored as blobs inside the workspace, so it is encrypted with everything else.
The passphrase is handed to SQLite only as a bound parameter or a quoted literal on a
driver connection, never through SQLAlchemy (whose statement logging would show it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from casedesk.domain.errors import WorkspaceError

SQLITE_HEADER = b"SQLite format 3\x00"
# SQLCipher page sizes are powers of two from 512: a file of any other length is not one
_PAGE_QUANTUM = 512

FileState = Literal["missing", "plain", "encrypted", "other"]


def driver() -> Any:  # noqa: ANN401 - the sqlcipher3.dbapi2 module
    """The SQLCipher DB-API module, or a WorkspaceError naming the missing package."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:  # pragma: no cover - a dependency of CaseDesk; only a broken install lacks it
        raise WorkspaceError("encrypted workspaces need the sqlcipher3 package "
                             "(pip install sqlcipher3-binary)") from None
    return dbapi2


def file_state(path: Path) -> FileState:
    """What the file at path is: missing, a plain SQLite file (or empty), SQLCipher, or neither."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "other"  # unreadable: the opener names the reason
    if size == 0 or head == SQLITE_HEADER:
        return "plain"
    # An encrypted file starts with a random salt, so its length is the only other tell.
    return "encrypted" if size % _PAGE_QUANTUM == 0 else "other"


def key_pragma(passphrase: str) -> str:
    """`PRAGMA key = '…'` with the passphrase as a properly quoted SQL string literal."""
    check_passphrase(passphrase)
    return "PRAGMA key = '" + passphrase.replace("'", "''") + "'"


def check_passphrase(passphrase: str) -> None:
    """Refuse passphrases SQLCipher cannot take whole (empty, or with a NUL character)."""
    if not passphrase:
        raise WorkspaceError("the passphrase is empty")
    if "\x00" in passphrase:
        raise WorkspaceError("the passphrase contains a NUL character")


def connect(path: Path, passphrase: str | None, **kwargs: Any) -> Any:  # noqa: ANN401
    """A driver connection to the file, keyed with the passphrase first (None: a plain file)."""
    conn = driver().connect(str(path), **kwargs)
    # SQLCipher logs a failed key check to stderr itself; CaseDesk reports it in one line instead
    conn.execute("PRAGMA cipher_log_level = NONE")
    if passphrase is not None:
        conn.execute(key_pragma(passphrase))
    return conn


def creator(path: Path, passphrase: str) -> Any:  # noqa: ANN401 - a zero-argument connect function
    """The connect function SQLAlchemy's pool calls for an encrypted file (key set before anything)."""
    check_passphrase(passphrase)

    def connect_keyed() -> Any:  # noqa: ANN401
        # check_same_thread off as SQLAlchemy does for file databases: the pool hands connections
        # to the background runner and checkpoint threads, never to two threads at once.
        return connect(path, passphrase, timeout=30, check_same_thread=False)

    return connect_keyed


def opens_with(path: Path, passphrase: str) -> bool:
    """True when the passphrase opens the encrypted file (SQLCipher checks the first page's HMAC)."""
    dbapi = driver()
    conn = connect(path, passphrase)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except dbapi.DatabaseError:
        return False
    finally:
        conn.close()


def export(src: Path, dest: Path, *, src_key: str | None, dest_key: str | None) -> None:
    """Copy every table, index, trigger and row of src into a new file dest, keyed with dest_key
    (None: plain), by SQLCipher's own sqlcipher_export; dest is removed if anything fails."""
    if dest.exists():
        raise WorkspaceError(f"cannot convert into {dest}: the file exists")
    conn = connect(src, src_key)
    conn.isolation_level = None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        # KEY '' attaches a plain database; the key goes in as a bound parameter
        conn.execute("ATTACH DATABASE ? AS converted KEY ?", (str(dest), dest_key or ""))
        conn.execute("SELECT sqlcipher_export('converted')").fetchall()
        conn.execute(f"PRAGMA converted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE converted")
    except BaseException:
        conn.close()
        remove_with_sidecars(dest)
        raise
    conn.close()


def same_content(a: Path, a_key: str | None, b: Path, b_key: str | None) -> list[str]:
    """Tables whose row counts differ between two workspace files (empty: they match)."""
    counts = []
    for path, key in ((a, a_key), (b, b_key)):
        conn = connect(path, key)
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            counts.append({n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names})
        finally:
            conn.close()
    return sorted(n for n in counts[0].keys() | counts[1].keys() if counts[0].get(n) != counts[1].get(n))


def sidecars(path: Path) -> list[Path]:
    """The write-ahead log and shared-memory files SQLite keeps beside a database file."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def remove_with_sidecars(path: Path) -> None:
    """Delete a database file and its -wal/-shm/-journal files, if present."""
    for p in (path, *sidecars(path)):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
