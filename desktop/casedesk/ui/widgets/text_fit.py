"""Texts that are never cut off silently: labels that wrap and grow, one-line texts that end in "…".

Qt lays a word-wrapped QLabel out at the height its preferred width needs, not the width it gets,
so in a form or a dialog its last lines are cut off (the New party message, the Export dialog's
redaction note, the inspector's field names). WrapLabel asks for the height its real width needs.
A QPushButton or QLabel narrower than its text clips it mid-letter; the elided ones end in "…"
and keep the whole text in the tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget


class WrapLabel(QLabel):
    """A word-wrapped label whose minimum height follows its width, so no layout cuts a line off."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        if not self.isVisible():
            return  # a hidden label's width is stale (100 px before its first show): fit once shown
        held = self.minimumHeight()
        if held:  # QLabel's heightForWidth never answers below the minimum height: ask without it
            self.setMinimumHeight(0)
        need = max(self.heightForWidth(self.width()), 0) if self.text() else 0
        if need:
            self.setMinimumHeight(need)  # the layout (and a dialog) grows to show every line
        elif held:
            self.updateGeometry()


def _elide(widget: QWidget, text: str, room: int) -> str:
    return widget.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(room, 0))


class _Elides:
    """The part an elided label and an elided button share: keep the whole text, show what fits."""

    _full: str
    _PADDING = 2  # pixels the widget's style keeps beside the text

    def setText(self, text: str) -> None:  # noqa: N802
        self._full = text
        self._show()

    def text(self) -> str:
        return self._full

    def is_elided(self) -> bool:
        """True when the text shown is shorter than the whole text."""
        return super().text() != self._full  # type: ignore[misc]

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)  # type: ignore[misc]
        self._show()

    def _show(self) -> None:
        room = self.contentsRect().width() - self._PADDING  # type: ignore[attr-defined]
        super().setText(_elide(self, self._full, room))  # type: ignore[misc, arg-type]


class ElidedLabel(_Elides, QLabel):
    """A one-line label that ends in "…" when narrower than its text; text() is the whole text."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        QLabel.__init__(self, parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height())


class ElidedButton(_Elides, QPushButton):
    """A button whose text ends in "…" when narrower than it; text() is the whole text."""

    _PADDING = 10  # the style's text padding (2 px in the rows' style sheet)

    def __init__(self, text: str = "", parent: QWidget | None = None, **kwargs: Any):
        QPushButton.__init__(self, parent, **kwargs)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setText(text)
