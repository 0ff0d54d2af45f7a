"""Small dialogs of the linked view: new record, attach evidence, edit conflict."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import ConflictError, ValidationError
from casedesk.services.fields import fields_of
from casedesk.services.records import RecordIn, prepare_wallet
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_icon
from casedesk.ui.widgets.fields import ERROR_STYLE, FieldEditor
from casedesk.ui.widgets.text_fit import WrapLabel

# The fields asked for when creating each kind (the rest are edited in the inspector).
NEW_RECORD_FIELDS = {
    "party": ("label", "party_kind", "country", "hq_country"),
    "wallet": ("label", "chain", "address", "custodian"),
    "datacenter": ("label", "city", "country", "operator_name"),
    "server": ("label", "accelerator_model", "accelerators_per_server", "server_count", "count_qualifier",
               "status"),
    "contract": ("label", "contract_type", "start_on", "value_amount", "currency"),
}


class NewRecordDialog(QDialog):
    """Asks for the main fields of a new record, checking each as the services will."""

    def __init__(self, kind: str, vocab: Any, parent: QWidget | None = None, *, party_kind: str | None = None):
        super().__init__(parent)
        self.kind = kind
        self.vocab = vocab
        self.record_in: RecordIn | None = None
        self.setWindowTitle(f"New {vocab.record_kinds[kind].label.lower()}")
        self.setWindowIcon(kind_icon(kind, party_kind))
        self.setObjectName("new_record_dialog")
        specs = {s.name: s for s in fields_of(kind)}
        form = QFormLayout()
        self.editors: dict[str, FieldEditor] = {}
        for name in NEW_RECORD_FIELDS[kind]:
            editor = FieldEditor(specs[name], vocab, self)
            form.addRow(specs[name].label + ("*" if specs[name].required else ""), editor)
            self.editors[name] = editor
        if party_kind:
            self.editors["party_kind"].set_value(party_kind)
        if kind == "server":
            self.editors["count_qualifier"].set_value("exact")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.editors["label"].input.setFocus()
        self.resize(420, self.sizeHint().height())

    def editor(self, name: str) -> FieldEditor:
        """The editor of one field."""
        return self.editors[name]

    def try_accept(self) -> bool:
        """Check every field; accept with a RecordIn, or stay open with the reasons shown."""
        fields: dict[str, Any] = {}
        ok = True
        for name, editor in self.editors.items():
            good, value = editor.check()
            ok = ok and good
            if good and value not in (None, "", []):
                fields[name] = editor.raw()
        if ok and self.kind == "wallet":
            try:
                prepare_wallet({"chain": fields.get("chain", ""), "address": fields.get("address", "")})
            except ValidationError as exc:
                self.editors.get(exc.field if exc.field in self.editors else "address").show_error(exc.reason)
                ok = False
        if not ok:
            return False
        self.record_in = RecordIn(self.kind, fields)
        self.accept()
        return True


class AttachEvidenceDialog(QDialog):
    """Grades files about to be attached as evidence (Admiralty A–F / 1–6), showing their SHA-256."""

    def __init__(self, paths: list[str], subject: str, vocab: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Attach evidence")
        self.setObjectName("attach_evidence_dialog")
        self.paths = [Path(p) for p in paths]
        self.meta: list[dict[str, Any]] = []
        self.locator = ""
        layout = QVBoxLayout(self)
        intro = WrapLabel(f"Attach {len(self.paths)} file(s) to {ui_text.quoted(subject, 60)} as evidence and cite "
                       "them there. Files are stored once, under their SHA-256.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.hashes: list[str] = []
        for path in self.paths:
            digest, size = self._hash(path)
            self.hashes.append(digest)
            text = QLabel(f"{ui_text.plain(path.name, 60)} · {size:,} bytes\nSHA-256 {digest}", self)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow("File", text)
        self.title = QLineEdit(self.paths[0].name if len(self.paths) == 1 else "", self)
        self.title.setPlaceholderText("title (defaults to the file name)")
        form.addRow("Title", self.title)
        self.reliability = QComboBox(self)
        for code, term in vocab.source_reliability.items():
            self.reliability.addItem(f"{code} — {term.label}", code)
        self.reliability.setCurrentIndex(self.reliability.findData("F"))
        form.addRow("Source reliability", self.reliability)
        self.credibility = QComboBox(self)
        for code, term in vocab.information_credibility.items():
            self.credibility.addItem(f"{code} — {term.label}", code)
        self.credibility.setCurrentIndex(self.credibility.findData("6"))
        form.addRow("Information credibility", self.credibility)
        self.source = QLineEdit(self)
        self.source.setPlaceholderText("where it came from (publisher, URL noted offline, person)")
        form.addRow("Source", self.source)
        self.date = QLineEdit(self)
        self.date.setPlaceholderText("YYYY, YYYY-MM or YYYY-MM-DD")
        self.date_error = QLabel(self)
        self.date_error.setStyleSheet(ERROR_STYLE)
        self.date_error.hide()
        date_box = QWidget(self)
        date_lay = QVBoxLayout(date_box)
        date_lay.setContentsMargins(0, 0, 0, 0)
        date_lay.addWidget(self.date)
        date_lay.addWidget(self.date_error)
        form.addRow("Source date", date_box)
        self.locator_edit = QLineEdit(self)
        self.locator_edit.setPlaceholderText("page, row or quote supporting the record")
        form.addRow("Locator", self.locator_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Attach")
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    @staticmethod
    def _hash(path: Path) -> tuple[str, int]:
        digest, size = hashlib.sha256(), 0
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                    size += len(block)
        except OSError as exc:
            return (f"(cannot read: {exc.strerror})", 0)
        return digest.hexdigest(), size

    def set_grade(self, grade: str) -> None:
        """Choose a grade like 'B2'."""
        self.reliability.setCurrentIndex(self.reliability.findData(grade[0]))
        self.credibility.setCurrentIndex(self.credibility.findData(grade[1]))

    def try_accept(self) -> bool:
        """Check the date; accept with one metadata dict per file."""
        date_text = self.date.text().strip()
        if date_text:
            try:
                date_text = str(parse_partial_date(date_text))
            except ValidationError as exc:
                self.date_error.setText(exc.reason)
                self.date_error.show()
                return False
        grade = f"{self.reliability.currentData()}{self.credibility.currentData()}"
        self.meta = []
        for path in self.paths:
            title = self.title.text().strip() if len(self.paths) == 1 and self.title.text().strip() else path.name
            self.meta.append({"title": title, "grade": grade, "kind": "file", "source": self.source.text(),
                              "source_date": date_text or None, "filename": path.name,
                              "media_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream"})
        self.locator = self.locator_edit.text()
        self.accept()
        return True


class ConflictDialog(QMessageBox):
    """Says who changed what since the user loaded it, and offers to reload."""

    reload_requested = Signal()

    def __init__(self, error: ConflictError, action: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Changed by someone else")
        who = ui_text.plain(error.changed_by or "someone else", 60)
        when = (error.changed_at or "").replace("T", " ")[:19]
        self.setText(f"{ui_text.plain(action, 80) or 'Your edit'} was not saved: {who} changed it"
                     f"{' at ' + when if when else ''} (version {error.actual}; you edited version {error.expected}).")
        lines = [f"• {ui_text.plain(field, 40)}: {ui_text.plain(repr(old), 50)} → {ui_text.plain(repr(new), 50)}"
                 for field, (old, new) in sorted(error.changes.items())][:12]
        self.setInformativeText(("What they changed:\n" + "\n".join(lines) + "\n\n" if lines else "")
                                + "Reload to see the current values, then make your change again.")
        self.reload_button = self.addButton("Reload", QMessageBox.ButtonRole.AcceptRole)
        self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.reload_button)
        self.finished.connect(self._on_finished)

    def _on_finished(self, _result: int) -> None:
        if self.clickedButton() == self.reload_button:
            self.reload_requested.emit()
