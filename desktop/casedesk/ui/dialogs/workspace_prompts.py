"""The questions asked before a workspace opens: create a missing file? the passphrase?"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from casedesk.ui import text as ui_text


def ask_to_create(parent: QWidget | None, path: str) -> bool:
    """Ask whether to create a new, empty workspace where none exists; True for yes."""
    answer = QMessageBox.question(
        parent, "New workspace",
        f"There is no workspace at\n{ui_text.plain(path, 300)}\n\nCreate a new, empty workspace there?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_passphrase(parent: QWidget | None, path: str, *, wrong: bool) -> str | None:
    """Ask for an encrypted workspace's passphrase (not echoed); None when the user cancels."""
    why = ("That passphrase does not open this workspace; try again." if wrong
           else "This workspace is encrypted.")
    text, ok = QInputDialog.getText(parent, "Encrypted workspace",
                                    f"{why}\n{ui_text.plain(path, 300)}\n\nPassphrase:",
                                    QLineEdit.EchoMode.Password)
    return text if ok and text else None
