"""Where an export writes: a file (or folder) made beside the target and renamed over it when done.

A cancelled or failed export leaves nothing behind; the SHA-256 of what was written is computed
while writing (a file) or over the parts in name order (a folder), for the audit entry.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any

from casedesk.domain.errors import CaseDeskError, ValidationError


def check_output(out_path: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """The target made absolute, or a ValidationError saying why it cannot be written."""
    text = os.fspath(out_path)
    if not text.strip():
        raise ValidationError("output", "no output path given")
    if "\x00" in text:
        raise ValidationError("output", "a file name cannot contain a NUL character")
    path = Path(text).expanduser()
    path = path if path.is_absolute() else Path.cwd() / path
    parent = path.parent
    if not parent.is_dir():
        raise ValidationError("output", f"folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValidationError("output", f"folder {parent} is not writable")
    if folder:
        if path.exists() and not path.is_dir():
            raise ValidationError("output", f"{path} exists and is not a folder")
        if path.is_dir() and any(path.iterdir()):
            raise ValidationError("output", f"folder {path} is not empty; give a new or empty folder")
    elif path.is_dir():
        raise ValidationError("output", f"{path} is a folder; give a file name")
    return path


class HashingWriter:
    """A binary file object that hashes and counts what passes through it."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


class AtomicFile:
    """A temporary file beside the target; commit() renames it over the target, else it is removed."""

    def __init__(self, target: Path):
        self.target = target
        try:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        except OSError as exc:
            raise ValidationError("output", f"cannot write in folder {target.parent}: "
                                  f"{exc.strerror or exc}") from None
        self.temp = Path(name)
        self.raw = os.fdopen(fd, "wb")
        self.out = HashingWriter(self.raw)

    def __enter__(self) -> AtomicFile:
        return self

    def commit(self) -> str:
        """Finish the file, put it in place; returns its SHA-256."""
        try:
            self.raw.flush()
            os.fsync(self.raw.fileno())
            self.raw.close()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.temp, 0o666 & ~umask)
            os.replace(self.temp, self.target)
        except OSError as exc:
            raise CaseDeskError(f"cannot write {self.target}: {exc.strerror or exc}") from None
        return self.out.hexdigest()

    def __exit__(self, *exc: Any) -> None:
        if not self.raw.closed:
            self.raw.close()
        self.temp.unlink(missing_ok=True)


class AtomicFolder:
    """A temporary folder beside the target; commit() renames it into place, else it is removed."""

    def __init__(self, target: Path):
        self.target = target
        try:
            self.temp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.",
                                              suffix=".part"))
        except OSError as exc:
            raise ValidationError("output", f"cannot write in folder {target.parent}: "
                                  f"{exc.strerror or exc}") from None
        self.hashes: dict[str, str] = {}

    def __enter__(self) -> AtomicFolder:
        return self

    def commit(self) -> str:
        """Put the folder in place; returns the SHA-256 over 'sha256  name' lines of its files."""
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.temp, 0o777 & ~umask)
            if self.target.is_dir():
                self.target.rmdir()  # check_output made sure it is empty
            os.replace(self.temp, self.target)
        except OSError as exc:
            raise CaseDeskError(f"cannot write {self.target}: {exc.strerror or exc}") from None
        return folder_digest(self.hashes)

    def __exit__(self, *exc: Any) -> None:
        if self.temp.exists():
            shutil.rmtree(self.temp, ignore_errors=True)


def folder_digest(hashes: dict[str, str]) -> str:
    """One SHA-256 for a set of files: over their 'sha256  name' lines in name order (sha256sum's form)."""
    text = "".join(f"{hashes[name]}  {name}\n" for name in sorted(hashes))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
