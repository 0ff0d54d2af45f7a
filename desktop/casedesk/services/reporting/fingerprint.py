"""The facts a dossier carries about where it came from (checked by `casedesk verify --dossier`)."""

from __future__ import annotations

from casedesk.services.reporting.model import Dossier


def fingerprint(d: Dossier) -> dict[str, str]:
    """The facts `casedesk verify --dossier` checks, as stored in the PDF's keywords."""
    return {"casedesk-dossier": "1", "workspace": d.cover.workspace_uuid, "case": str(d.cover.case_id),
            "audit-entry": str(d.audit.entry_id), "audit-head": d.audit.hash,
            "redaction": d.cover.redaction, **_receipt(d)}


def _receipt(d: Dossier) -> dict[str, str]:
    """The signed head receipt's parts (verify --dossier checks the signature and the count)."""
    r = d.audit.receipt
    if not r:
        return {}
    return {"audit-entries": str(r["entries"]), "receipt-key": r["key_id"],
            "receipt-public-key": r["public_key"], "receipt-signature": r["signature"]}


def receipt_of(fingerprint: dict[str, str]) -> dict[str, object] | None:
    """The head receipt a dossier's fingerprint carries, as storage.seals checks it (None: none)."""
    if "receipt-signature" not in fingerprint:
        return None
    return {"format": "casedesk-receipt/1", "workspace": fingerprint.get("workspace"),
            "entries": fingerprint.get("audit-entries"), "head_id": fingerprint.get("audit-entry"),
            "head": fingerprint.get("audit-head"), "key_id": fingerprint.get("receipt-key"),
            "public_key": fingerprint.get("receipt-public-key"),
            "signature": fingerprint.get("receipt-signature")}


def fingerprint_text(d: Dossier) -> str:
    """The fingerprint as one line (the PDF keywords)."""
    return "; ".join(f"{k}={v}" for k, v in fingerprint(d).items())
