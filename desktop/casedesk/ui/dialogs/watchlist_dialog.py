"""Load a screening list: choose the file, format and name; see malformed rows by line; import.

Rows that cannot be read are listed with their line and reason; they are skipped only when the
user ticks the consent box, otherwise nothing is imported.

Signals:
    imported(int): a list was loaded or replaced; carries its list id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.screening.formats import FORMAT_LABELS
from casedesk.services.screening.watchlist_import import check_parsed, parse_list_file
from casedesk.ui.operations import Operations
from casedesk.ui.operations import screening as screening_ops
from casedesk.ui.widgets.progress_dialog import JobProgressDialog
from casedesk.ui.widgets.text_fit import WrapLabel

_FORMATS = [("Detect automatically", "auto")] + [
    (label, code) for code, label in FORMAT_LABELS.items() if code != "mapping"]


class WatchlistImportDialog(QDialog):
    """Choose a list file, check it (in the background), then import it in one transaction."""

    imported = Signal(int)

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Load a screening list")
        self.setMinimumWidth(640)
        self._ops, self._runner = ops, ops.runner
        runner = ops.runner
        self._parsed: Any = None
        self._check_job: int | None = None
        self._import_job: int | None = None
        self.result_payload: dict[str, Any] | None = None

        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText("sdn.csv, consolidated.csv, dpl.txt, entities.ftm.json, targets.simple.csv…")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.format_combo = QComboBox(self)
        for label, code in _FORMATS:
            self.format_combo.addItem(label, code)
        self.mapping_edit = QLineEdit(self)
        self.mapping_edit.setPlaceholderText("optional: a YAML/JSON column mapping for any other CSV")
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("default: the list's usual name; a list of the same name is replaced")
        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("Format", self.format_combo)
        form.addRow("Mapping", self.mapping_edit)
        form.addRow("List name", self.name_edit)

        self.check_button = QPushButton("Check file", self)
        self.check_button.clicked.connect(self._on_check_clicked)
        self.summary = WrapLabel("", self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.problems = QListWidget(self)
        self.problems.setVisible(False)
        self.skip_box = QCheckBox(self)
        self.skip_box.setVisible(False)
        self.skip_box.toggled.connect(self._update_buttons)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.skip_box)
        layout.addWidget(self.buttons)
        for edit in (self.path_edit, self.mapping_edit):
            edit.textChanged.connect(self._on_input_changed)
        self.format_combo.currentIndexChanged.connect(self._on_input_changed)
        runner.finished.connect(self._on_runner_finished)
        runner.failed.connect(self._on_runner_failed)
        runner.cancelled.connect(self._on_runner_cancelled)
        self._update_buttons()

    # --- public -------------------------------------------------------------------------------

    def set_file(self, path: str | Path, fmt: str = "auto") -> None:
        """Fill in the file (and format) as if chosen by the user."""
        self.path_edit.setText(str(path))
        i = self.format_combo.findData(fmt)
        self.format_combo.setCurrentIndex(max(i, 0))

    def check_file(self) -> int | None:
        """Parse the chosen file in the background and show what it holds; returns the job id."""
        path = Path(self.path_edit.text().strip())
        if not self.path_edit.text().strip():
            self._show_error("Choose a list file first.")
            return None
        fmt = self.format_combo.currentData()
        mapping_path = self.mapping_edit.text().strip()

        def job():  # noqa: ANN202
            mapping = None
            if mapping_path:
                from casedesk.services.screening.formats.mapped import load_mapping

                mapping = load_mapping(Path(mapping_path))
            return ("checked", parse_list_file(path, fmt=fmt, mapping=mapping), mapping)

        self._parsed = None
        self.summary.setText(f"Reading {path.name}…")
        self.summary.setStyleSheet("")
        self._check_job = self._runner.submit(job)
        self._update_buttons()
        return self._check_job

    def start_import(self) -> int | None:
        """Import the checked file in one background transaction; returns the job id."""
        if self._parsed is None:
            return None
        parsed, mapping = self._parsed
        skip = self.skip_box.isChecked()
        try:
            check_parsed(Path(self.path_edit.text().strip()), parsed, skip)
        except Exception as exc:  # CaseDeskError: the reason is for the user
            self._show_error(str(exc))
            return None
        self._import_job = screening_ops.load_list(
            self._ops, Path(self.path_edit.text().strip()), name=self.name_edit.text().strip() or None,
            mapping=mapping, skip_bad_rows=skip, parsed=parsed)
        JobProgressDialog(self._runner, self._import_job, "Loading the list", self)
        self._update_buttons()
        return self._import_job

    # --- slots ----------------------------------------------------------------------------------

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Screening list file", "",
                                              "Lists (*.csv *.txt *.tsv *.json *.jsonl *.ftm);;All files (*)")
        if path:
            self.path_edit.setText(path)
            self.check_file()

    def _on_check_clicked(self) -> None:
        self.check_file()

    def _on_import_clicked(self) -> None:
        self.start_import()

    def _on_input_changed(self) -> None:
        self._parsed = None
        self.problems.setVisible(False)
        self.skip_box.setVisible(False)
        self.skip_box.setChecked(False)
        self.summary.setText("")
        self._update_buttons()

    def _on_runner_finished(self, job_id: int, result: object) -> None:
        if job_id == self._check_job:
            self._check_job = None
            _tag, parsed, mapping = result  # type: ignore[misc]
            self._parsed = (parsed, mapping)
            self._show_parsed(parsed)
        elif job_id == self._import_job:
            self._import_job = None
            _tag, payload = result  # type: ignore[misc]
            self.result_payload = payload
            self.imported.emit(int(payload["list_id"]))
            self.accept()
        self._update_buttons()

    def _on_runner_failed(self, job_id: int, message: str) -> None:
        if job_id in (self._check_job, self._import_job):
            if job_id == self._check_job:
                self._parsed = None
            self._check_job = self._import_job = None
            self._show_error(message)
            self._update_buttons()

    def _on_runner_cancelled(self, job_id: int) -> None:
        if job_id in (self._check_job, self._import_job):
            self._check_job = self._import_job = None
            self.summary.setText("Cancelled; nothing was imported.")
            self._update_buttons()

    # --- helpers -------------------------------------------------------------------------------

    def _show_parsed(self, parsed: Any) -> None:
        text = (f"{FORMAT_LABELS.get(parsed.format, parsed.format)}: {len(parsed.entries):,} entries "
                f"in {parsed.rows:,} rows; snapshot {parsed.snapshot_date or 'not stated in the file'}")
        if parsed.duplicates:
            text += f"; {len(parsed.duplicates)} rows repeat an earlier row and are merged"
        if parsed.renamed:
            text += (f"; {len(parsed.renamed)} rows use an id an earlier, different row has and are "
                     f"kept apart (first: {parsed.renamed[0][:120]})")
        for warning in parsed.warnings:
            text += f"; {warning[:200]}"
        if not self.name_edit.text().strip():
            self.name_edit.setPlaceholderText(parsed.default_name)
        self.summary.setStyleSheet("")
        self.problems.clear()
        if parsed.problems:
            text += f". {len(parsed.problems)} rows cannot be read:"
            for p in parsed.problems[:2000]:
                self.problems.addItem(str(p))
            self.skip_box.setText(f"Skip the {len(parsed.problems)} malformed rows and import the "
                                  f"{len(parsed.entries):,} readable ones")
        self.summary.setText(text)
        self.problems.setVisible(bool(parsed.problems))
        self.skip_box.setVisible(bool(parsed.problems))
        self.skip_box.setChecked(False)

    def _show_error(self, message: str) -> None:
        self.summary.setText(message)
        self.summary.setStyleSheet("color: #b00020;")

    def _update_buttons(self) -> None:
        busy = self._check_job is not None or self._import_job is not None
        ready = self._parsed is not None and bool(self._parsed[0].entries)
        if ready and self._parsed[0].problems:
            ready = self.skip_box.isChecked()
        self.import_button.setEnabled(ready and not busy)
        self.check_button.setEnabled(not busy)
