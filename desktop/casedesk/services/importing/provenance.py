"""Where imported facts come from: the file's bytes as hashed evidence, the batch, the rejects file.

The file is hashed and stored in streamed pieces (SQLite incremental blob I/O), so a file of
hundreds of megabytes never sits in memory whole. Everything happens in the import's one
transaction: a cancelled or failed import leaves no evidence, batch or blob behind.
"""

from __future__ import annotations

import csv
import hashlib
import mimetypes
import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Blob, Evidence, ImportBatch
from casedesk.services.audit import record_audit
from casedesk.services.evidence import parse_grade
from casedesk.services.importing.mapping import REJECT_COLUMNS
from casedesk.storage.workspace import actor_of, changes_of

_PIECE = 1 << 20
# SQLite's default limit on one value (SQLITE_MAX_LENGTH).
SQLITE_MAX_BLOB = 1_000_000_000


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in pieces."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as fh:
            while piece := fh.read(_PIECE):
                digest.update(piece)
                size += len(piece)
    except OSError as exc:
        raise ValidationError("file", f"cannot read {path}: {exc.strerror}") from None
    return digest.hexdigest(), size


def store_file_blob(session: Session, path: Path, sha256: str, size: int) -> None:
    """Store a file's bytes once under their SHA-256, streaming them on SQLite."""
    if session.scalar(select(Blob.sha256).where(Blob.sha256 == sha256)) is not None:
        return
    if session.bind.dialect.name != "sqlite":
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise ValidationError("file", f"{path.name} changed while it was being imported")
        session.execute(insert(Blob), {"sha256": sha256, "size": len(content), "content": content})
        return
    if size > SQLITE_MAX_BLOB:
        raise ValidationError(
            "file",
            f"{path.name} is {size:,} bytes; evidence files are limited "
            f"to {SQLITE_MAX_BLOB:,} bytes in a SQLite workspace",
        )
    session.execute(
        text("INSERT INTO blob (sha256, size, content) VALUES (:s, :n, zeroblob(:n))"),
        {"s": sha256, "n": size},
    )
    rowid = session.scalar(text("SELECT rowid FROM blob WHERE sha256 = :s"), {"s": sha256})
    raw = session.connection().connection.driver_connection
    digest = hashlib.sha256()
    written = 0
    # sqlite3 names it blobopen, the SQLCipher driver (encrypted workspaces) open_blob
    blobopen = getattr(raw, "blobopen", None) or raw.open_blob
    with blobopen("blob", "content", rowid) as blob, path.open("rb") as fh:
        while piece := fh.read(_PIECE):
            if written + len(piece) > size:
                raise ValidationError("file", f"{path.name} changed while it was being imported")
            blob.write(piece)
            digest.update(piece)
            written += len(piece)
    if written != size or digest.hexdigest() != sha256:
        raise ValidationError("file", f"{path.name} changed while it was being imported")


def add_import_evidence(
    session: Session,
    case_id: int,
    path: Path,
    sha256: str,
    size: int,
    *,
    grade: str,
    title: str,
    source: str,
) -> int:
    """Store the file and record it as graded evidence of the case (audited); returns its id."""
    reliability, credibility = parse_grade(grade)
    store_file_blob(session, path, sha256, size)
    media = (
        "text/tab-separated-values"
        if path.suffix.lower() in (".tsv", ".tab")
        else mimetypes.guess_type(path.name)[0] or "text/csv"
    )
    ev = Evidence(
        case_id=case_id,
        sha256=sha256,
        title=title,
        evidence_kind="csv_import",
        source=source,
        author=actor_of(session),
        filename=path.name,
        media_type=media,
        reliability=reliability,
        credibility=credibility,
        created_at=now_iso(),
    )
    session.add(ev)
    session.flush()
    record_audit(
        session,
        "create",
        "evidence",
        ev.id,
        case_id=case_id,
        after={
            "title": title,
            "sha256": sha256,
            "size": size,
            "grade": reliability + credibility,
            "source": source,
            "filename": path.name,
        },
    )
    changes_of(session).add("created", "evidence", ev.id)
    return ev.id


def start_batch(
    session: Session,
    case_id: int,
    evidence_id: int,
    path: Path,
    sha256: str,
    mapping: dict[str, Any],
) -> int:
    """Create the import batch row (counts follow at the end); returns its id."""
    batch = ImportBatch(
        case_id=case_id,
        evidence_id=evidence_id,
        filename=path.name,
        sha256=sha256,
        mapping=mapping,
        counts={},
        actor=actor_of(session),
        created_at=now_iso(),
    )
    session.add(batch)
    session.flush()
    return batch.id


def finish_batch(session: Session, case_id: int, batch_id: int, counts: dict[str, Any]) -> None:
    """Store the batch's counts and append its audit entry (file, hash, mapping, counts)."""
    session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id)
        .values(counts=counts)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(
        select(
            ImportBatch.filename,
            ImportBatch.sha256,
            ImportBatch.mapping,
            ImportBatch.evidence_id,
            ImportBatch.actor,
            ImportBatch.created_at,
        ).where(ImportBatch.id == batch_id)
    ).one()
    record_audit(
        session,
        "create",
        "import_batch",
        batch_id,
        case_id=case_id,
        after={
            "filename": row.filename,
            "sha256": row.sha256,
            "evidence_id": row.evidence_id,
            "mapping": row.mapping,
            "counts": counts,
            "actor": row.actor,
            "created_at": row.created_at,
        },
    )
    changes_of(session).add("created", "import_batch", batch_id)


# --- the rejects file -----------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?")


def neutralise_cell(value: str) -> str:
    """A cell made safe for spreadsheets: formula-looking text gets a leading apostrophe.

    Cells starting with = + - @ (or a tab / carriage return) run as formulas in Excel and
    LibreOffice ("=cmd|' /C calc'!A0"); plain numbers such as -12.5 are left alone.
    """
    if (
        value
        and value[0] in "=+-@\t\r"
        and not (_NUMBER.fullmatch(value) and any(c.isdigit() for c in value))
    ):
        return "'" + value
    return value


class RejectsWriter:
    """Writes rejected rows (row number, reason, original cells) to a CSV, atomically.

    Rows go to a hidden part file next to the target; commit() renames it into place, discard()
    removes it, so a failed import never leaves a half-written rejects file.
    """

    def __init__(self, path: Path, columns: tuple[str, ...]):
        self.path = Path(path)
        self.part = self.path.with_name(f".{self.path.name}.part")
        try:
            self._fh = self.part.open("w", encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise ValidationError("rejects", f"cannot write {self.path}: {exc.strerror}") from None
        self._writer = csv.writer(self._fh)
        self._writer.writerow([*REJECT_COLUMNS, *(neutralise_cell(c) for c in columns)])
        self.count = 0

    def write(self, row: int, reason: str, cells: tuple[str, ...] | list[str]) -> None:
        """Append one rejected row."""
        self._writer.writerow([row, neutralise_cell(reason), *(neutralise_cell(c) for c in cells)])
        self.count += 1

    def commit(self) -> Path:
        """Close and move the file into place; returns its path."""
        self._fh.close()
        os.replace(self.part, self.path)
        return self.path

    def discard(self) -> None:
        """Close and delete the part file."""
        if not self._fh.closed:
            self._fh.close()
        try:
            self.part.unlink()
        except FileNotFoundError:
            pass
