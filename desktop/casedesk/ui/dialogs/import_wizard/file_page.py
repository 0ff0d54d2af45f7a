"""The wizard's first page: choose the file, its encoding, delimiter, header row and sheet"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.services.exchange.ftm_reading import looks_like_ftm
from casedesk.services.importing import (
    ReadOptions,
    inspect_source,
)
from casedesk.services.importing.reading import DELIMITER_NAMES
from casedesk.services.importing.settings import import_settings
from casedesk.ui.dialogs.import_wizard.common import _fit_columns, _table
from casedesk.ui.models.import_rows import RowsModel


class FilePage(QWizardPage):
    """Choose the file; encoding, delimiter, header row and sheet are detected and can be changed."""

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("File")
        self.setSubTitle(
            "Choose a CSV, TSV or Excel file. Encoding, delimiter and header are detected; "
            "change them if the preview looks wrong."
        )
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Path of the file to import")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.encoding = QComboBox()
        self.encoding.addItem("Detect", None)
        for name in import_settings().encodings:
            self.encoding.addItem(name.replace("_", "-"), name)
        self.delimiter = QComboBox()
        self.delimiter.addItem("Detect", None)
        for ch, name in DELIMITER_NAMES.items():
            self.delimiter.addItem(name.capitalize(), ch)
        self.header = QSpinBox()
        self.header.setRange(-1, 1000)
        self.header.setSpecialValueText("Detect")
        self.header.setValue(-1)
        self.header.setToolTip("Row number of the header; 0 when the file has no header row")
        self.sheet = QComboBox()
        self.sheet.setEnabled(False)
        form = QFormLayout()
        form.addRow("File", row)
        options = QHBoxLayout()
        for label, widget in (
            ("Encoding", self.encoding),
            ("Delimiter", self.delimiter),
            ("Header row", self.header),
            ("Sheet", self.sheet),
        ):
            options.addWidget(QLabel(label))
            options.addWidget(widget)
        options.addStretch(1)
        form.addRow(options)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.model = RowsModel()
        self.view = _table(self.model)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.path_edit.editingFinished.connect(self.inspect)
        for combo in (self.encoding, self.delimiter, self.sheet):
            combo.activated.connect(lambda _=0: self.inspect())
        self.header.valueChanged.connect(lambda _=0: self.inspect())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import file",
            "",
            "Tables (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls *.ods);;All files (*)",
        )
        if path:
            self.path_edit.setText(path)
            self.inspect()

    def set_path(self, path: str | Path) -> None:
        """Choose a file (used by drag-and-drop callers and tests) and inspect it."""
        self.path_edit.setText(str(path))
        self.inspect()

    def read_options(self) -> ReadOptions:
        """The reading options as the user set them (None = detect)."""
        return ReadOptions(
            encoding=self.encoding.currentData(),
            delimiter=self.delimiter.currentData(),
            header_row=None if self.header.value() < 0 else self.header.value(),
            sheet=self.sheet.currentText()
            if self.sheet.isEnabled() and self.sheet.count()
            else None,
        )

    def inspect(self) -> None:
        """Inspect the file with the current options and show what was found."""
        text = self.path_edit.text().strip()
        self.w.info = None
        if not text:
            self.status.setText("")
            self.model.set_rows([], [])
            self.completeChanged.emit()
            return
        self.w.ftm_path = None
        if looks_like_ftm(Path(text)):
            self.w.ftm_path = Path(text)
            self.status.setStyleSheet("")
            self.status.setText("A FollowTheMoney entity file: people, companies, organisations, wallets, "
                                "addresses and the links between them come in as they are, with no column "
                                "mapping. Next: grade the source, then import.")
            self.model.set_rows([], [])
            self.completeChanged.emit()
            return
        try:
            info = inspect_source(Path(text), self.read_options())
        except CaseDeskError as exc:
            self.status.setText(f"Cannot use this file: {exc}")
            self.status.setStyleSheet("color: #b00020")
            self.model.set_rows([], [])
            self.completeChanged.emit()
            return
        self.w.info = info
        self.status.setStyleSheet("")
        lines = [info.describe()]
        lines += [f"Note: {w}" for w in info.warnings[:5]]
        self.status.setText("\n".join(lines))
        if info.sheets and not self.sheet.isEnabled():
            self.sheet.blockSignals(True)
            self.sheet.clear()
            self.sheet.addItems(list(info.sheets))
            self.sheet.setCurrentText(info.sheet or "")
            self.sheet.setEnabled(True)
            self.sheet.blockSignals(False)
        elif not info.sheets:
            self.sheet.clear()
            self.sheet.setEnabled(False)
        self.model.set_rows(
            ["Row", *info.columns], [[str(n), *cells] for n, cells in info.sample[:100]]
        )
        _fit_columns(self.view)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.info is not None or self.w.ftm_path is not None

    def nextId(self) -> int:  # noqa: N802 - an FtM file goes straight to grading
        if self.w.ftm_path is not None:
            return next(pid for pid in self.w.pageIds() if self.w.page(pid) is self.w.grade_page)
        return super().nextId()
