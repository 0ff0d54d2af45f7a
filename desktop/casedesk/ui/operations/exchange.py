"""Exchange verbs: export a case (FtM, GraphML, CSV, case pack) and import a case pack, as jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from casedesk.services.exchange import export_case
from casedesk.services.exchange.casepack_in import import_casepack
from casedesk.ui.operations.core import Operations


def export(ops: Operations, case_id: int, fmt: str, target: Path, *, record_ids: Iterable[int] | None,
           on_done: Callable[[Any], None], on_error: Callable[[str], None]) -> int:
    """Export the case (or the records of a view) as fmt to target, audited; on_done gets the ExportResult."""
    chosen = None if record_ids is None else set(record_ids)
    return ops.submit_job(lambda ws: export_case(ws, case_id, fmt, target, record_ids=chosen),
                          on_done=on_done, on_error=on_error)


def import_pack(ops: Operations, path: Path, *, on_done: Callable[[Any], None],
                on_error: Callable[[str], None]) -> int:
    """Check a case pack whole, then add its case (one transaction); on_done gets the PackImport."""
    return ops.submit_job(lambda ws: import_casepack(ws, path, vocab=ops.vocab),
                          on_done=on_done, on_error=on_error)
