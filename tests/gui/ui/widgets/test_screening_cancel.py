"""Screening 100,000 parties: Cancel stops the job at its next step and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from casedesk.domain.models import AuditEntry, Finding, Party, Record
from casedesk.domain.watchlists import ScreeningHit
from casedesk.services.cases import create_case
from casedesk.services.progress import Progress, run_to_end
from casedesk.services.screening.screen import match_case, screen_name
from casedesk.services.screening.watchlist_import import import_watchlist
from casedesk.storage.bulkinsert import insert_rows, insert_tuples
from casedesk.ui.operations import Operations
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.widgets.hits_panel import ScreeningHitsPanel
from sqlalchemy import func, select

PARTIES = 100_000
LISTED_EVERY = 997  # every 997th party is on the list: a finished run would store ~100 hits


_SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "ze", "bo", "da", "fi", "gu",
              "he", "jo"]


def _party_name(i: int) -> str:
    """A distinct made-up company name per number ("Kalomi Nupera Ltd")."""
    n = (i * 2654435761) % 16 ** 6
    syl = [_SYLLABLES[(n >> (4 * k)) & 15] for k in range(6)]
    return f"{''.join(syl[:3]).capitalize()} {''.join(syl[3:]).capitalize()} {i % 89} Ltd"


@pytest.fixture
def big_case(sqlite_ws, tmp_path: Path) -> int:
    """A case of 100,000 parties (bulk-inserted) and a list naming about a hundred of them."""
    listed = tmp_path / "list.csv"
    listed.write_text("Ref,Name\n" + "".join(f"{i},{_party_name(i)}\n"
                                             for i in range(0, PARTIES, LISTED_EVERY)),
                      encoding="utf-8")
    with sqlite_ws.write() as s:
        case_id = create_case(s, "large").id
        insert_rows(s, Record.__table__, [
            {"id": 10 + i, "case_id": case_id, "kind": "party", "label": _party_name(i),
             "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
             "version": 1, "notes": "", "tags": [], "sensitive": False} for i in range(PARTIES)])
        insert_tuples(s, Party.__table__, ["id", "party_kind"],
                      [(10 + i, "company") for i in range(PARTIES)])
        run_to_end(import_watchlist(s, listed, name="Listed",
                                    mapping={"columns": {"key": "Ref", "name": "Name"}}))
    return case_id


def _stored(ws) -> tuple[int, int, int]:
    with ws.read() as s:
        return (s.scalar(select(func.count()).select_from(ScreeningHit)),
                s.scalar(select(func.count()).select_from(Finding)),
                s.scalar(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.entity == "screening_hit")))


def test_the_matching_job_reports_often_and_stops_where_it_is_closed(sqlite_ws, big_case):
    with sqlite_ws.read() as s:
        assert screen_name(s, _party_name(LISTED_EVERY * 3))[0]["score"] == 100  # hits await
        job = match_case(s, big_case)
        steps: list[Progress] = []
        for step in job:
            steps.append(step)
            if step.done >= 1000 and step.total == PARTIES:
                break
        job.close()  # what Cancel does
        with pytest.raises(StopIteration):
            next(job)
    screened = [p.done for p in steps if p.total == PARTIES and p.done]
    # A step at least every 200 parties: a cancel waits for at most 200 names to be scored.
    assert screened[0] <= 200 and all(b - a <= 200 for a, b in zip(screened, screened[1:]))
    assert screened[-1] < PARTIES
    assert _stored(sqlite_ws) == (0, 0, 0)


def test_cancel_in_the_gui_stops_promptly_and_stores_nothing(qtbot, sqlite_ws, big_case):
    runner = TaskRunner()
    try:
        panel = ScreeningHitsPanel(Operations(sqlite_ws, runner))
        qtbot.addWidget(panel)
        panel.set_case(big_case)
        seen: list[Progress] = []
        runner.progress.connect(lambda _job, p: seen.append(p))
        job = panel.start_screening()
        assert job is not None
        qtbot.waitUntil(lambda: any(p.total == PARTIES and p.done >= 400 for p in seen),
                        timeout=120_000)
        with qtbot.waitSignal(runner.cancelled, timeout=60_000) as blocker:
            panel.cancel_screening()
        assert blocker.args == [job]
        qtbot.waitUntil(lambda: panel.screen_action.isEnabled(), timeout=30_000)
        last = max(p.done for p in seen if p.total == PARTIES)
        assert last < PARTIES  # it stopped part way, not after finishing
        assert _stored(sqlite_ws) == (0, 0, 0)
        assert panel.model.rowCount() == 0
    finally:
        runner.shutdown()
