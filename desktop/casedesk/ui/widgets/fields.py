"""One editor per FieldSpec, with the validation message shown right under the input.

Values are checked with services.fields.clean_value, the same function the services use, so the
message next to the field is the one the services would give, and a refused value never leaves
the form.

Signals (FieldEditor):
    committed(str, object): the user finished editing: field name and the raw value typed/chosen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.errors import ValidationError
from casedesk.domain.invisible import describe_hidden, has_hidden, reveal
from casedesk.services.fields import FieldSpec, choice_codes, clean_value
from casedesk.ui import text as ui_text
from casedesk.ui.widgets.text_fit import WrapLabel

PLACEHOLDERS = {
    "date": "YYYY, YYYY-MM or YYYY-MM-DD (~ for about)",
    "country": "ISO code or name",
    "grade": "Admiralty grade, e.g. B2",
    "list": "separate items with ;",
    "int": "whole number",
    "float": "number",
    "decimal": "amount",
}
ERROR_STYLE = "color: #B3261E;"
NOTE_STYLE = "color: #5F6368;"
EDIT_LIMIT = 10_000  # longer stored text is shown shortened and read-only (a line editor cannot hold it)
INVALID_STYLE = "border: 1px solid #B3261E; border-radius: 2px;"
HIDDEN_STYLE = "color: #8A5A00;"  # the dossier's placeholder colour
HIDDEN_PREFIX = "Invisible characters: "


class _PlainTextEdit(QPlainTextEdit):
    """A multi-line editor that reports when the user leaves it."""

    editing_finished = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.editing_finished.emit()


def shown_text(spec: FieldSpec, value: Any) -> str:
    """How a stored value reads in its editor."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class FieldEditor(QWidget):
    """An input for one field plus the place for its validation message."""

    committed = Signal(str, object)

    def __init__(self, spec: FieldSpec, vocab: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.vocab = vocab
        self._shown: Any = None
        self._too_long = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.input = self._make_input()
        self.input.setObjectName(f"field_{spec.name}")
        layout.addWidget(self.input)
        # Zero-width and bidi characters stay in the value (editing keeps them) but are named
        # here, so "pay\u200bpal" never reads as "paypal" (domain.invisible, as in the dossier).
        self.hidden = WrapLabel("", self)
        self.hidden.setObjectName(f"hidden_{spec.name}")
        self.hidden.setStyleSheet(HIDDEN_STYLE)
        self.hidden.setTextFormat(Qt.TextFormat.PlainText)
        self.hidden.setWordWrap(True)
        self.hidden.hide()
        layout.addWidget(self.hidden)
        if isinstance(self.input, QLineEdit):
            self.input.textChanged.connect(self._show_hidden)
        elif isinstance(self.input, QPlainTextEdit):
            self.input.textChanged.connect(lambda: self._show_hidden(self.input.toPlainText()))
        elif isinstance(self.input, QComboBox) and self.input.isEditable():
            self.input.editTextChanged.connect(self._show_hidden)
        self.error = WrapLabel("", self)
        self.error.setObjectName(f"error_{spec.name}")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        # A refusal disappears (and the red border with it) as soon as the value is put right,
        # not only when the field is left; a new refusal still waits for leaving or Create.
        if isinstance(self.input, (QLineEdit, QPlainTextEdit)):
            self.input.textChanged.connect(self._recheck)
        elif isinstance(self.input, QComboBox):
            self.input.currentIndexChanged.connect(self._recheck)
            if self.input.isEditable():
                self.input.editTextChanged.connect(self._recheck)

    def _make_input(self) -> QWidget:
        t = self.spec.type
        if t == "longtext":
            edit = _PlainTextEdit(self)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(64)
            edit.editing_finished.connect(self._commit)
            return edit
        if t == "bool":
            box = QCheckBox(self)
            box.toggled.connect(lambda _on: self._commit())
            return box
        if t in ("choice", "accelerator"):
            combo = QComboBox(self)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            if t == "accelerator":
                combo.setEditable(True)
                combo.addItem("", "")
                for model in self.vocab.accelerators:
                    combo.addItem(model.name, model.name)
                combo.lineEdit().editingFinished.connect(self._commit)
                combo.activated.connect(lambda _i: self._commit())
                return combo
            if not self.spec.required:
                combo.addItem("—", "")
            for code in choice_codes(self.vocab, self.spec.choices or ""):
                term = getattr(self.vocab, self.spec.choices or "")[code]
                combo.addItem(getattr(term, "label", code), code)
            combo.activated.connect(lambda _i: self._commit())
            return combo
        line = QLineEdit(self)
        line.setMaxLength(EDIT_LIMIT)
        line.setPlaceholderText(PLACEHOLDERS.get(t, ""))
        line.editingFinished.connect(self._commit)
        return line

    # --- value ---------------------------------------------------------------------------------
    def set_value(self, value: Any) -> None:
        """Show a stored value (no signal) and clear any message."""
        self._shown = value
        w = self.input
        self.clear_error()
        text_value = isinstance(value, str) and isinstance(w, (QLineEdit, QPlainTextEdit))
        self._too_long = text_value and len(value) > EDIT_LIMIT
        if isinstance(w, (QLineEdit, QPlainTextEdit)):
            w.setReadOnly(self._too_long)
        w.blockSignals(True)
        try:
            if self._too_long:
                if isinstance(w, QPlainTextEdit):
                    w.setPlainText(ui_text.shorten(value, 500))
                else:
                    w.setText(ui_text.one_line(value, 200))
                self.error.setStyleSheet(NOTE_STYLE)
                self.error.setText(f"Too long to edit here ({len(value):,} characters); shown shortened.")
                self.error.show()
                return
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                index = w.findData(value if value is not None else "")
                if index < 0 and w.isEditable():
                    w.setEditText(shown_text(self.spec, value))
                else:
                    w.setCurrentIndex(max(0, index))
            elif isinstance(w, QPlainTextEdit):
                text = "" if value is None else str(value)
                if w.toPlainText() != text:
                    w.setPlainText(text)
            else:
                text = shown_text(self.spec, value)
                w.setText(text)
                w.setCursorPosition(0)
                w.setToolTip(ui_text.display(text, 1000) if len(text) > 40 else "")
        finally:
            w.blockSignals(False)
            self._show_hidden(value if isinstance(value, str) else shown_text(self.spec, value))

    def _show_hidden(self, text: str) -> None:
        """Name the invisible characters of the text under the input (or hide the note)."""
        if not has_hidden(text):
            if not self.hidden.isHidden():
                self.hidden.clear()
                self.hidden.setToolTip("")
                self.hidden.hide()
            return
        self.hidden.setText(HIDDEN_PREFIX + ui_text.shorten(reveal(ui_text.shorten(text, 2000)), 400))
        lines = describe_hidden(text[:EDIT_LIMIT])
        more = f"\n… and {len(lines) - 20:,} more" if len(lines) > 20 else ""
        self.hidden.setToolTip("\n".join(lines[:20]) + more)
        self.hidden.show()

    def hidden_text(self) -> str:
        """The invisible-characters note shown under the input, if any."""
        return self.hidden.text() if not self.hidden.isHidden() else ""

    def raw(self) -> Any:
        """What the user typed or chose."""
        w = self.input
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            if w.isEditable():
                return w.currentText()
            return w.currentData()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        return w.text()

    def set_raw(self, value: Any) -> None:
        """Type a value as the user would (without committing)."""
        w = self.input
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            index = w.findData(value)
            if index >= 0:
                w.setCurrentIndex(index)
            else:
                w.setEditText(str(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value))
        else:
            w.setText(str(value))

    def check(self) -> tuple[bool, Any]:
        """Validate the input: (True, clean value) or (False, None) with the message shown."""
        try:
            value = clean_value(self.spec, self.raw(), self.vocab)
        except ValidationError as exc:
            self.show_error(exc.reason)
            return False, None
        self.clear_error()
        return True, value

    def changed(self, clean: Any) -> bool:
        """True when a clean value differs from the one shown."""
        shown = self._shown
        if self.spec.type in ("text", "longtext") and shown is None:
            shown = ""
        if self.spec.type == "list" and shown is None:
            shown = []
        if self.spec.type == "bool":
            shown = bool(shown)
        if shown == "" and clean is None:
            return False
        return clean != shown

    def _commit(self) -> None:
        if self._too_long:
            return
        ok, clean = self.check()
        if ok and self.changed(clean):
            self.committed.emit(self.spec.name, self.raw())

    def commit(self) -> None:
        """Finish editing as if the user left the field (validate, then report a change)."""
        self._commit()

    # --- messages ------------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        """Show why the value was refused, under the field."""
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setText(ui_text.plain(message, 300))
        self.error.show()
        self.input.setStyleSheet(INVALID_STYLE)

    def _recheck(self, *_: Any) -> None:
        if self._too_long or not self.error_text() or self.input.styleSheet() != INVALID_STYLE:
            return
        try:
            clean_value(self.spec, self.raw(), self.vocab)
        except ValidationError:
            return
        self.clear_error()

    def clear_error(self) -> None:
        """Hide the message."""
        if self.error.text():
            self.error.clear()
            self.error.hide()
            self.error.setStyleSheet(ERROR_STYLE)
            self.input.setStyleSheet("")

    def error_text(self) -> str:
        """The message shown, if any."""
        return self.error.text() if not self.error.isHidden() else ""
