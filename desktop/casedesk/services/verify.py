"""Verify a workspace: database integrity, the schema against the migrations, every evidence blob
re-hashed, the audit chain re-walked and its seals and head receipts checked, each row's state
against its audit history, and each case imported from a case pack against what it kept.

Every check runs even when another fails; a check that cannot run is itself a problem."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
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
    # who sealed the history ({key_id, actor, seals, this_install}) and where signing began
    signers: list[dict] = field(default_factory=list)
    unsigned_before: int | None = None
    workspace: str = ""
    install_key: str = ""  # this install's key id, to compare with signers out of band

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def as_json(self) -> dict:
        """The report as the CLI's JSON document."""
        return {"ok": self.ok, "problems": [asdict(p) | {"message": str(p)} for p in self.problems],
                "blobs_checked": self.blobs_checked, "audit_entries": self.audit_entries,
                "audit_head": self.audit_head, "workspace": self.workspace, "signers": self.signers,
                "unsigned_before": self.unsigned_before, "install_key": self.install_key}

    def notes(self) -> list[str]:
        """Facts worth a line that are not problems (who signed, where signing began)."""
        lines = [f"signed by key {s['key_id']} ({s['actor']}"
                 f"{', this install' if s['this_install'] else ''}): {s['seals']} seals"
                 for s in self.signers]
        if self.unsigned_before:
            lines.append(f"unsigned before entry {self.unsigned_before} (written before signing "
                         "began; their hash chain is checked)")
        return lines


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
    from casedesk.services.exchange.casepack_receipt import receipt_refusal

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
        refused = receipt_refusal(manifest)
        if refused is not None:
            yield Problem("import", subject, f"the pack's {refused.removeprefix('its ')}")
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


def _blob_problems(s: Any, counter: list[int]) -> Iterator[Problem]:
    """Every blob re-hashed; content that is not bytes (text written in its place) is named too."""
    last = ""
    while True:
        rows = s.execute(select(Blob.sha256, Blob.size, Blob.content)
                         .where(Blob.sha256 > last).order_by(Blob.sha256).limit(200)).all()
        if not rows:
            return
        for sha, size, content in rows:
            counter[0] += 1
            last = sha
            if content is not None and not isinstance(content, (bytes, bytearray, memoryview)):
                yield Problem("evidence", f"blob {sha}", f"its content is stored as {type(content).__name__},"
                              " not bytes: the stored file was replaced outside CaseDesk")
                continue
            actual = hashlib.sha256(bytes(content or b"")).hexdigest()
            if actual != sha:
                yield Problem("evidence", f"blob {sha}",
                              f"content hashes to {actual}: the stored file was altered")
            elif len(content) != size:
                yield Problem("evidence", f"blob {sha}", "stored size does not match")
    return


def _missing_blob_problems(s: Any) -> Iterator[Problem]:
    missing = s.execute(select(Evidence.id, Evidence.sha256).outerjoin(
        Blob, Blob.sha256 == Evidence.sha256).where(Blob.sha256.is_(None))).all()
    for ev_id, sha in missing:
        yield Problem("evidence", f"evidence {ev_id}", f"its content {sha} is missing")


def _schema_problems(ws: Workspace) -> Iterator[Problem]:
    from casedesk.storage.schema_check import foreign_objects

    with ws.engine.connect() as conn:
        found = foreign_objects(conn)
    for obj in found:
        yield Problem("schema", f"{obj.type} {obj.name}", f"on {obj.table}: {obj.reason}")


def _receipt_problems(s: Any, receipts: Iterable[tuple[str, Any]]) -> Iterator[Problem]:
    from casedesk.storage.seals import check_receipt, load_local_receipt, workspace_uuid

    local = load_local_receipt(workspace_uuid(s))
    given = list(receipts)
    if local is not None:
        given.insert(0, ("this install's head receipt", local))
    for label, receipt in given:
        for reason in check_receipt(s, receipt):
            yield Problem("receipt", label, reason)


def _guarded(check: str, problems: list[Problem], work: Callable[[], Iterable[Problem]],
             session: Any = None) -> None:
    """Run one check; if it cannot finish, that is a problem too (verify itself never fails)."""
    try:
        problems.extend(work())
    except Exception as exc:  # noqa: BLE001 - tampered data must not stop the other checks
        if session is not None:
            session.rollback()  # PostgreSQL refuses every later statement of a failed transaction
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problems.append(Problem(check, "check", f"could not be completed: {reason}"))


def verify_workspace(ws: Workspace, *, receipts: Iterable[tuple[str, Any]] = ()) -> VerifyReport:
    """Run every check and return the report (never raises for a found problem).

    receipts: (label, parsed JSON) of head receipts someone handed over, checked as this install's is.
    """
    from casedesk.services.verify_seals import check_seals, own_key_id
    from casedesk.services.verify_state import state_problems
    from casedesk.storage.seals import workspace_uuid

    problems: list[Problem] = []
    _guarded("database", problems, lambda: list(_database_problems(ws)))
    _guarded("schema", problems, lambda: list(_schema_problems(ws)))
    blobs = [0]
    report = VerifyReport([], 0, 0, "")
    with ws.read() as s:
        _guarded("evidence", problems, lambda: list(_blob_problems(s, blobs)), s)
        _guarded("evidence", problems, lambda: list(_missing_blob_problems(s)), s)
        _guarded("audit", problems, lambda: [Problem("audit", f"audit entry {p.entry_id}", p.reason)
                                             for p in walk_chain(s)], s)

        def seals() -> list[Problem]:
            found = check_seals(s)
            report.signers, report.unsigned_before = found.signers, found.unsigned_before
            return [Problem("seal", subject, reason) for subject, reason in found.problems]

        _guarded("seal", problems, seals, s)
        _guarded("receipt", problems, lambda: list(_receipt_problems(s, receipts)), s)
        _guarded("state", problems, lambda: [Problem("state", subject, reason)
                                             for subject, reason in state_problems(s)], s)
        _guarded("import", problems, lambda: list(_imported_case_problems(s)), s)
        try:
            _, report.audit_head = chain_head(s)
            report.audit_entries = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
            report.workspace = workspace_uuid(s)
            report.install_key = own_key_id() or ""
        except Exception as exc:  # noqa: BLE001
            problems.append(Problem("audit", "head", f"could not be read: {exc}"))
    report.problems, report.blobs_checked = problems, blobs[0]
    return report
