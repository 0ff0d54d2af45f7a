"""Verify a workspace: database integrity, every evidence blob re-hashed, the audit chain re-walked,
and each case imported from a case pack checked against the manifest and source audit it kept."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select

from casedesk.domain.models import AuditEntry, Blob, Evidence
from casedesk.services.audit import chain_head, walk_chain
from casedesk.storage.workspace import Workspace


@dataclass(frozen=True)
class Problem:
    """One thing verify found wrong: which check, which object, why."""

    check: str
    subject: str
    reason: str

    def __str__(self) -> str:
        return f"{self.check}: {self.subject}: {self.reason}"


@dataclass
class VerifyReport:
    """The outcome of verify: problems plus what was checked."""

    problems: list[Problem]
    blobs_checked: int
    audit_entries: int
    audit_head: str

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def as_json(self) -> dict:
        """The report as the CLI's JSON document."""
        return {"ok": self.ok, "problems": [asdict(p) | {"message": str(p)} for p in self.problems],
                "blobs_checked": self.blobs_checked, "audit_entries": self.audit_entries,
                "audit_head": self.audit_head}


def _database_problems(ws: Workspace) -> Iterator[Problem]:
    if ws.dialect != "sqlite":
        return
    with ws.engine.connect() as conn:
        for (line,) in conn.exec_driver_sql("PRAGMA integrity_check").all():
            if line != "ok":
                yield Problem("database", "integrity_check", line)
        for row in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
            yield Problem("database", f"table {row[0]} row {row[1]}",
                          f"refers to a missing row of {row[2]}")


def _imported_case_problems(s: Any) -> Iterator[Problem]:
    """Each case imported from a case pack: its manifest, the source audit entries it carried."""
    from casedesk.domain.origins import CaseOrigin
    from casedesk.services.audit import entry_hash

    for origin in s.scalars(select(CaseOrigin).order_by(CaseOrigin.id)):
        subject = f"imported case {origin.case_id}"
        text = origin.manifest or ""
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != origin.pack_sha256:
            yield Problem("import", subject, "its stored manifest no longer matches the pack's hash")
            continue
        try:
            manifest = json.loads(text)
            audit_part = manifest["parts"]["audit.jsonl"]
        except (ValueError, KeyError, TypeError):
            yield Problem("import", subject, "its stored manifest cannot be read")
            continue
        if origin.audit_sha256 != audit_part.get("sha256"):
            yield Problem("import", subject, "the source audit entries it keeps are not the pack's")
            continue
        content = s.scalar(select(Blob.content).where(Blob.sha256 == origin.audit_sha256))
        if content is None:
            yield Problem("import", subject, "the source audit entries it keeps are missing")
            continue
        if hashlib.sha256(content).hexdigest() != origin.audit_sha256:
            continue  # the blob check above already names this blob as altered
        for n, line in enumerate(content.splitlines(), 1):
            try:
                entry = json.loads(line)
                ok = entry_hash(entry["prev_hash"], entry) == entry["hash"]
            except (ValueError, KeyError, TypeError):
                ok = False
            if not ok:
                yield Problem("import", subject, f"source audit entry {n} does not match its hash")
                break


def verify_workspace(ws: Workspace) -> VerifyReport:
    """Run every check and return the report (never raises for a found problem)."""
    problems = list(_database_problems(ws))
    blobs = 0
    with ws.read() as s:
        last = ""
        while True:
            rows = s.execute(select(Blob.sha256, Blob.size, Blob.content)
                             .where(Blob.sha256 > last).order_by(Blob.sha256).limit(200)).all()
            if not rows:
                break
            for sha, size, content in rows:
                blobs += 1
                actual = hashlib.sha256(content or b"").hexdigest()
                if actual != sha:
                    problems.append(Problem("evidence", f"blob {sha}",
                                            f"content hashes to {actual}: the stored file was altered"))
                elif len(content) != size:
                    problems.append(Problem("evidence", f"blob {sha}", "stored size does not match"))
                last = sha
        missing = s.execute(select(Evidence.id, Evidence.sha256).outerjoin(
            Blob, Blob.sha256 == Evidence.sha256).where(Blob.sha256.is_(None))).all()
        for ev_id, sha in missing:
            problems.append(Problem("evidence", f"evidence {ev_id}", f"its content {sha} is missing"))
        for p in walk_chain(s):
            problems.append(Problem("audit", f"audit entry {p.entry_id}", p.reason))
        problems.extend(_imported_case_problems(s))
        _, head = chain_head(s)
        entries = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return VerifyReport(problems, blobs, entries, head)
