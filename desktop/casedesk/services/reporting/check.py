"""Check a dossier PDF against a workspace: same workspace, same audit history, changed since or not.

A dossier carries a fingerprint in its PDF keywords (workspace id, case id, audit entry id and
hash, redaction profile; see fingerprint.fingerprint). `casedesk verify --dossier FILE` reads it here.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import AuditEntry, Case, WorkspaceInfo
from casedesk.services.audit import OUTPUT_ACTIONS, content_head
from casedesk.services.reporting.fingerprint import receipt_of
from casedesk.storage.seals import check_receipt


@dataclass
class DossierCheck:
    """What checking a dossier against the workspace found."""

    path: str
    sha256: str
    fingerprint: dict[str, str]
    problems: list[str] = field(default_factory=list)
    changed_since: bool = False
    entries_since: int = 0

    @property
    def ok(self) -> bool:
        """True when the dossier matches this workspace's history."""
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """The check as part of verify's JSON document."""
        return asdict(self) | {"ok": self.ok}


def read_fingerprint(path: str | os.PathLike[str]) -> tuple[dict[str, str], str]:
    """The fingerprint stored in a dossier's keywords and the file's SHA-256."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ValidationError("dossier", f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        import io

        meta = PdfReader(io.BytesIO(data)).metadata or {}
    except (PdfReadError, ValueError, OSError) as exc:
        raise ValidationError("dossier", f"{file} is not a readable PDF ({exc})") from None
    keywords = str(meta.get("/Keywords") or "")
    pairs = {}
    for part in keywords.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep:
            pairs[key.strip()] = value.strip()
    return pairs, hashlib.sha256(data).hexdigest()


def check_dossier(session: Session, path: str | os.PathLike[str]) -> DossierCheck:
    """Compare a dossier's fingerprint with the workspace the session reads."""
    fp, sha = read_fingerprint(path)
    result = DossierCheck(str(path), sha, fp)
    if fp.get("casedesk-dossier") != "1":
        result.problems.append("the file carries no CaseDesk dossier fingerprint")
        return result
    uuid = session.scalar(select(WorkspaceInfo.uuid).order_by(WorkspaceInfo.id).limit(1)) or ""
    if fp.get("workspace") != uuid:
        result.problems.append(f"the dossier was made from workspace {fp.get('workspace')!r}, "
                               f"this is workspace {uuid!r}")
    try:
        case_id = int(fp.get("case", ""))
        entry_id = int(fp.get("audit-entry", ""))
    except ValueError:
        result.problems.append("the dossier's fingerprint is damaged (case or audit entry is not a number)")
        return result
    if session.get(Case, case_id) is None:
        result.problems.append(f"case {case_id} no longer exists in this workspace")
    if entry_id:
        stored = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == entry_id))
        if stored is None:
            result.problems.append(f"audit entry {entry_id} is missing: the workspace history differs")
        elif stored != fp.get("audit-head"):
            result.problems.append(f"audit entry {entry_id} has hash {stored}, the dossier says "
                                   f"{fp.get('audit-head')}: the workspace history differs")
    receipt = receipt_of(fp)
    if receipt is not None:  # dossiers before receipts carry none; the entry check above still holds
        result.problems.extend(f"its head receipt: {p}" for p in check_receipt(session, receipt))
    head_id, _head = content_head(session)  # exports since the dossier change nothing
    result.changed_since = head_id != entry_id
    result.entries_since = session.scalar(
        select(func.count()).select_from(AuditEntry).where(
            AuditEntry.id > entry_id, AuditEntry.action.not_in(OUTPUT_ACTIONS))) or 0
    return result
