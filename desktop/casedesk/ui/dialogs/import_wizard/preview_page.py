"""The wizard's preview page: every row checked, valid and rejected rows side by side"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from casedesk.services.importing import (
    ImportOptions,
    ImportPlan,
)
from casedesk.ui.dialogs.import_wizard.common import JobPage, _fit_columns, _table
from casedesk.ui.models.import_rows import RowsModel
from casedesk.ui.operations import importing


class PreviewPage(JobPage):
    """Reads the whole file under the mapping (nothing written): valid and rejected rows side by side."""

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("Preview")
        self.setSubTitle(
            "Every row is checked before anything is written. Rejected rows are listed "
            "with their reasons; the valid ones will be imported."
        )
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.valid_model = RowsModel()
        self.rejected_model = RowsModel()
        self.valid_view = _table(self.valid_model)
        self.rejected_view = _table(self.rejected_model)
        left, right = QWidget(), QWidget()
        lv, rv = QVBoxLayout(left), QVBoxLayout(right)
        self.valid_label, self.rejected_label = QLabel("Valid rows"), QLabel("Rejected rows")
        lv.addWidget(self.valid_label)
        lv.addWidget(self.valid_view)
        rv.addWidget(self.rejected_label)
        rv.addWidget(self.rejected_view)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        self.job_id: int | None = None

    def initializePage(self) -> None:  # noqa: N802
        self.w.plan = None
        self.valid_model.set_rows([], [])
        self.rejected_model.set_rows([], [])
        self.progress.setRange(0, 0)
        self.status.setText("Checking every row…")
        w = self.w
        mapping, info, params = w.mapping, w.info, dict(w.params)
        self.job_id = importing.preview(w.ops, w.case_id, info, mapping,
                                        ImportOptions(params=params, normalize=w.normalize),
                                        on_done=self._done, on_error=self._failed)
        self.completeChanged.emit()

    def _done(self, plan: ImportPlan) -> None:
        self.job_id = None
        self.w.plan = plan
        self.w.decisions = plan.default_decisions()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        made = (
            ", ".join(
                f"{n:,} {self.w.vocab.record_kinds[k].plural.lower()}"
                for k, n in plan.new_records.items()
            )
            or "no new records"
        )
        possible = plan.possible_matches()
        lines = [
            f"{plan.rows:,} rows: {plan.valid:,} valid, {plan.rejected:,} rejected. "
            f"Would create {made}, {plan.links:,} links; {plan.matched:,} incoming records match one "
            "already in the case (same identifier, address or name and country) and would be merged"
            + (f"; {possible:,} more may be (you decide on the next page)." if possible else ".")
        ]
        if plan.note_columns:
            lines.append("Kept as notes: " + ", ".join(plan.note_columns))
        if plan.missing_columns:
            lines.append("Not in this file (left empty): " + ", ".join(plan.missing_columns))
        if plan.valid == 0:
            lines.append(
                "No row can be imported: go back and change the mapping or the file options."
            )
        self.status.setText("\n".join(lines))
        self.valid_label.setText(
            f"Valid rows ({plan.valid:,}; first {len(plan.valid_sample):,} shown)"
        )
        self.rejected_label.setText(
            f"Rejected rows ({plan.rejected:,}; first {len(plan.rejects_sample):,} shown)"
        )
        self.valid_model.set_rows(
            ["Row", "Records", "Links"],
            [
                [
                    str(p.row),
                    "; ".join(f"{label} ({kind})" for _, kind, label in p.records),
                    "; ".join(p.links),
                ]
                for p in plan.valid_sample
            ],
        )
        self.rejected_model.set_rows(
            ["Row", "Reason", *plan.info.columns],
            [[str(r.row), r.reason, *r.cells] for r in plan.rejects_sample],
        )
        _fit_columns(self.valid_view)
        _fit_columns(self.rejected_view, 420)
        self.completeChanged.emit()

    def _failed(self, message: str) -> None:
        self._show_stopped(f"The file cannot be imported with this mapping: {message}")
        self.completeChanged.emit()

    def cleanupPage(self) -> None:  # noqa: N802
        if self.job_id is not None:
            self.w.ops.cancel(self.job_id)
            self.job_id = None

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.plan is not None and self.w.plan.valid > 0
