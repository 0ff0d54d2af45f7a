"""Helpers the import wizard's pages share: short previews, fitted table views, child field labels"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QProgressBar,
    QTableView,
    QWizardPage,
)

from casedesk.services.progress import Progress

_Index = QModelIndex | QPersistentModelIndex


_CHILD_LABELS = {
    "aliases": "Aliases (; separated)",
    "identifiers": "Identifiers (SCHEME:VALUE; …)",
    "addresses": "Addresses",
}


_SHOWN = 300  # characters of a cell shown in a table


def _short(text: str) -> str:
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _fit_columns(view: QTableView, widest: int = 320) -> None:
    """Size columns to their contents, none wider than `widest` pixels."""
    view.resizeColumnsToContents()
    for col in range(view.model().columnCount()):
        view.setColumnWidth(col, min(view.columnWidth(col), widest))


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view


class JobPage(QWizardPage):
    """A wizard page that runs one background job: its progress bar and status line follow the job.

    Subclasses create `progress` and `status` and set `job_id` while their job runs.
    """

    job_id: int | None = None
    progress: QProgressBar
    status: QLabel

    def on_progress(self, job_id: int, step: Progress) -> None:
        """Show this page's job's progress (other jobs' steps are ignored)."""
        if job_id != self.job_id:
            return
        if step.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * (step.fraction or 0)))
        self.status.setText(step.message)

    def _show_stopped(self, message: str) -> None:
        """The job ended without a result: an empty bar and the reason."""
        self.job_id = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(message)
