"""File › Export case: FollowTheMoney, GraphML, CSV or a case pack, of the whole case or the view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from casedesk.ui.dialogs.job_dialog import JobDialog
from casedesk.ui.operations import exchange
from casedesk.ui.operations.core import Operations

# code, label, file suffix (CSV: a folder unless the name ends in .zip)
FORMATS = (
    ("ftm", "FollowTheMoney entities (Aleph, OpenSanctions)", ".ftm.json"),
    ("graphml", "GraphML network (Gephi, yEd, networkx)", ".graphml"),
    ("csv", "CSV tables, one per record kind (a folder, or a .zip)", ""),
    ("casepack", "Case pack: the whole case for another CaseDesk", ".casepack"),
)


class ExportCaseDialog(JobDialog):
    """Asks for a format, a scope and a place, exports off the GUI thread, and says what it wrote."""

    cancelled_text = "Export cancelled; no file was written."

    def __init__(self, ops: Operations, case_id: int, view_records: Callable[[], list[int]] | None = None,
                 parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.case_id, self._view_records = case_id, view_records
        self.result: Any = None
        self.setWindowTitle("Export case")
        self.setMinimumWidth(560)
        self.format = QComboBox()
        self.format.setObjectName("export_format")
        for code, label, _suffix in FORMATS:
            self.format.addItem(label, code)
        self.whole_case = QRadioButton("Whole case")
        self.current_view = QRadioButton("Records in the current view")
        group = QButtonGroup(self)
        group.addButton(self.whole_case)
        group.addButton(self.current_view)
        self.whole_case.setChecked(True)
        scope = QHBoxLayout()
        scope.addWidget(self.whole_case)
        scope.addWidget(self.current_view)
        scope.addStretch(1)
        self.path = QLineEdit()
        self.path.setObjectName("export_path")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Scope", scope)
        form.addRow("Save as", where)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self._on_format_changed()

    def chosen_format(self) -> str:
        """The format code chosen (ftm, graphml, csv, casepack)."""
        return self.format.currentData()

    def _suffix(self) -> str:
        return next(s for code, _l, s in FORMATS if code == self.chosen_format())

    def _on_format_changed(self, *_args: object) -> None:
        pack = self.chosen_format() == "casepack"
        self.current_view.setEnabled(self._view_records is not None and not pack)
        if pack:
            self.whole_case.setChecked(True)
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        base = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        current = Path(self.path.text()) if self.path.text().strip() else base / f"case-{self.case_id}"
        stem = current.name.split(".")[0] or f"case-{self.case_id}"
        self.path.setText(str(current.with_name(stem + self._suffix())))

    def _browse(self) -> None:
        if self.chosen_format() == "csv":
            chosen = QFileDialog.getExistingDirectory(self, "Export CSV into folder", self.path.text())
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export case", self.path.text())
        if chosen:
            self.path.setText(chosen)

    def set_running(self, running: bool) -> None:
        super().set_running(running)
        for widget in (self.format, self.whole_case, self.path, self.export_button):
            widget.setEnabled(not running)
        self.current_view.setEnabled(not running and self._view_records is not None
                                     and self.chosen_format() != "casepack")

    def start_export(self) -> None:
        """Export with what the dialog says."""
        text = self.path.text().strip()
        if not text:
            self.show_status("Say where to save the export.", error=True)
            return
        target = Path(text).expanduser()
        if not target.parent.is_dir():
            self.show_status(f"The folder {target.parent} does not exist.", error=True)
            return
        records = self._view_records() if self.current_view.isChecked() and self._view_records else None
        self.result = None
        self.set_running(True)
        self.show_status("Preparing…")
        self.job_id = exchange.export(self.ops, self.case_id, self.chosen_format(), target, record_ids=records,
                                      on_done=self._done, on_error=self._failed)

    def _done(self, result: Any) -> None:
        self.job_ended()
        self.result = result
        self.show_status(f"Wrote {result.records:,} records and {result.links:,} links to {result.path}\n"
                         f"SHA-256 {result.sha256}")

    def _failed(self, message: str) -> None:
        self.job_ended()
        self.show_status(f"Nothing was exported: {message}", error=True)
