"""Possible duplicates of a case: pairs with score and reasons; merge them, or say they are not the same."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.storage.workspace import ChangeSet
from casedesk.ui import text as ui_text
from casedesk.ui.models.keyed import KeyedListModel
from casedesk.ui.operations import duplicates
from casedesk.ui.operations.core import Operations


class PairModel(KeyedListModel):
    """Suggested pairs, keyed by (record_a, record_b)."""

    columns = ("Record", "Looks like", "Score", "Why")

    def key_of(self, row: dict[str, Any]) -> tuple[int, int]:
        return (row["record_a"], row["record_b"])

    def row_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (ui_text.plain(row["label_a"], 120), ui_text.plain(row["label_b"], 120),
                    f"{row['score']:.0f}", ui_text.plain(row["explanation"], 300))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return ui_text.plain(row["explanation"], 2000)
        return None


class DuplicatesPanel(QWidget):
    """Find pairs in the open case; Merge asks which to keep; Not the same remembers it with a reason."""

    merge_requested = Signal(int, int)  # the two record ids (the window asks which to keep)
    record_chosen = Signal(int)

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops = ops
        self._case_id: int | None = None
        self.job_id: int | None = None
        self.model = PairModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("duplicates_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.find_button = QPushButton("Find duplicates", self)
        self.find_button.clicked.connect(self.find)
        self.merge_button = QPushButton("Merge…", self)
        self.merge_button.clicked.connect(self._merge)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("why they are different (e.g. other registration number)")
        self.distinct_button = QPushButton("Not the same", self)
        self.distinct_button.setObjectName("duplicates_distinct")
        self.distinct_button.clicked.connect(self._distinct)
        self.status = QLabel("Find pairs of parties or wallets in this case that may be one.", self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        bar = QHBoxLayout()
        bar.addWidget(self.find_button)
        bar.addWidget(self.merge_button)
        bar.addWidget(self.reason, 1)
        bar.addWidget(self.distinct_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self._update_buttons()

    def set_case(self, case_id: int | None) -> None:
        """Show another case (its pairs are found when asked)."""
        self._case_id = case_id
        self.model.set_rows([])
        self.find_button.setEnabled(case_id is not None)
        self._update_buttons()

    def find(self) -> None:
        """Look for pairs in the background."""
        if self._case_id is None or self.job_id is not None:
            return
        self.status.setText("Looking for pairs…")
        self.find_button.setEnabled(False)
        self.job_id = duplicates.suggest(self._ops, self._case_id, on_done=self._found, on_error=self._failed)

    def selected_pair(self) -> dict[str, Any] | None:
        """The pair the user chose."""
        row = self.table.selectionModel().currentIndex().row()
        return self.model.row_at(row) if 0 <= row < self.model.rowCount() else None

    def apply(self, changes: ChangeSet) -> None:
        """Drop pairs whose records are gone (merged or deleted)."""
        gone = changes.ids("deleted", "record")
        if gone:
            self.model.set_rows([p for p in self.model.rows()
                                 if p["record_a"] not in gone and p["record_b"] not in gone])
            self._update_buttons()

    def _found(self, pairs: list[dict[str, Any]]) -> None:
        self.job_id = None
        self.find_button.setEnabled(self._case_id is not None)
        self.model.set_rows(pairs)
        self.status.setText(f"{len(pairs):,} possible duplicate pair{'' if len(pairs) == 1 else 's'}"
                            if pairs else "No possible duplicates in this case.")
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def _failed(self, message: str) -> None:
        self.job_id = None
        self.find_button.setEnabled(self._case_id is not None)
        self.status.setText(f"Could not look for duplicates: {message}")

    def _on_row(self, *_args: object) -> None:
        pair = self.selected_pair()
        if pair is not None:
            self.record_chosen.emit(pair["record_a"])
        self._update_buttons()

    def _merge(self) -> None:
        pair = self.selected_pair()
        if pair is not None:
            self.merge_requested.emit(pair["record_a"], pair["record_b"])

    def _distinct(self) -> None:
        pair = self.selected_pair()
        if pair is None:
            return
        reason = self.reason.text().strip()

        def done(_decision_id: int) -> None:
            self.model.set_rows([p for p in self.model.rows() if p is not pair])
            self.reason.clear()
            self.status.setText(f"Remembered: {ui_text.plain(pair['label_a'], 60)} and "
                                f"{ui_text.plain(pair['label_b'], 60)} are not the same.")
            self._update_buttons()

        duplicates.not_the_same(self._ops, pair["record_a"], pair["record_b"], reason, on_done=done,
                                on_error=lambda e: self.status.setText(f"Not saved: {e}"))

    def _update_buttons(self) -> None:
        chosen = self.selected_pair() is not None
        self.merge_button.setEnabled(chosen)
        self.distinct_button.setEnabled(chosen)
