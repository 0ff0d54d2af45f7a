"""A dialog that runs one background job: a progress bar, a status line, Close that cancels first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QProgressBar, QPushButton, QWidget

from casedesk.services.progress import Progress
from casedesk.ui.operations.core import Operations
from casedesk.ui.widgets.text_fit import WrapLabel


class JobDialog(QDialog):
    """Base of the export dialogs: subclasses start a job and set `job_id`; this shows its progress.

    While the job runs, Close (and Esc) asks it to stop; it stops at its next progress step and
    `job_cancelled` runs. Subclasses override `set_running` to lock their own fields too.
    """

    cancelled_text = "Cancelled; no file was written."

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.runner = ops, ops.runner
        self.job_id: int | None = None
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = WrapLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # paths and messages are shown literally
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self._on_close_clicked)
        self.runner.progress.connect(self._on_runner_progress)
        self.runner.cancelled.connect(self._on_runner_cancelled)

    def show_status(self, text: str, *, error: bool = False) -> None:
        """Say where the job is, or why it failed (in red)."""
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status.setText(text)

    def set_running(self, running: bool) -> None:
        """Show the progress bar and turn Close into Cancel while the job runs."""
        self.progress.setVisible(running)
        self.close_button.setText("Cancel" if running else "Close")
        if running:
            self.progress.setRange(0, 0)

    def job_ended(self) -> None:
        """The job finished, failed or was cancelled."""
        self.job_id = None
        self.set_running(False)

    def _on_runner_progress(self, job_id: int, step: Progress) -> None:
        if job_id != self.job_id:
            return
        if step.total:
            self.progress.setRange(0, step.total)
            self.progress.setValue(min(step.done, step.total))
        else:
            self.progress.setRange(0, 0)
        if step.message:
            self.show_status(step.message + "…")

    def _on_runner_cancelled(self, job_id: int) -> None:
        if job_id != self.job_id:
            return
        self.job_ended()
        self.show_status(self.cancelled_text)

    def _cancel(self) -> bool:
        if self.job_id is None:
            return False
        self.ops.cancel(self.job_id)
        self.show_status("Cancelling…")
        return True

    def _on_close_clicked(self) -> None:
        if not self._cancel():
            self.accept()

    def reject(self) -> None:  # Esc or the window's close button
        if not self._cancel():
            super().reject()

    def done(self, result: int) -> None:
        for signal, slot in ((self.runner.progress, self._on_runner_progress),
                             (self.runner.cancelled, self._on_runner_cancelled)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        super().done(result)
