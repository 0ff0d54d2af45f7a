"""The rows a table shows, out as CSV: a file (audited as an export) or text for the clipboard.

Cells go through csv_out.cell, so text a spreadsheet would run as a formula is neutralised the
same way as in the case's CSV export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casedesk.domain.errors import ValidationError
from casedesk.services.exchange.csv_out import BOM, cell
from casedesk.services.exchange.jobs import record_export
from casedesk.services.exchange.output import AtomicFile


def rows_text(header: Sequence[str], rows: Sequence[Sequence[Any]], *, delimiter: str = ",") -> str:
    """Header and rows as CSV text (tab-separated for the clipboard), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    writer.writerows([cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def export_rows(session: Session, case_id: int, path: str | Path, table: str,
                header: Sequence[str], rows: Sequence[Sequence[Any]], *, filtered: str = "") -> str:
    """Write a table's visible rows to a UTF-8 CSV (BOM, for Excel) atomically and audit it; its SHA-256."""
    target = Path(path)
    if not target.parent.is_dir():
        raise ValidationError("output", f"folder {target.parent} does not exist")
    with AtomicFile(target) as out:
        out.out.write((BOM + rows_text(header, rows)).encode("utf-8"))
        sha256 = out.commit()
    record_export(session, case_id, "csv rows", f"table {table}" + (f", filter {filtered!r}" if filtered else ""),
                  str(target), sha256, {"rows": len(rows)})
    return sha256
