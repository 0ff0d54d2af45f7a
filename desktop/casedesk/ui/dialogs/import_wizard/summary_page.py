"""The wizard's last page: what the import created, merged and rejected"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)


class SummaryPage(QWizardPage):
    """What the import did."""

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("Done")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        r = self.w.result
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
