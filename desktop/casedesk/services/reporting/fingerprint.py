"""The facts a dossier carries about where it came from (checked by `casedesk verify --dossier`)."""

from __future__ import annotations

from casedesk.services.reporting.model import Dossier


def fingerprint(d: Dossier) -> dict[str, str]:
    """The facts `casedesk verify --dossier` checks, as stored in the PDF's keywords."""
    return {"casedesk-dossier": "1", "workspace": d.cover.workspace_uuid, "case": str(d.cover.case_id),
            "audit-entry": str(d.audit.entry_id), "audit-head": d.audit.hash,
            "redaction": d.cover.redaction}


def fingerprint_text(d: Dossier) -> str:
    """The fingerprint as one line (the PDF keywords)."""
    return "; ".join(f"{k}={v}" for k, v in fingerprint(d).items())
