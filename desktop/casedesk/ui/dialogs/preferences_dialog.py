"""Edit › Preferences: who you are (the audit's name on SQLite, the dossier's author) and for whom."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.storage.preferences import MAX_NAME, Preferences, load_preferences, save_preferences
from casedesk.ui.widgets.text_fit import WrapLabel


class PreferencesDialog(QDialog):
    """Name and organisation, saved for the window and the command line alike."""

    def __init__(self, database_user: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(460)
        prefs = load_preferences()
        self.name = QLineEdit(prefs.name)
        self.name.setObjectName("preferences_name")
        self.name.setMaxLength(MAX_NAME)
        self.name.setPlaceholderText(prefs.actor())
        self.organisation = QLineEdit(prefs.organisation)
        self.organisation.setObjectName("preferences_organisation")
        self.organisation.setMaxLength(MAX_NAME)
        note = WrapLabel("Your name is what the audit log records for your changes to a workspace file, and "
                      "the author on dossiers; the organisation goes beside it.")
        if database_user is not None:
            note.setText(note.text() + f" On this team server the audit records the database user "
                                       f"({database_user}) instead.")
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        self.error = WrapLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Your name", self.name)
        form.addRow("Organisation", self.organisation)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.saved: Preferences | None = None

    def save(self) -> None:
        """Save and close; a folder that cannot be written is said here."""
        prefs = Preferences(self.name.text(), self.organisation.text())
        try:
            save_preferences(prefs)
        except CaseDeskError as exc:
            self.error.setText(str(exc))
            return
        self.saved = load_preferences()
        self.accept()
