"""The wizard's last page: what the import created, merged and rejected, and Undo import"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from casedesk.ui import text as ui_text
from casedesk.ui.operations import importing


class SummaryPage(QWizardPage):
    """What the import did, with a button that takes it back."""

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("Imported")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Close")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.undo_button = QPushButton("&Undo import")
        self.undo_button.setToolTip("Remove everything this import added and put merged records back "
                                    "(one step, recorded in the audit log)")
        self.undo_button.clicked.connect(self.undo)
        self.undo_status = QLabel()
        self.undo_status.setWordWrap(True)
        self.undo_status.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.undo_status)
        layout.addStretch(1)
        self.undone = False

    def initializePage(self) -> None:  # noqa: N802
        r = self.w.result
        self.undone = False
        self.undo_status.setText("")
        self.undo_button.setEnabled(r is not None)
        if r is None:
            return
        vocab = self.w.vocab
        made = ", ".join(
            f"{n:,} {vocab.record_kinds[k].plural.lower()}" for k, n in r.created_by_kind.items()
        )
        lines = [
            f"Imported {r.filename} as batch {r.batch_id}.",
            f"{r.rows:,} rows read: {r.valid:,} imported, {r.rejected:,} rejected.",
            f"Created {made or 'no new records'} and {r.links:,} links.",
            f"{r.merged:,} incoming records were merged into records already in the case"
            + (f"; {r.links_matched:,} links were already there." if r.links_matched else "."),
            f"{r.citations:,} citations of the file (evidence #{r.evidence_id}, SHA-256 {r.sha256}).",
        ]
        kept = [s for s in r.suggestions if s.decision is None]
        if kept:
            lines.append(f"{len(kept):,} possible duplicates were kept separate.")
        if r.rejects_path:
            lines.append(f"Rejected rows were written to {r.rejects_path}.")
        self.text.setText("\n".join(lines))

    def undo(self) -> None:
        """Take the import back (one audited transaction)."""
        r = self.w.result
        if r is None or self.undone:
            return
        self.undo_button.setEnabled(False)
        self.undo_status.setText("Undoing the import…")
        importing.undo_import(self.w.ops, r.batch_id, on_done=self._undone, on_error=self._failed)

    def _undone(self, done: Any) -> None:
        self.undone = True
        self.setTitle("Import undone")
        self.undo_status.setText(
            f"Import undone: removed {done.records:,} records, {done.links:,} links and "
            f"{done.citations:,} citations with the evidence; {done.restored:,} merged records "
            "are back as they were.")
        self.w.import_undone.emit(done.batch_id)

    def _failed(self, error: Any) -> None:
        self.undo_button.setEnabled(True)
        self.undo_status.setText(f"Not undone: {ui_text.plain(str(error), 400)}")
