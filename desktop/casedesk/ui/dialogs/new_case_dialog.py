"""New case: a title and the case's properties (reference, client, classification marking)"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.case_properties import case_properties
from casedesk.ui.widgets.text_fit import WrapLabel


class NewCaseDialog(QDialog):
    """Asks for the title and the properties; emits case_requested(title, properties) on Create."""

    case_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("new_case_dialog")
        self.setWindowTitle("New case")
        self.setMinimumWidth(460)
        self.title = QLineEdit(self)
        self.title.setObjectName("new_case_title")
        self.title.setPlaceholderText("What the investigation is about")
        form = QFormLayout()
        form.addRow("Title*", self.title)
        self.fields: dict[str, Any] = {}
        for prop in case_properties():
            if prop.suggestions:
                editor: Any = QComboBox(self)
                editor.setEditable(True)
                editor.addItems(list(prop.suggestions))
                editor.setCurrentText("")
                editor.lineEdit().setPlaceholderText(prop.description)
                editor.lineEdit().setMaxLength(prop.limit)
            else:
                editor = QLineEdit(self)
                editor.setPlaceholderText(prop.description)
                editor.setMaxLength(prop.limit)
            editor.setObjectName(f"new_case_{prop.name}")
            editor.setToolTip(prop.description)
            form.addRow(prop.label, editor)
            self.fields[prop.name] = editor
        self.error = WrapLabel("", self)
        self.error.setObjectName("new_case_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create case")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.title.textChanged.connect(lambda _t: self.error.hide())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def properties(self) -> dict[str, str]:
        """The properties typed (blank ones included: the service drops them)."""
        return {name: (w.currentText() if isinstance(w, QComboBox) else w.text())
                for name, w in self.fields.items()}

    def accept(self) -> None:
        title = self.title.text().strip()
        if not title:
            self.error.setText("A case needs a title.")
            self.error.show()
            self.title.setFocus()
            return
        super().accept()
        self.case_requested.emit(title, self.properties())
