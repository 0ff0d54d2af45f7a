"""Table verbs: a table's visible rows out as a CSV file (audited as an export) or clipboard text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from casedesk.services.exchange.table_csv import export_rows, rows_text
from casedesk.ui.operations.core import Operations


def export_visible_rows(ops: Operations, case_id: int, path: Path, table: str, header: Sequence[str],
                        rows: Sequence[Sequence[Any]], *, filtered: str = "",
                        on_done: Callable[[Any], None], on_error: Callable[[Any], None]) -> int:
    """Write the rows to `path` and audit the export (one transaction); on_done gets the file's SHA-256."""
    header, rows = list(header), [list(r) for r in rows]  # a copy: the table may change meanwhile
    return ops.run(lambda s: export_rows(s, case_id, path, table, header, rows, filtered=filtered),
                   on_done=on_done, on_error=on_error)


def clipboard_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as tab-separated text for pasting into a spreadsheet (formulas neutralised)."""
    return rows_text(header, rows, delimiter="\t")
