"""Seal each write transaction's audit head with this install's key, and keep its head receipt.

A seal (in the workspace) says "after this transaction there were N entries, the newest id I with
hash H", signed; the head receipt (the same statement, outside the workspace, one file per
workspace under the user's data directory) lets a later open or `verify` see entries cut off the
end even when the seals were cut off with them.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.models import AuditEntry, WorkspaceInfo
from casedesk.domain.seals import AuditKey, AuditSeal, head_message, seal_message
from casedesk.storage.signing import data_dir, install_key, key_id_of, verify_signature

log = logging.getLogger(__name__)

RECEIPT_FORMAT = "casedesk-receipt/1"
# session.info: the first audit id the transaction appended (services.audit sets it)
OWN_AUDIT_FROM = "own_audit_from"


@dataclass(frozen=True)
class Head:
    """An audit head: the workspace, how many entries, the newest entry's id and hash."""

    workspace: str
    entries: int
    entry_id: int
    entry_hash: str


def workspace_uuid(session: Session) -> str:
    """The workspace's identity ('' before it has one)."""
    return session.scalar(select(WorkspaceInfo.uuid).order_by(WorkspaceInfo.id).limit(1)) or ""


def seal_transaction(session: Session) -> Head | None:
    """Add a signed seal for the head this transaction leaves; None when it appended no entry."""
    session.flush()
    newest = session.execute(select(AuditEntry.id, AuditEntry.hash)
                             .order_by(AuditEntry.id.desc()).limit(1)).first()
    if newest is None:
        return None
    last = session.execute(select(AuditSeal.entry_id, AuditSeal.entries)
                           .order_by(AuditSeal.id.desc()).limit(1)).first()
    if last is not None and last.entry_id == newest.id:
        return None
    # Counted from the last seal on, so a write to a big workspace does not count it all again.
    since = AuditEntry.id > last.entry_id if last is not None else AuditEntry.id > 0
    entries = (last.entries if last is not None else 0) + (session.scalar(
        select(func.count()).select_from(AuditEntry).where(since, AuditEntry.id <= newest.id)) or 0)
    key = install_key()
    if session.get(AuditKey, key.key_id) is None:
        session.add(AuditKey(key_id=key.key_id, public_key=key.public_key.hex(),
                             actor=session.info.get("actor") or "unknown", first_used_at=now_iso()))
    head = Head(workspace_uuid(session), entries, newest.id, newest.hash)
    first = session.info.get(OWN_AUDIT_FROM) or newest.id
    if last is not None:
        first = max(first, last.entry_id + 1)
    session.add(AuditSeal(first_entry_id=first, entry_id=newest.id, entries=entries,
                          entry_hash=newest.hash, key_id=key.key_id,
                          signature=key.sign(seal_message(*_fields(head), first)), at=now_iso()))
    session.flush()
    return head


def _fields(head: Head) -> tuple[str, int, int, str]:
    return head.workspace, head.entries, head.entry_id, head.entry_hash


def make_receipt(head: Head, *, stamped: bool = True) -> dict[str, Any]:
    """A head receipt signed by this install's key (JSON-ready); stamped adds when (unsigned:
    Ed25519 is deterministic, so an unstamped receipt of one head is always the same)."""
    key = install_key()
    receipt = {"format": RECEIPT_FORMAT, "workspace": head.workspace, "entries": head.entries,
               "head_id": head.entry_id, "head": head.entry_hash, "key_id": key.key_id,
               "public_key": key.public_key.hex(),
               "signature": key.sign(head_message(*_fields(head)))}
    return receipt | {"signed_at": now_iso()} if stamped else receipt


def receipt_problem(receipt: Any) -> str | None:
    """Why a receipt is malformed or its signature fails; None when it is sound."""
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        return f"not a CaseDesk head receipt (format {RECEIPT_FORMAT} expected)"
    try:
        head = Head(str(receipt["workspace"]), int(receipt["entries"]), int(receipt["head_id"]),
                    str(receipt["head"]))
        public, signature = str(receipt["public_key"]), str(receipt["signature"])
    except (KeyError, TypeError, ValueError):
        return "the receipt lacks a field (workspace, entries, head_id, head, public_key, signature)"
    if receipt.get("key_id") != key_id_of(bytes.fromhex(public) if _is_hex(public) else b""):
        return "the receipt's key id does not match its public key"
    if not _is_hex(head.entry_hash) or not verify_signature(public, head_message(*_fields(head)),
                                                            signature):
        return "the receipt's signature does not match its contents (it was altered or forged)"
    return None


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
        return text.isascii()
    except ValueError:
        return False


def receipt_path(workspace: str) -> Path:
    """Where this install keeps its head receipt of one workspace."""
    safe = "".join(ch for ch in workspace if ch.isalnum() or ch == "-") or "unnamed"
    return data_dir() / "receipts" / f"{safe}.json"


def load_local_receipt(workspace: str) -> dict[str, Any] | None:
    """This install's receipt of the workspace, if it has one (an unreadable one reads as a dict
    without a format, so checking it reports it)."""
    path = receipt_path(workspace)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as exc:
        return {"unreadable": str(exc)}


# receipt file → entry count this process last wrote there (saves re-reading it on every write)
_written: dict[Path, int] = {}


def store_local_receipt(head: Head) -> None:
    """Replace this install's receipt of the workspace with one for head (never shrinking it)."""
    if not head.workspace:
        return
    path = receipt_path(head.workspace)
    try:
        known = _written.get(path)
        if known is None:  # first write of this process: what the file says (if it is sound)
            old = load_local_receipt(head.workspace)
            known = int(old["entries"]) if old and receipt_problem(old) is None else 0
        if known > head.entries:
            # another writer of a shared workspace raced us; the longer history is the one to keep
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(make_receipt(head), indent=1), encoding="utf-8")
        os.replace(tmp, path)
        _written[path] = head.entries
    except (OSError, ValueError) as exc:  # the change is committed; a missing receipt is reported later
        log.warning("could not write the head receipt %s: %s", path, exc)


def check_receipt(session: Session, receipt: Any) -> list[str]:
    """What is wrong between a receipt and this workspace's audit log (empty when it matches)."""
    bad = receipt_problem(receipt)
    if bad is not None:
        return [bad]
    uuid = workspace_uuid(session)
    if receipt["workspace"] != uuid:
        return [f"the receipt is for workspace {receipt['workspace']}, not this one ({uuid})"]
    want, head_id, head_hash = int(receipt["entries"]), int(receipt["head_id"]), receipt["head"]
    have = session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.id <= head_id)) or 0
    stored = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == head_id))
    problems = []
    if stored is None:
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        problems.append(f"the receipt records {want} entries ending at entry {head_id}, which is "
                        f"missing: the history was cut (it now holds {total} entries)")
    elif stored != head_hash:
        problems.append(f"entry {head_id} no longer has the hash the receipt records: the history "
                        "up to it was rewritten")
    if stored is not None and have != want:
        problems.append(f"the receipt records {want} entries up to entry {head_id}, the workspace "
                        f"holds {have}: entries were removed or added inside the history")
    return problems
