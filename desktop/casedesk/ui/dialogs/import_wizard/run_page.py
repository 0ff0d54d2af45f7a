"""The wizard's run page: the import in the background with progress and Cancel"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
)

from casedesk.services.importing import (
    ImportOptions,
    ImportResult,
)
from casedesk.ui.dialogs.import_wizard.common import JobPage
from casedesk.ui.operations import importing


class RunPage(JobPage):
    """Runs the import in the background with progress and Cancel."""

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("Import")
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.job_id: int | None = None
        self.outcome: str = ""

    def initializePage(self) -> None:  # noqa: N802
        w, grade_page = self.w, self.w.grade_page
        w.result = None
        self.outcome = "running"
        self.progress.setRange(0, 0)
        self.status.setText("Starting…")
        self.cancel_button.setEnabled(True)
        options = ImportOptions(
            grade=grade_page.grade(),
            params=dict(w.params),
            normalize=w.normalize,
            rejects_path=Path(grade_page.rejects_path.text())
            if grade_page.rejects_box.isChecked() and grade_page.rejects_path.text().strip()
            else None,
            title=grade_page.title.text().strip() or None,
            source=grade_page.source.text().strip(),
        )
        if w.ftm_path is not None:
            self.job_id = importing.import_ftm(w.ops, w.case_id, w.ftm_path, options,
                                               on_done=lambda out: self._done(out.result), on_error=self._failed)
            w.running = True
            self.completeChanged.emit()
            return
        mapping, info, decisions = w.mapping, w.info, dict(w.decisions)
        self.job_id = importing.import_file(w.ops, w.case_id, info, mapping, options, decisions,
                                            on_done=self._done, on_error=self._failed)
        w.running = True
        self.completeChanged.emit()

    def on_cancelled(self, job_id: int) -> None:
        """The runner stopped the job: its transaction was rolled back."""
        if job_id != self.job_id:
            return
        self.job_id = None
        self.outcome = "cancelled"
        self.w.running = False
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(
            "Import cancelled: nothing was written. Go back to change something, or close."
        )
        self.cancel_button.setEnabled(False)
        self.completeChanged.emit()
        self.w.job_ended()

    def cancel(self) -> None:
        """Ask the runner to stop the import (it rolls back at its next progress step)."""
        if self.job_id is not None:
            self.status.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self.w.ops.cancel(self.job_id)

    def _done(self, result: ImportResult) -> None:
        self.job_id = None
        self.outcome = "done"
        self.w.running = False
        self.w.result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.cancel_button.setEnabled(False)
        self.status.setText("Imported.")
        self.completeChanged.emit()
        self.w.import_finished.emit(result.batch_id)
        self.w.job_ended()
        self.w.next()

    def _failed(self, message: str) -> None:
        self.outcome = "failed"
        self.w.running = False
        self.cancel_button.setEnabled(False)
        self._show_stopped(f"The import failed and nothing was written: {message}")
        self.completeChanged.emit()
        self.w.job_ended()

    def isComplete(self) -> bool:  # noqa: N802
        return self.outcome == "done"
