"""Verify the seals on the audit chain: every entry after sealing began is inside a seal's span,
each seal's signature holds with its key, and the head it signed is still there, unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.errors import WorkspaceError
from casedesk.domain.models import AuditEntry
from casedesk.domain.seals import AuditKey, AuditSeal, seal_message
from casedesk.storage.seals import workspace_uuid
from casedesk.storage.signing import install_key, key_id_of, verify_signature

_MAX_SPANS_NAMED = 5


@dataclass
class SealReport:
    """What the seal check found: problems (as (subject, reason)), who signed, what is unsigned."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    signers: list[dict[str, Any]] = field(default_factory=list)
    # Entries before this id were written before sealing began (None: every entry is sealed,
    # or no entry at all; 0 is never used).
    unsigned_before: int | None = None
    sealed: bool = False


def _spans(ids: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for i in ids:
        if spans and spans[-1][1] + 1 == i:
            spans[-1] = (spans[-1][0], i)
        else:
            spans.append((i, i))
    return spans


def check_seals(session: Session, batch: int = 50000) -> SealReport:
    """Check every seal against the chain and the keys the workspace lists."""
    report = SealReport()
    seals = session.scalars(select(AuditSeal).order_by(AuditSeal.entry_id, AuditSeal.id)).all()
    keys = {k.key_id: k for k in session.scalars(select(AuditKey))}
    uuid = workspace_uuid(session)
    mine = own_key_id()
    counts: dict[str, int] = {}
    for k in keys.values():
        if not _hex(k.public_key) or key_id_of(bytes.fromhex(k.public_key)) != k.key_id:
            report.problems.append((f"key {k.key_id}", "its public key does not match its key id"))
    for seal in seals:
        key = keys.get(seal.key_id)
        subject = f"seal of entries {seal.first_entry_id}–{seal.entry_id}"
        if key is None:
            report.problems.append((subject, f"signed by key {seal.key_id}, which the workspace does "
                                             "not list"))
            continue
        message = seal_message(uuid, seal.entries, seal.entry_id, seal.entry_hash, seal.first_entry_id)
        if not verify_signature(key.public_key, message, seal.signature):
            report.problems.append((subject, f"its signature by key {seal.key_id} does not hold: the "
                                             "seal or the workspace identity was altered"))
        counts[seal.key_id] = counts.get(seal.key_id, 0) + 1
    report.signers = [{"key_id": k, "actor": keys[k].actor, "seals": n, "this_install": k == mine}
                      for k, n in sorted(counts.items())]
    report.sealed = bool(seals)
    report.problems.extend(_walk(session, seals, batch, report))
    return report


def own_key_id() -> str | None:
    """This install's key id, or None when it has none and cannot make one (read-only data folder)."""
    try:
        return install_key().key_id
    except WorkspaceError:
        return None


def _hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
        return True
    except ValueError:
        return False


def _walk(session: Session, seals: list[AuditSeal], batch: int, report: SealReport
          ) -> Iterator[tuple[str, str]]:
    """One pass over entry ids and hashes: each seal's head is present with its hash and count,
    and every entry after the first seal's span start lies in some seal's span."""
    by_head: dict[int, list[AuditSeal]] = {}
    for s in seals:
        by_head.setdefault(s.entry_id, []).append(s)
    spans = sorted((s.first_entry_id, s.entry_id) for s in seals)
    start = spans[0][0] if spans else None
    seen: set[int] = set()
    unsealed: list[int] = []
    count, last_id, span_i, legacy = 0, 0, 0, False
    while True:
        rows = session.execute(select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.id > last_id)
                               .order_by(AuditEntry.id).limit(batch)).all()
        if not rows:
            break
        for entry_id, entry_hash in rows:
            count += 1
            last_id = entry_id
            if start is None or entry_id < start:
                legacy = legacy or start is not None
                continue
            while span_i < len(spans) and spans[span_i][1] < entry_id:
                span_i += 1
            if span_i >= len(spans) or spans[span_i][0] > entry_id:
                unsealed.append(entry_id)
            for seal in by_head.get(entry_id, ()):
                seen.add(seal.id)
                subject = f"audit entry {entry_id}"
                if seal.entry_hash != entry_hash:
                    yield (subject, "its hash is not the one its seal signed: the history up to it "
                                    "was rewritten")
                elif seal.entries != count:
                    yield (subject, f"its seal counts {seal.entries} entries up to it, the workspace "
                                    f"holds {count}: entries were removed or inserted")
    if legacy:
        report.unsigned_before = start
    elif start is None and count:
        report.unsigned_before = last_id + 1  # nothing signed at all: written before sealing began
    for seal in seals:
        if seal.id not in seen:
            yield (f"audit entry {seal.entry_id}", f"it is missing, but a seal signed it ({seal.entries} "
                                                  "entries then): the newest entries were removed")
    runs = _spans(unsealed)
    for a, b in runs[:_MAX_SPANS_NAMED]:
        what = f"audit entry {a}" if a == b else f"audit entries {a}–{b}"
        yield (what, "no seal covers it: written outside CaseDesk, or its seal was removed")
    if len(runs) > _MAX_SPANS_NAMED:
        yield ("audit entries", f"{len(runs) - _MAX_SPANS_NAMED} more runs of entries no seal covers")
