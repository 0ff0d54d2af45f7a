"""A modal progress dialog with a Cancel button for one background job."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from casedesk.services.progress import Progress
from casedesk.ui.tasks import TaskRunner


class JobProgressDialog(QProgressDialog):
    """Shows a job's Progress; Cancel asks the runner to stop the job."""

    def __init__(self, runner: TaskRunner, job_id: int, title: str, parent: QWidget | None = None):
        super().__init__(title, "Cancel", 0, 0, parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(300)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self._runner, self._job_id = runner, job_id
        runner.progress.connect(self._on_runner_progress)
        for signal in (runner.finished, runner.failed, runner.cancelled):
            signal.connect(self._on_runner_ended)
        self.canceled.connect(lambda: runner.cancel(job_id))

    def _on_runner_progress(self, job_id: int, step: Progress) -> None:
        if job_id != self._job_id:
            return
        if step.total:
            self.setMaximum(step.total)
            self.setValue(min(step.done, step.total))
        if step.message:
            self.setLabelText(step.message)

    def _on_runner_ended(self, job_id: int, *_args: object) -> None:
        if job_id == self._job_id:
            self.reset()
            self.close()
