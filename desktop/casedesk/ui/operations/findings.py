"""Findings verbs: run the analysis of a case and decide a finding (one transaction each)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from casedesk.services.analysis.engine import run_analysis
from casedesk.services.findings import decide_finding
from casedesk.storage.workspace import Workspace
from casedesk.ui.operations.core import Operations

OnDone = Callable[[Any], None]
OnError = Callable[[Any], None]


def analyse_case(ops: Operations, case_id: int, *, on_done: OnDone, on_error: OnError,
                 as_of: date | None = None) -> int:
    """Run the analysis of a case (as of a day; None: today) in one write transaction as a
    Progress job; returns the job id."""
    def job(ws: Workspace):  # noqa: ANN202 - a Progress generator returning an AnalysisResult
        with ws.write() as s:
            result = yield from run_analysis(s, case_id, as_of=as_of)
        return result

    return ops.submit_job(job, on_done=on_done, on_error=on_error)


def decide(ops: Operations, finding_id: int, status: str, reason: str, *,
           on_done: OnDone, on_error: OnError) -> int:
    """Confirm, dismiss (with a reason) or re-open a finding; on_done gets the finding id."""
    def op(session: Any) -> int:
        decide_finding(session, finding_id, status, reason)
        return finding_id

    return ops.run(op, on_done=on_done, on_error=lambda e: on_error(str(e)))
