"""Signed seals on the audit chain: which key vouched for which head, and the keys' public halves."""

from __future__ import annotations

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from casedesk.domain.models import Base, Str40, Str200, Timestamp

# What a seal or receipt signs, one field a line; the workspace id ties it to one workspace.
SEAL_FORMAT = "casedesk-head/1"


def head_message(workspace_uuid: str, entries: int, entry_id: int, entry_hash: str) -> bytes:
    """The exact bytes a head receipt signs."""
    return f"{SEAL_FORMAT}\n{workspace_uuid}\n{entries}\n{entry_id}\n{entry_hash}".encode("ascii")


def seal_message(workspace_uuid: str, entries: int, entry_id: int, entry_hash: str,
                 first_entry_id: int) -> bytes:
    """The exact bytes a seal signs: the head plus the first entry its transaction appended."""
    return head_message(workspace_uuid, entries, entry_id, entry_hash) + f"\nfrom {first_entry_id}".encode()


class AuditKey(Base):
    """A public key that has sealed entries of this workspace (one per install that wrote)."""

    __tablename__ = "audit_key"

    key_id: Mapped[Str40] = mapped_column(primary_key=True)
    public_key: Mapped[Str200]
    actor: Mapped[Str200]
    first_used_at: Mapped[Timestamp]


class AuditSeal(Base):
    """One write transaction's seal: the head it left (count, id, hash), signed by a key."""

    __tablename__ = "audit_seal"
    __table_args__ = (Index("ix_audit_seal_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The transaction's entries: first_entry_id to entry_id (an entry in no seal's span was
    # appended outside CaseDesk).
    first_entry_id: Mapped[int]
    entry_id: Mapped[int]
    # How many audit entries there were up to and including entry_id.
    entries: Mapped[int]
    entry_hash: Mapped[Str200]
    key_id: Mapped[Str40]
    signature: Mapped[Str200]
    at: Mapped[Timestamp]
