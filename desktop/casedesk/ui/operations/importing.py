"""Import verbs: check every row of a file against a case, then import it (one transaction)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from casedesk.services.importing import ImportOptions, SourceInfo
from casedesk.services.importing.engine import analyse_import, run_import
from casedesk.ui.operations.core import Operations

OnDone = Callable[[Any], None]
OnError = Callable[[str], None]


def preview(ops: Operations, case_id: int, info: SourceInfo, mapping: Any, options: ImportOptions, *,
            on_done: OnDone, on_error: OnError) -> int:
    """Check every row and match it against the case, writing nothing; on_done gets the ImportPlan."""
    return ops.submit_job(
        lambda ws: analyse_import(ws, case_id, info.path, mapping, options=options, info=info),
        on_done=on_done, on_error=on_error)


def import_file(ops: Operations, case_id: int, info: SourceInfo, mapping: Any, options: ImportOptions,
                decisions: Mapping[str, int | None], *, on_done: OnDone, on_error: OnError) -> int:
    """Import the file into the case in one transaction (cancel rolls it back); on_done gets the ImportResult."""
    chosen = dict(decisions)
    return ops.submit_job(
        lambda ws: run_import(ws, case_id, info.path, mapping, options=options, decisions=chosen, info=info),
        on_done=on_done, on_error=on_error)


def import_ftm(ops: Operations, case_id: int, path: Path, options: ImportOptions, *,
               on_done: OnDone, on_error: OnError) -> int:
    """Import a FollowTheMoney entity file into the case in one transaction; on_done gets the FtmImport."""
    from casedesk.services.exchange.ftm_in import run_ftm_import

    return ops.submit_job(lambda ws: run_ftm_import(ws, case_id, path, options=options, vocab=ops.vocab),
                          on_done=on_done, on_error=on_error)
