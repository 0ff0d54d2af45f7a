"""A screening list's entry in full, in its own window (a hit's "Open the list entry")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from casedesk.ui import text as ui_text


class ListEntryDialog(QDialog):
    """Read-only: the entry's names, identifiers, countries, programs and remarks (html already escaped)."""

    def __init__(self, name: str, body_html: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("list_entry_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"List entry: {ui_text.plain(name, 80)}")
        self.body = QTextBrowser(self)
        self.body.setOpenLinks(False)  # list remarks are data: no link in them is followed
        self.body.setHtml(body_html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)
