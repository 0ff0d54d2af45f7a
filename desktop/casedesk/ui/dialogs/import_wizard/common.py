"""Helpers the import wizard's pages share: short previews, fitted table views, child field labels"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTableView,
)

_Index = QModelIndex | QPersistentModelIndex


_CHILD_LABELS = {
    "aliases": "Aliases (; separated)",
    "identifiers": "Identifiers (SCHEME:VALUE; …)",
    "addresses": "Addresses",
}


_SHOWN = 300  # characters of a cell shown in a table


def _short(text: str) -> str:
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _fit_columns(view: QTableView, widest: int = 320) -> None:
    """Size columns to their contents, none wider than `widest` pixels."""
    view.resizeColumnsToContents()
    for col in range(view.model().columnCount()):
        view.setColumnWidth(col, min(view.columnWidth(col), widest))


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view
