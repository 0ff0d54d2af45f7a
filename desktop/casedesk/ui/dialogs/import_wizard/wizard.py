"""The import wizard: file and encoding, mapping, preview, duplicates, grade, review, run, summary.

It drives the same engine as ``casedesk import`` (services.importing): the preview and the import
are generators run by the one TaskRunner, so the window stays responsive and Cancel rolls the
import back. Emits ``import_finished(batch_id)`` after a successful import.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QWidget,
    QWizard,
)

from casedesk.services.importing import (
    ImportPlan,
    ImportResult,
    Mapping,
    SourceInfo,
)
from casedesk.ui.dialogs.import_wizard.dedupe_page import DedupePage
from casedesk.ui.dialogs.import_wizard.file_page import FilePage
from casedesk.ui.dialogs.import_wizard.grade_page import GradePage
from casedesk.ui.dialogs.import_wizard.mapping_page import MappingPage
from casedesk.ui.dialogs.import_wizard.preview_page import PreviewPage
from casedesk.ui.dialogs.import_wizard.review_page import ReviewPage
from casedesk.ui.dialogs.import_wizard.run_page import RunPage
from casedesk.ui.dialogs.import_wizard.summary_page import SummaryPage
from casedesk.ui.operations.core import Operations

# --- the wizard ------------------------------------------------------------------------------


class ImportWizard(QWizard):
    """Import a CSV, TSV or XLSX file into a case, with preview, duplicates and provenance."""

    import_finished = Signal(int)
    import_undone = Signal(int)

    def __init__(self, ops: Operations, case_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.case_id, self.runner, self.vocab = ops, case_id, ops.runner, ops.vocab
        self.setWindowTitle("Import CSV evidence")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(1000, 700)
        self.info: SourceInfo | None = None
        self.ftm_path: Path | None = None  # a FollowTheMoney entity file: no mapping, no preview
        self.mapping: Mapping | None = None
        self.mapping_columns: tuple[str, ...] = ()
        self.params: dict[str, str] = {}
        self.plan: ImportPlan | None = None
        self.decisions: dict[str, int | None] = {}
        self.result: ImportResult | None = None
        self.running = False
        self._close_when_ended = False
        # The seam for the screening normaliser: any Callable[[str], str].
        from casedesk.services.importing.fuzzy_names import simple_normalize

        self.normalize = simple_normalize
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.dedupe_page = DedupePage(self)
        self.grade_page = GradePage(self)
        self.review_page = ReviewPage(self)
        self.run_page = RunPage(self)
        self.summary_page = SummaryPage(self)
        for page in (
            self.file_page,
            self.mapping_page,
            self.preview_page,
            self.dedupe_page,
            self.grade_page,
            self.review_page,
            self.run_page,
            self.summary_page,
        ):
            self.addPage(page)
        self.runner.progress.connect(self.preview_page.on_progress)
        self.runner.progress.connect(self.run_page.on_progress)
        self.runner.cancelled.connect(self.run_page.on_cancelled)
        self._connected = True
        self.currentIdChanged.connect(self._page_changed)

    def source_path(self) -> Path:
        """The file being imported."""
        return self.ftm_path if self.ftm_path is not None else self.info.path

    def _page_changed(self, _id: int) -> None:
        back = self.button(QWizard.WizardButton.BackButton)
        back.setEnabled(not self.running)

    def job_ended(self) -> None:
        """Called by the run page when its job ends: re-enable Back, close if the user asked to."""
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        if self._close_when_ended:
            super().reject()

    def reject(self) -> None:
        """Cancel: stops a running import first (it rolls back), then closes."""
        if self.running and self.run_page.job_id is not None:
            self._close_when_ended = True
            self.run_page.cancel()
            return
        self.preview_page.cleanupPage()
        super().reject()

    def disconnect_runner(self) -> None:
        """Stop listening to the runner (the wizard is going away; the runner stays)."""
        if not self._connected:
            return
        self._connected = False
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # already gone with its page: fine
            for signal, slot in (
                (self.runner.progress, self.preview_page.on_progress),
                (self.runner.progress, self.run_page.on_progress),
                (self.runner.cancelled, self.run_page.on_cancelled),
            ):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        self.disconnect_runner()
        super().done(result)
