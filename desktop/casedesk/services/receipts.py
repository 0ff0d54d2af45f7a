"""Head receipts for hand-over: the workspace's current (or content) head, signed by this install."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.models import AuditEntry
from casedesk.services.audit import chain_head
from casedesk.storage.seals import Head, make_receipt, workspace_uuid


def receipt_at(session: Session, entry_id: int, entry_hash: str) -> dict[str, Any]:
    """A signed receipt for the history up to entry_id (count, id, hash)."""
    entries = session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.id <= entry_id)) or 0
    return make_receipt(Head(workspace_uuid(session), entries, entry_id, entry_hash))


def current_receipt(session: Session) -> dict[str, Any]:
    """A signed receipt for the whole history as it stands."""
    return receipt_at(session, *chain_head(session))

