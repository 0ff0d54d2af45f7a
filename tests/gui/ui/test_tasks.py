"""The one background runner: results, progress, failures and cancel (which rolls back)."""

from __future__ import annotations

from sqlalchemy import func, select

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Record
from casedesk.services.progress import Progress
from casedesk.services.records import RecordIn, create_record
from casedesk.ui.tasks import TaskRunner


def test_runner_reports_progress_and_result(qtbot):
    runner = TaskRunner()
    seen = []
    runner.progress.connect(lambda _id, p: seen.append(p.done))

    def job():
        for i in range(3):
            yield Progress(i, 3, "step")
        return "done"

    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.submit(job)
    assert blocker.args[1] == "done"
    assert seen == [0, 1, 2]
    runner.shutdown()


def test_runner_reports_user_errors_in_one_line(qtbot):
    runner = TaskRunner()

    def job():
        raise ValidationError("country", "unknown country 'Atlantis'")
        yield  # pragma: no cover

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.submit(job)
    assert blocker.args[1] == "country: unknown country 'Atlantis'"
    runner.shutdown()


def test_cancel_rolls_back_the_jobs_transaction(qtbot, sqlite_ws):
    from casedesk.services.cases import create_case

    with sqlite_ws.write() as s:
        case_id = create_case(s, "c").id
    runner = TaskRunner()
    gate = {"go": False}

    def job():
        with sqlite_ws.write() as s:
            for i in range(1000):
                create_record(s, case_id, RecordIn("party", {"label": f"p{i}"}))
                yield Progress(i, 1000)
                while not gate["go"]:
                    import time

                    time.sleep(0.001)
                    yield Progress(i, 1000)

    seen = []
    runner.progress.connect(lambda _id, p: seen.append(p))
    job_id = runner.submit(job)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        runner.cancel(job_id)
    with sqlite_ws.read() as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 0
    runner.shutdown()
