"""Screening verbs: load a list, screen a case, decide a hit (each one transaction or one job)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from casedesk.services.progress import Progress
from casedesk.services.screening.hits import decide_hit, hit_dict, store_hits
from casedesk.services.screening.list_forms import outdated_lists, refresh_outdated
from casedesk.services.screening.screen import match_case
from casedesk.services.screening.watchlist_import import import_watchlist
from casedesk.storage.workspace import Workspace
from casedesk.ui.operations.core import Operations


def load_list(ops: Operations, path: Path, *, name: str | None, mapping: Any, skip_bad_rows: bool,
              parsed: Any) -> int:
    """Import a checked screening list in one write transaction (a Progress job); the job id.

    The job's result is ("imported", the import result as JSON), read from the runner's `finished`.
    """
    def job(ws: Workspace):  # noqa: ANN202
        with ws.write() as s:
            result = yield from import_watchlist(s, path, name=name, mapping=mapping,
                                                 skip_bad_rows=skip_bad_rows, parsed=parsed)
        return ("imported", result.as_json())

    return ops.submit_job(job)


def _refresh_outdated_lists(ws: Workspace) -> Any:
    """Re-normalise lists an older normaliser stored (own write transaction; none when all are current)."""
    with ws.read() as s:
        if not outdated_lists(s):
            return
    with ws.write() as s:
        yield from refresh_outdated(s)


def screen_case(ops: Operations, case_id: int, threshold: float) -> int:
    """Screen a case against every loaded list (a Progress job); the job id.

    Matching runs in a read session and the hits are stored in a short write transaction, so the
    workspace stays writable (decisions, edits) while a long screening runs. The job's result is
    ("screened", case_id, the stored result as JSON).
    """
    def job(ws: Workspace):  # noqa: ANN202
        yield from _refresh_outdated_lists(ws)
        with ws.read() as s:
            subjects, matches, used = yield from match_case(s, case_id, threshold=threshold)
        yield Progress(len(subjects), len(subjects), "storing hits")
        with ws.write() as s:
            result = store_hits(s, case_id, subjects, matches, used)
        return ("screened", case_id, result.as_json())

    return ops.submit_job(job)


def decide(ops: Operations, hit_id: int, status: str, reason: str, record_label: str, *,
           on_done: Callable[[dict[str, Any]], None], on_error: Callable[[str], None]) -> int:
    """Confirm, dismiss or re-open a hit; on_done gets the updated hit row."""
    return ops.run(lambda s: hit_dict(decide_hit(s, hit_id, status, reason), record_label),
                   on_done=on_done, on_error=lambda e: on_error(str(e)))


def screen_records(ops: Operations, case_id: int, record_ids: list[int], threshold: float | None, *,
                   on_done: Callable[[Any], None], on_error: Callable[[str], None]) -> int:
    """Screen some records of a case against every list and store their hits (a job); on_done gets the JSON."""
    from casedesk.services.screening.screen import screen_subjects
    from casedesk.services.screening.subjects import load_subjects
    from casedesk.services.screening.name_scoring import default_weights

    wanted = threshold if threshold is not None else default_weights().threshold

    def job(ws: Workspace):  # noqa: ANN202
        yield from _refresh_outdated_lists(ws)
        with ws.read() as s:
            subjects = load_subjects(s, case_id=case_id, record_ids=list(record_ids))
            matches = yield from screen_subjects(s, subjects, threshold=wanted)
        with ws.write() as s:
            return store_hits(s, case_id, subjects, matches, wanted).as_json()

    return ops.submit_job(job, on_done=on_done, on_error=on_error)
