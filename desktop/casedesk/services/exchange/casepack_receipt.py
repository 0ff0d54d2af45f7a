"""The signed head receipt a case pack's manifest carries: made on export, checked on import.

The pack holds only its case's audit entries, so the receipt vouches for the exporting
workspace's whole history at export time (entry count, head id and hash, signed by the exporting
install's key); `casedesk verify --receipt` on that workspace later shows whether it was cut.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casedesk.domain.seals import AuditKey
from casedesk.services.receipts import current_receipt
from casedesk.storage.seals import receipt_problem
from casedesk.storage.signing import install_key


def pack_receipt(session: Session) -> dict[str, Any]:
    """The receipt to put in a manifest (unstamped: the manifest has exported_at)."""
    receipt = current_receipt(session)
    receipt.pop("signed_at", None)
    return receipt


def receipt_refusal(manifest: dict[str, Any]) -> str | None:
    """Why the manifest's receipt is not to be trusted (None: sound, or a pack made before receipts)."""
    if "receipt" not in manifest:
        return None
    receipt = manifest["receipt"]
    bad = receipt_problem(receipt)
    if bad is not None:
        return f"its head receipt: {bad}"
    head, ws = manifest.get("audit_head") or {}, manifest.get("workspace") or {}
    if (receipt["workspace"] != ws.get("uuid") or receipt["head_id"] != head.get("id")
            or receipt["head"] != head.get("hash")):
        return "its head receipt does not match the workspace and audit head the manifest names"
    return None


def receipt_key(manifest: dict[str, Any]) -> str | None:
    """The key id that signed the manifest's receipt (None for a pack without one)."""
    receipt = manifest.get("receipt")
    return receipt.get("key_id") if isinstance(receipt, dict) else None


def signer_known(session: Session, manifest: dict[str, Any]) -> bool | None:
    """Whether the receipt's key is this install's or one that already sealed this workspace
    (None for a pack without a receipt): an unknown key is someone CaseDesk has not met here."""
    key_id = receipt_key(manifest)
    if key_id is None:
        return None
    return key_id == install_key().key_id or session.get(AuditKey, key_id) is not None
