"""Duplicate verbs: suggest pairs in a case, remember "not the same", and other cases a record is in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casedesk.services.screening.entity_resolution import (
    find_duplicates,
    mark_distinct,
    other_cases_for_record,
)
from casedesk.storage.workspace import Workspace
from casedesk.ui.operations.core import Operations


def suggest(ops: Operations, case_id: int, *, on_done: Callable[[list[dict[str, Any]]], None],
            on_error: Callable[[str], None]) -> int:
    """Find pairs of records that look like one party or wallet (off the GUI thread); the job id."""
    def job(ws: Workspace) -> list[dict[str, Any]]:
        with ws.read() as s:
            return find_duplicates(s, case_id)

    return ops.submit_job(job, on_done=on_done, on_error=on_error)


def not_the_same(ops: Operations, record_a: int, record_b: int, reason: str, *,
                 on_done: Callable[[Any], None], on_error: Callable[[Any], None]) -> int:
    """Remember that two records are different parties (audited; no longer suggested)."""
    return ops.run(lambda s: mark_distinct(s, record_a, record_b, reason).id, on_done=on_done, on_error=on_error)


def also_in(ops: Operations, record_id: int) -> list[dict[str, Any]]:
    """Records of other cases that look like this one: [{case_id, case_title, record_id, label, score, …}]."""
    return ops.read(lambda s: other_cases_for_record(s, record_id))
