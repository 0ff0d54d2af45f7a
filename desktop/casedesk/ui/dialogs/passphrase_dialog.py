"""Asks for a workspace passphrase (not echoed): twice when encrypting, once when decrypting."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.ui import text as ui_text


class PassphraseDialog(QDialog):
    """Emits passphrase_given(text) on OK once the passphrase is usable (and typed the same twice)."""

    passphrase_given = Signal(str)

    def __init__(self, parent: QWidget | None, *, title: str, intro: str, confirm: bool):
        super().__init__(parent)
        self.setObjectName("passphrase_dialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.confirm = confirm
        self.intro = QLabel(ui_text.plain(intro, 800), self)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)  # it names a path
        self.intro.setWordWrap(True)
        self.first = QLineEdit(self)
        self.first.setObjectName("passphrase_first")
        self.second = QLineEdit(self)
        self.second.setObjectName("passphrase_second")
        for field in (self.first, self.second):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.textChanged.connect(lambda _=None: self.error.hide())
        form = QFormLayout()
        form.addRow("Passphrase", self.first)
        if confirm:
            form.addRow("Again, to confirm", self.second)
        else:
            self.second.hide()
        self.error = QLabel(self)
        self.error.setObjectName("passphrase_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.intro)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(buttons)

    def say(self, message: str) -> None:
        """Show why the passphrase was not taken (the dialog stays open for another try)."""
        self.error.setText(ui_text.plain(message, 300))
        self.error.show()

    def try_accept(self) -> bool:
        """Accept and emit when the passphrase can be used; else say why and stay open."""
        text = self.first.text()
        if not text:
            self.say("Type a passphrase.")
        elif "\x00" in text:
            self.say("The passphrase contains a NUL character, which SQLCipher cannot take.")
        elif self.confirm and text != self.second.text():
            self.say("The two passphrases differ: type the same one twice.")
            self.second.clear()
            self.second.setFocus()
        else:
            self.accept()
            self.passphrase_given.emit(text)
            return True
        return False
