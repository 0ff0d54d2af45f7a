"""A list model whose rows carry keys, updated to a new list with precise insert/remove/move/change signals.

Small lists that are cheapest to re-read whole (findings, timeline items, search results) still
tell their views exactly which rows changed, so selections and scroll positions survive.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 100


class KeyedListModel(QAbstractTableModel):
    """Rows with keys; subclasses say how to show a row (columns, display, roles)."""

    columns: Sequence[str] = ()

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[Any] = []
        self._keys: list[Hashable] = []

    def key_of(self, row: Any) -> Hashable:
        """The stable key of a row (override)."""
        raise NotImplementedError

    def row_data(self, row: Any, column: int, role: int) -> Any:
        """What a cell shows for a role (override)."""
        raise NotImplementedError

    # --- access -----------------------------------------------------------------------------
    def rows(self) -> list[Any]:
        """The rows, in order."""
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        """The row object at a position."""
        return self._rows[row]

    def position_of(self, key: Hashable) -> int | None:
        """The row number holding a key, or None."""
        try:
            return self._keys.index(key)
        except ValueError:
            return None

    # --- update -------------------------------------------------------------------------------
    def set_rows(self, new_rows: Sequence[Any]) -> None:
        """Become `new_rows`, emitting the removals, moves, insertions and changes that takes."""
        new_keys = [self.key_of(r) for r in new_rows]
        wanted = set(new_keys)
        # 1. removals, bottom-up in runs
        i = len(self._keys) - 1
        while i >= 0:
            if self._keys[i] in wanted:
                i -= 1
                continue
            end = i
            while i >= 0 and self._keys[i] not in wanted:
                i -= 1
            self.beginRemoveRows(QModelIndex(), i + 1, end)
            del self._keys[i + 1:end + 1]
            del self._rows[i + 1:end + 1]
            self.endRemoveRows()
        # 2. walk the new order: keep, move up, or insert
        where = {k: n for n, k in enumerate(self._keys)}
        for pos, (key, row) in enumerate(zip(new_keys, new_rows)):
            if pos < len(self._keys) and self._keys[pos] == key:
                if self._rows[pos] != row:
                    self._rows[pos] = row
                    self.dataChanged.emit(self.index(pos, 0), self.index(pos, max(0, self.columnCount() - 1)))
                continue
            if key in where:  # still here, further down (rows above pos are settled)
                src = self._keys.index(key, pos)
                self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), pos)
                self._keys.insert(pos, self._keys.pop(src))
                old_row = self._rows.pop(src)
                self._rows.insert(pos, row)
                self.endMoveRows()
                if old_row != row:
                    self.dataChanged.emit(self.index(pos, 0), self.index(pos, max(0, self.columnCount() - 1)))
                continue
            self.beginInsertRows(QModelIndex(), pos, pos)
            self._keys.insert(pos, key)
            self._rows.insert(pos, row)
            self.endInsertRows()

    def reset_rows(self, rows: Sequence[Any]) -> None:
        """Replace everything at once (a case switch)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._keys = [self.key_of(r) for r in rows]
        self.endResetModel()

    # --- Qt ---------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role == KEY_ROLE:
            return self._keys[index.row()]
        return self.row_data(self._rows[index.row()], index.column(), role)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section]
        return None
