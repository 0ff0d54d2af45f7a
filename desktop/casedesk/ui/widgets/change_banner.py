"""A strip that says someone else changed what is shown, with a Reload button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from casedesk.ui import text as ui_text


class ChangeBanner(QFrame):
    """Hidden until `show_change`; Reload emits `reload_requested` and hides it."""

    reload_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("change_banner")
        self.setStyleSheet("#change_banner { background: #FFF4E5; border: 1px solid #F0C36D; border-radius: 3px; }")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # names and fields are user data
        self.label.setWordWrap(True)
        self.reload_button = QPushButton("Reload", self)
        self.reload_button.setObjectName("change_banner_reload")
        self.reload_button.clicked.connect(self._reload)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_change(self, text: str, *, offer_reload: bool) -> None:
        """Say what changed; offer Reload when the view was kept as it was."""
        self.label.setText(ui_text.plain(text, 400))
        self.reload_button.setVisible(offer_reload)
        self.show()

    def _reload(self) -> None:
        self.hide()
        self.reload_requested.emit()
