"""The wizard's evidence page: the file's grade, title, source and where rejects go"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWizard,
    QWizardPage,
)


class GradePage(QWizardPage):
    """How reliable the file is as evidence, and where to put rejected rows."""

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("Evidence")
        self.setSubTitle(
            "The file is stored as evidence and every imported record and link cites it. "
            "Grade the source (A–F) and the information (1–6)."
        )
        vocab = self.w.vocab
        self.reliability, self.credibility = QComboBox(), QComboBox()
        for code, term in vocab.source_reliability.items():
            self.reliability.addItem(f"{code} — {term.label}", code)
        for code, term in vocab.information_credibility.items():
            self.credibility.addItem(f"{code} — {term.label}", code)
        self.reliability.setCurrentIndex(self.reliability.findData("F"))
        self.credibility.setCurrentIndex(self.credibility.findData("6"))
        self.title = QLineEdit()
        self.source = QLineEdit()
        self.source.setPlaceholderText("Where the file came from (registry, colleague, explorer…)")
        self.rejects_box = QCheckBox("Write rejected rows to")
        self.rejects_path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        rejects = QHBoxLayout()
        rejects.addWidget(self.rejects_box)
        rejects.addWidget(self.rejects_path, 1)
        rejects.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("Source reliability", self.reliability)
        form.addRow("Information credibility", self.credibility)
        form.addRow("Title", self.title)
        form.addRow("Source", self.source)
        form.addRow(rejects)

    def initializePage(self) -> None:  # noqa: N802
        path = self.w.source_path()
        if not self.title.text():
            self.title.setText(f"Import of {path.name}")
        if not self.rejects_path.text():
            self.rejects_path.setText(str(path.with_name(path.stem + "-rejects.csv")))
        self.rejects_box.setChecked(bool(self.w.plan and self.w.plan.rejected))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Rejected rows", self.rejects_path.text(), "CSV (*.csv)"
        )
        if path:
            self.rejects_path.setText(path)
            self.rejects_box.setChecked(True)

    def grade(self) -> str:
        """The chosen Admiralty grade, e.g. 'F6'."""
        return f"{self.reliability.currentData()}{self.credibility.currentData()}"
