"""Dossier verbs: the title a dossier file is named after, and writing the dossier as a job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from casedesk.domain.errors import CaseDeskError
from casedesk.services import reporting as dossiers
from casedesk.services.cases import get_case
from casedesk.services.reporting import DossierOptions
from casedesk.ui.operations.core import Operations


def case_title(ops: Operations, case_id: int) -> str:
    """The case's title, or "" when the case is gone."""
    try:
        with ops.reading() as session:
            return get_case(session, case_id).title
    except CaseDeskError:
        return ""


def export_dossier(ops: Operations, case_id: int, target: Path, options: DossierOptions, *,
                   on_done: Callable[[dict[str, Any]], None], on_error: Callable[[str], None]) -> int:
    """Write the case's dossier to target and audit the export, as a Progress job; on_done gets
    {"path", "pages", "sha256"}."""
    return ops.submit_job(lambda ws: dossiers.export_report(ws, case_id, target, options),
                          on_done=on_done, on_error=on_error)
