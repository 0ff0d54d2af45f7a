"""Row builders of the inspector's sections: a titled box, a clickable row, an entry form, inputs.

A mixin: the widget using it provides `_sections` (the parent widget) and `_sections_layout`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.invisible import reveal
from casedesk.ui import text as ui_text
from casedesk.ui.widgets.text_fit import ElidedButton, ElidedLabel


class InspectorRows:
    """Builds the widgets the inspector's sections are made of (plain text, never markup)."""

    _sections: QWidget
    _sections_layout: QVBoxLayout

    def _clear_sections(self) -> None:
        while self._sections_layout.count():
            item = self._sections_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _section(self, title: str) -> tuple[QGroupBox, QVBoxLayout]:
        box = QGroupBox(title, self._sections)
        box.setObjectName("section_" + title.split(" (")[0].lower().replace(" ", "_"))
        lay = QVBoxLayout(box)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(3)
        self._sections_layout.addWidget(box)
        return box, lay

    def _row(self, text: str, row_icon: Any = None, *, on_click: Callable | None = None,
             on_remove: Callable | None = None, remove_tip: str = "Remove", detail: str = "") -> QWidget:
        row = QWidget(self._sections)
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        if row_icon is not None:
            pic = QLabel(row)
            pic.setPixmap(row_icon.pixmap(QSize(16, 16)))
            lay.addWidget(pic)
        shown = ui_text.display(reveal(text[:1000]), 200)
        if on_click is not None:
            button = ElidedButton(shown, row)  # ends in "…" when the dock is narrow; whole in the tooltip
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setStyleSheet("QPushButton { text-align: left; color: #1A57B6; padding: 1px 2px; }")
            button.clicked.connect(on_click)
            button.setToolTip(ui_text.display(text, 1000))
            lay.addWidget(button, 1)
        else:
            label = ElidedLabel(shown, row)
            label.setToolTip(ui_text.display(text, 1000))
            lay.addWidget(label, 1)
        if detail:
            extra = QLabel(ui_text.display(detail, 60), row)
            extra.setStyleSheet("color: #5F6368;")
            lay.addWidget(extra)
        if on_remove is not None:
            remove = QToolButton(row)
            remove.setText("✕")
            remove.setToolTip(remove_tip)
            remove.setAutoRaise(True)
            remove.clicked.connect(on_remove)
            lay.addWidget(remove)
        return row

    def _add_row(self, parent: QWidget, first: QWidget, *rest: QWidget) -> tuple[QWidget, QPushButton]:
        """An entry form: the main input on its own line, the choices and the button under it."""
        row = QWidget(parent)
        outer = QVBoxLayout(row)
        outer.setContentsMargins(0, 2, 0, 0)
        outer.setSpacing(3)
        outer.addWidget(first)
        line = QHBoxLayout()
        line.setSpacing(4)
        for w in rest:
            line.addWidget(w, 1)
        button = QPushButton("Add", row)
        line.addWidget(button, 0)
        outer.addLayout(line)
        return row, button

    def _combo(self, parent: QWidget, items: list[tuple[str, Any]], name: str) -> QComboBox:
        combo = QComboBox(parent)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def _line(self, parent: QWidget, placeholder: str, name: str) -> QLineEdit:
        line = QLineEdit(parent)
        line.setPlaceholderText(placeholder)
        line.setObjectName(name)
        return line
