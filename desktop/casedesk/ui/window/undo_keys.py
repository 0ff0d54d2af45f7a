"""Ctrl+Z / Ctrl+Shift+Z reach the window's undo stack while a text field has focus but nothing of its own to undo."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTextEdit


def _own_history(widget: QObject, redo: bool) -> bool | None:
    """Whether a text widget can undo (redo) typing of its own; None for widgets that are not text fields."""
    if isinstance(widget, QLineEdit):
        return widget.isRedoAvailable() if redo else widget.isUndoAvailable()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        doc = widget.document()
        return doc.isRedoAvailable() if redo else doc.isUndoAvailable()
    if isinstance(widget, QAbstractSpinBox):
        return False
    return None


class UndoKeyFilter(QObject):
    """A text field takes the undo keys only while it has typing to undo; otherwise the case's last step is undone.

    Qt gives a focused QLineEdit every Ctrl+Z (ShortcutOverride), so without this Ctrl+Z did nothing
    once a field in the inspector had focus — the keys investigators press most.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            redo = event.matches(QKeySequence.StandardKey.Redo)
            if redo or event.matches(QKeySequence.StandardKey.Undo):
                own = _own_history(watched, redo)
                if own is False:
                    event.ignore()  # not taken by the field: the window's Undo/Redo shortcut fires
                    return True
        return False
