"""The Export dossier dialog: scope, marking, author, redaction, date and file; runs in the background.

Signals:
    exported(dict): a dossier was written; the dict is {"path", "pages", "sha256"}.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.storage.preferences import load_preferences
from casedesk.ui.dialogs.job_dialog import JobDialog
from casedesk.ui.operations import cases, reporting
from casedesk.ui.operations.core import Operations
from casedesk.ui.widgets.text_fit import WrapLabel

# (record ids, link ids, positions by record id) of what the main window's view shows.
ViewState = tuple[Any, Any, Mapping[int, tuple[float, float]] | None]
MARKINGS = ("UNCLASSIFIED", "OFFICIAL", "OFFICIAL-SENSITIVE", "CONFIDENTIAL", "RESTRICTED", "SECRET",
            "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:RED")


class ExportDossierDialog(JobDialog):
    """Asks what to export and where, writes the dossier off the GUI thread, then offers to open it."""

    exported = Signal(dict)

    def __init__(self, ops: Operations, case_id: int,
                 view_provider: Callable[[], ViewState] | None = None, parent: QWidget | None = None):
        super().__init__(ops, parent)
        from casedesk.services.reporting import redaction_profiles

        self._case_id, self._view_provider = case_id, view_provider
        self.cancelled_text = "Export cancelled; no file was written."
        self._result: dict[str, Any] | None = None
        self._confirmed_path = ""
        self.setWindowTitle("Export dossier")
        self.setMinimumWidth(520)

        self.whole_case = QRadioButton("Whole case")
        self.current_view = QRadioButton("Current view")
        self._scope = QButtonGroup(self)
        self._scope.addButton(self.whole_case)
        self._scope.addButton(self.current_view)
        self.whole_case.setChecked(True)
        self.current_view.setEnabled(view_provider is not None)
        if view_provider is None:
            self.current_view.setToolTip("No view to export from here")
        else:
            self._describe_view()
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.whole_case)
        scope_row.addWidget(self.current_view)
        scope_row.addStretch(1)

        self.marking = QComboBox()
        self.marking.setEditable(True)
        self.marking.addItems(MARKINGS)
        self.marking.setToolTip("Printed at the top and bottom of every page; type any marking")
        case_marking = cases.case_properties_of(ops, case_id).get("marking")
        if case_marking:  # the case's own marking (New case) comes first
            self.marking.setCurrentText(case_marking)
        self.author = QLineEdit(load_preferences().author_line(ops.actor))
        self.redaction = QComboBox()
        for code, profile in redaction_profiles().items():
            self.redaction.addItem(profile.label, code)
            self.redaction.setItemData(self.redaction.count() - 1, profile.description, Qt.ItemDataRole.ToolTipRole)
        self.redaction_help = WrapLabel()
        self.redaction_help.setWordWrap(True)
        self.redaction_help.setStyleSheet("color: #5F6368;")  # grey, and dark enough to read
        self.redaction.currentIndexChanged.connect(self._on_redaction_changed)
        self._on_redaction_changed()
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")

        self.path = QLineEdit(str(self._default_path()))
        self.path.textEdited.connect(self._on_path_edited)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("Scope", scope_row)
        form.addRow("Classification", self.marking)
        form.addRow("Author", self.author)
        form.addRow("Redaction", self.redaction)
        form.addRow("", self.redaction_help)
        form.addRow("Date on cover", self.date)
        form.addRow("Save as", path_row)

        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.open_button = QPushButton("Open dossier")
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(self._on_open_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    # --- state ------------------------------------------------------------------------------
    def _describe_view(self) -> None:
        try:
            records, links, _positions = self._view_provider()  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - the view is another widget's business; just don't offer it
            self.current_view.setEnabled(False)
            return
        if records is None:
            self.current_view.setText("Current view (whole case)")
        else:
            def count(n: int, word: str) -> str:
                return f"{n:,} {word}{'' if n == 1 else 's'}"

            n_links = "" if links is None else ", " + count(len(links), "link")
            self.current_view.setText(f"Current view ({count(len(records), 'record')}{n_links})")

    def _default_path(self) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        base = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        title = reporting.case_title(self.ops, self._case_id)
        # Letters, digits and CJK of the title survive; anything else becomes a hyphen.
        name = re.sub(r"[^\w]+", "-", title)[:60].strip("-")
        return base / f"case-{self._case_id}{'-' + name if name else ''}-dossier.pdf"

    def options(self) -> Any:
        """The DossierOptions the form describes."""
        from casedesk.services.reporting import DossierOptions

        records = links = positions = None
        if self.current_view.isChecked() and self._view_provider is not None:
            records, links, positions = self._view_provider()
        return DossierOptions(
            record_ids=None if records is None else frozenset(records),
            link_ids=None if links is None else frozenset(links),
            positions=dict(positions) if positions else None,
            marking=self.marking.currentText(), author=self.author.text(),
            redaction=self.redaction.currentData(), date=self.date.date().toString("yyyy-MM-dd"))

    def set_running(self, running: bool) -> None:
        super().set_running(running)
        for widget in (self.whole_case, self.marking, self.author, self.redaction, self.date, self.path):
            widget.setEnabled(not running)
        self.current_view.setEnabled(not running and self._view_provider is not None)
        self.export_button.setEnabled(not running)

    # --- slots ------------------------------------------------------------------------------
    def _on_redaction_changed(self, *_args: object) -> None:
        from casedesk.services.reporting import redaction_profiles

        profile = redaction_profiles().get(self.redaction.currentData())
        self.redaction_help.setText(profile.description if profile else "")

    def _on_path_edited(self, _text: str) -> None:
        self._confirmed_path = ""

    def _on_browse_clicked(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(self, "Save dossier as", self.path.text(),
                                                      "PDF documents (*.pdf)")
        if chosen:
            if not chosen.lower().endswith(".pdf"):
                chosen += ".pdf"
            self.path.setText(chosen)
            self._confirmed_path = chosen  # the file dialog has asked about replacing it

    def _on_export_clicked(self) -> None:
        from casedesk.services.reporting.job import check_target

        self.open_button.setVisible(False)
        text = self.path.text().strip()
        try:
            target = check_target(text)
            options = self.options()
        except CaseDeskError as exc:
            self.show_status(str(exc), error=True)
            return
        if target.exists() and self._confirmed_path != str(target):
            self._confirmed_path = str(target)
            self.show_status(f"{target} exists. Press Export again to replace it.", error=True)
            return
        self._result = None
        self.set_running(True)
        self.show_status("Preparing…")
        self.job_id = reporting.export_dossier(self.ops, self._case_id, target, options,
                                                on_done=self._on_job_done, on_error=self._on_job_failed)

    def _on_job_done(self, result: dict[str, Any]) -> None:
        self.job_ended()
        self._result = result
        self._confirmed_path = result["path"]
        self.show_status(f"Wrote {result['pages']:,} pages to {result['path']}\nSHA-256 {result['sha256']}")
        self.open_button.setVisible(True)
        self.open_button.setDefault(True)
        self.exported.emit(result)

    def _on_job_failed(self, message: str) -> None:
        self.job_ended()
        self.show_status(f"The dossier was not written: {message}", error=True)

    def _on_open_clicked(self) -> None:
        if self._result:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self._result["path"]))
