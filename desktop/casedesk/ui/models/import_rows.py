"""The rows of a file as the import wizard previews them: valid rows or rejected rows with reasons"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from casedesk.ui.dialogs.import_wizard.common import _Index, _short


class RowsModel(QAbstractTableModel):
    """A read-only table of cached text rows (previews hold at most a few hundred)."""

    def __init__(self, headers: list[str] | None = None, parent: Any = None):
        super().__init__(parent)
        self._headers = headers or []
        self._rows: list[list[str]] = []

    def set_rows(self, headers: list[str], rows: list[list[str]]) -> None:
        """Replace headers and rows."""
        self.beginResetModel()
        self._headers, self._rows = headers, rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        text = row[index.column()] if index.column() < len(row) else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return _short(text)
        if role == Qt.ItemDataRole.ToolTipRole and len(text) > 40:
            return text[:2000]
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else None
        return None

    def cell(self, row: int, column: int) -> str:
        """The full text of a cell."""
        return self._rows[row][column]
