"""The inline runner double: the real runner's signals and callbacks, on the calling thread, after submit."""

from __future__ import annotations

import threading

from casedesk.domain.errors import ValidationError
from casedesk.services.progress import Progress
from casedesk.ui.tasks import TaskRunner


def _record_signals(runner):  # noqa: ANN001, ANN202
    seen = []
    for name in ("started", "progress", "finished", "failed", "cancelled"):
        getattr(runner, name).connect(lambda *args, name=name: seen.append((name, *args)))
    return seen


def test_is_a_task_runner_that_starts_no_thread(inline_runner):
    assert isinstance(inline_runner, TaskRunner)
    assert not hasattr(inline_runner, "_thread")


def test_job_runs_after_submit_returns_on_the_calling_thread(qtbot, inline_runner):
    seen = _record_signals(inline_runner)
    threads, done = [], []

    def job():
        threads.append(threading.get_ident())
        for i in range(3):
            yield Progress(i, 3, "step")
        return "result"

    job_id = inline_runner.submit(job, on_done=done.append)
    assert seen == [] and inline_runner.pending() == 1
    qtbot.waitUntil(lambda: inline_runner.pending() == 0, timeout=5000)
    assert threads == [threading.get_ident()]
    assert [s[0] for s in seen] == ["started", "progress", "progress", "progress", "finished"]
    assert [s[2].done for s in seen if s[0] == "progress"] == [0, 1, 2]
    assert seen[-1] == ("finished", job_id, "result") and done == ["result"]


def test_plain_result_and_jobs_in_submission_order(qtbot, inline_runner):
    order = []
    inline_runner.submit(lambda: 1, on_done=order.append)
    inline_runner.submit(lambda: 2, on_done=order.append)
    qtbot.waitUntil(lambda: len(order) == 2, timeout=5000)
    assert order == [1, 2]


def test_failures_reach_failed_and_on_error_like_the_real_runner(qtbot, inline_runner):
    errors = []

    def job():
        raise ValidationError("country", "unknown country 'Atlantis'")
        yield  # pragma: no cover

    with qtbot.waitSignal(inline_runner.failed, timeout=5000) as blocker:
        inline_runner.submit(job, on_error=errors.append, on_done=lambda r: errors.append(("done", r)))
    assert blocker.args[1] == "country: unknown country 'Atlantis'" == errors[0] and len(errors) == 1
    with qtbot.waitSignal(inline_runner.failed, timeout=5000) as blocker:
        inline_runner.submit(lambda: 1 / 0)
    assert blocker.args[1].startswith("internal error: ZeroDivisionError")


def test_cancel_before_it_runs_never_starts_it(qtbot, inline_runner):
    seen = _record_signals(inline_runner)
    ran = []
    job_id = inline_runner.submit(lambda: ran.append(1), on_done=ran.append)
    inline_runner.cancel(job_id)
    qtbot.waitUntil(lambda: inline_runner.pending() == 0, timeout=5000)
    assert seen == [("cancelled", job_id)] and ran == []


def test_cancel_from_a_progress_slot_closes_the_generator_at_the_next_step(qtbot, inline_runner):
    steps, closed = [], []

    def job():
        try:
            for i in range(10):
                steps.append(i)
                yield Progress(i, 10)
        finally:
            closed.append(True)

    inline_runner.progress.connect(lambda job_id, p: inline_runner.cancel(job_id) if p.done == 2 else None)
    with qtbot.waitSignal(inline_runner.cancelled, timeout=5000):
        inline_runner.submit(job)
    assert steps == [0, 1, 2] and closed == [True] and inline_runner.pending() == 0


def test_jobs_queued_at_shutdown_never_run(qtbot, inline_runner):
    ran = []
    inline_runner.submit(lambda: ran.append(1))
    inline_runner.shutdown()
    qtbot.wait(50)
    assert ran == []
