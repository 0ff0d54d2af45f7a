"""The wizard's review page: what the import will do, in counts, before anything is written"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWizard, QWizardPage


class ReviewPage(QWizardPage):
    """Says what pressing Import will write: rows, new records, merges, rejects, links, evidence."""

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("Ready to import")
        self.setSubTitle("Nothing has been written yet. Import writes all of this in one step; "
                         "Undo import takes it back.")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Import")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def lines(self) -> list[str]:
        """The review, a line each (what the page shows)."""
        w, grade = self.w, self.w.grade_page
        path = w.source_path()
        evidence = (f"The file is stored as evidence “{grade.title.text().strip() or path.name}”, "
                    f"graded {grade.grade()}, and every record and link cites its row.")
        if w.ftm_path is not None or w.plan is None:
            return [f"Import {path.name} (FollowTheMoney entities): records and links are counted "
                    "while importing; entities with an identifier or address already in the case "
                    "are merged into it.", evidence]
        plan, vocab = w.plan, w.vocab
        created, merged = plan.outcome(w.decisions)
        made = ", ".join(f"{n:,} {vocab.record_kinds[k].plural.lower()}" for k, n in created.items())
        lines = [
            f"{plan.rows:,} rows in {path.name}: {plan.valid:,} will be imported, "
            f"{plan.rejected:,} rejected.",
            f"New records: {made or 'none'}.",
            f"Merged into records already in the case: {merged:,}.",
            f"Links: {plan.links:,}.",
            evidence,
        ]
        if plan.rejected:
            where = (f" and written to {grade.rejects_path.text().strip()}"
                     if grade.rejects_box.isChecked() and grade.rejects_path.text().strip() else "")
            lines.append(f"Rejected rows are left out{where}.")
        return lines

    def initializePage(self) -> None:  # noqa: N802
        self.text.setText("\n".join(self.lines()))
