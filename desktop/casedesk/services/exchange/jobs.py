"""export_case: any export format as one job that reads the case, writes the file, then audits it.

The export reads in a read session (nothing is locked while the file is written) and appends
its audit entry (format, scope, SHA-256 of what was written) in a short write afterwards; a
cancelled export (the generator closed) leaves neither a file nor an entry.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from casedesk.domain.errors import ValidationError
from casedesk.services.audit import record_audit
from casedesk.services.exchange.case_rows import CaseRows, ExportScope
from casedesk.services.exchange.result import ExportResult
from casedesk.services.progress import Job
from casedesk.storage.workspace import Workspace


def _exporter(fmt: str) -> Callable[..., Job[ExportResult]]:
    """The export function of one format, imported when asked (a CLI run needs only its own)."""
    if fmt == "ftm":
        from casedesk.services.exchange.ftm_out import export_ftm
        return export_ftm
    if fmt == "graphml":
        from casedesk.services.exchange.graphml import export_graphml
        return export_graphml
    if fmt == "csv":
        from casedesk.services.exchange.csv_out import export_csv
        return export_csv
    from casedesk.services.exchange.casepack_out import export_casepack
    return export_casepack


FORMATS = ("ftm", "graphml", "csv", "casepack")


def record_export(session: Session, case_id: int, fmt: str, scope: str, path: str, sha256: str,
                  counts: dict[str, Any] | None = None) -> None:
    """Append the audit entry of one export (any format, the PDF dossier included)."""
    record_audit(session, "export", "case", case_id, case_id=case_id,
                 after={"format": fmt, "scope": scope, "path": os.path.basename(path),
                        "sha256": sha256, **(counts or {})})


def export_case(ws: Workspace, case_id: int, fmt: str, out_path: str | os.PathLike[str], *,
                record_ids: set[int] | frozenset[int] | None = None) -> Job[ExportResult]:
    """Export a case (or the records of a view) in one format; yields Progress, returns the result."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt == "casepack" and record_ids is not None:
        raise ValidationError("scope", "a case pack holds the whole case; export a view as ftm, "
                              "graphml or csv")
    scope = ExportScope(case_id, frozenset(record_ids) if record_ids is not None else None)
    with ws.read() as s:
        rows = CaseRows(s, scope)
        result = yield from _exporter(fmt)(rows, out_path)
    with ws.write() as s:
        record_export(s, case_id, fmt, result.scope, result.path, result.sha256,
                      {"records": result.records, "links": result.links})
    return result
