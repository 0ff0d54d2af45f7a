"""The wizard's dedupe page: incoming records that may already be in the case, and what to do with each"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from casedesk.ui.dialogs.import_wizard.common import _short


class DedupePage(QWizardPage):
    """Incoming records that may already be in the case: merge into the existing one or keep apart."""

    MERGE, SEPARATE = "Merge into the existing record", "Keep separate"

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("Possible duplicates")
        self.setSubTitle(
            "Matches on identifiers and wallet addresses are merged unless you say otherwise; "
            "similar names are kept separate unless you choose to merge."
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["Incoming", "Rows", "Existing record", "Why", "Decision"]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Merge all exact matches", self.merge_exact),
            ("Merge identical names too", self.merge_identical),
            ("Keep all separate", self.keep_all),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.rows: list[Any] = []

    def initializePage(self) -> None:  # noqa: N802
        plan = self.w.plan
        self.rows = list(plan.suggestions) if plan else []
        self.table.setRowCount(len(self.rows))
        for n, sg in enumerate(self.rows):
            self.table.setItem(n, 0, QTableWidgetItem(f"{_short(sg.label)} ({sg.kind})"))
            self.table.setItem(n, 1, QTableWidgetItem(f"{sg.rows:,} (first {sg.first_row})"))
            existing = QComboBox()
            for c in sg.candidates:
                existing.addItem(f"#{c.record_id} {_short(c.label)}", c.record_id)
            self.table.setCellWidget(n, 2, existing)
            why = QTableWidgetItem(sg.candidates[0].reason if sg.candidates else "")
            self.table.setItem(n, 3, why)
            decision = QComboBox()
            decision.addItems([self.MERGE, self.SEPARATE])
            decided = self.w.decisions.get(sg.entity_key, sg.decision)
            if decided is not None:
                existing.setCurrentIndex(max(0, existing.findData(decided)))
            decision.setCurrentIndex(0 if decided is not None else 1)
            existing.currentIndexChanged.connect(lambda _=0, r=n: self._changed(r))
            existing.currentIndexChanged.connect(lambda _=0, r=n, e=existing: self._why(r, e))
            decision.currentIndexChanged.connect(lambda _=0, r=n: self._changed(r))
            self.table.setCellWidget(n, 4, decision)
            self._changed(n)
        self.table.resizeColumnsToContents()
        merged = sum(1 for sg in self.rows if sg.decision is not None)
        self.summary.setText(
            f"{len(self.rows):,} incoming records may already be in the case: {merged:,} merged "
            f"by default, {len(self.rows) - merged:,} kept separate unless you choose to merge."
            if self.rows
            else "No incoming record looks like one already in the case."
        )

    def _why(self, row: int, combo: QComboBox) -> None:
        sg = self.rows[row]
        self.table.item(row, 3).setText(sg.candidates[combo.currentIndex()].reason)

    def _changed(self, row: int) -> None:
        sg = self.rows[row]
        existing: QComboBox = self.table.cellWidget(row, 2)
        decision: QComboBox = self.table.cellWidget(row, 4)
        self.w.decisions[sg.entity_key] = (
            existing.currentData() if decision.currentIndex() == 0 else None
        )

    def set_decision(self, row: int, merge: bool, candidate: int = 0) -> None:
        """Decide one suggestion: merge into its n-th candidate, or keep separate."""
        self.table.cellWidget(row, 2).setCurrentIndex(candidate)
        self.table.cellWidget(row, 4).setCurrentIndex(0 if merge else 1)

    def merge_exact(self) -> None:
        """Merge every suggestion whose best match is exact (identifier or address)."""
        for n, sg in enumerate(self.rows):
            self.set_decision(n, sg.exact)

    def merge_identical(self) -> None:
        """Also merge suggestions whose name is identical after normalising."""
        for n, sg in enumerate(self.rows):
            self.set_decision(n, sg.exact or sg.candidates[0].score >= 100)

    def keep_all(self) -> None:
        """Keep every incoming record separate."""
        for n in range(len(self.rows)):
            self.set_decision(n, False)
