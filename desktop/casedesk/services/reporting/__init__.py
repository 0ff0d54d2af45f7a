"""The PDF dossier: build_dossier (data step), render_dossier (ReportLab), write_report (both, as a job).

ReportLab is imported only when a dossier is rendered, so importing this package stays cheap.
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any

from casedesk.services.reporting.build import build_dossier
from casedesk.services.reporting.model import Dossier, DossierOptions
from casedesk.services.reporting.redaction import get_profile, redaction_profiles

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from casedesk.services.progress import Job


def render_dossier(dossier: Dossier, path_or_stream: str | IO[bytes], progress: Any = None) -> int:
    """Render the dossier to a PDF path or binary stream; returns the page count (render.py)."""
    from casedesk.services.reporting.render import render_dossier as _render

    return _render(dossier, path_or_stream, progress)


def write_report(session: Session, case_id: int, out_path: str | os.PathLike[str],
                 options: DossierOptions | None = None) -> Job[dict[str, Any]]:
    """The export job: yields Progress, returns {"path", "pages", "sha256"} (job.py)."""
    from casedesk.services.reporting.job import write_report as _write

    return _write(session, case_id, out_path, options)


def export_report(ws: Any, case_id: int, out_path: str | os.PathLike[str],
                  options: DossierOptions | None = None) -> Job[dict[str, Any]]:
    """write_report plus its audit entry (job.py); takes the Workspace, not a session."""
    from casedesk.services.reporting.job import export_report as _export

    return _export(ws, case_id, out_path, options)


__all__ = ["Dossier", "DossierOptions", "build_dossier", "export_report", "get_profile",
           "redaction_profiles", "render_dossier", "write_report"]
