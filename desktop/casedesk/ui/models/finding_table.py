"""The findings table: a model holding finding ids and cached rows, and a status/severity proxy."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from casedesk.services.analysis.rules.registry import rule_title
from casedesk.services.findings import finding_sort_key, severity_rank
from casedesk.ui.models.records import EXPORT_ROLE  # the whole cell text, for copy and CSV

_Index = QModelIndex | QPersistentModelIndex

FINDING_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEVERITY_RANK_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3

# Colours with enough contrast on a light background; severity is also spelled out in the cell.
SEVERITY_COLOURS = {"critical": "#b00020", "high": "#d35400", "medium": "#b7950b", "low": "#2e86c1",
                    "info": "#7f8c8d"}
STATUS_LABELS = {"open": "Open", "confirmed": "Confirmed", "dismissed": "Dismissed",
                 "resolved": "Resolved (no longer holds)"}


class FindingTableModel(QAbstractTableModel):
    """One row per finding: ids plus cached display data, updated with precise change signals."""

    COLUMNS = ("Severity", "Status", "Finding", "Red flag")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._ids: list[int] = []
        self._rows: dict[int, dict[str, Any]] = {}
        self._keys: dict[int, tuple[Any, ...]] = {}  # sort keys, computed once per row version

    # --- content ---

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Show another case's findings (a reset: nothing of the old list survives)."""
        self.beginResetModel()
        self._ids = [r["id"] for r in rows]
        self._rows = {r["id"]: dict(r) for r in rows}
        self._keys.clear()
        self.endResetModel()

    def update_rows(self, rows: list[dict[str, Any]]) -> None:
        """Bring the rows up to date: remove, change and append only what differs."""
        new = {r["id"]: dict(r) for r in rows}
        for pos in range(len(self._ids) - 1, -1, -1):
            fid = self._ids[pos]
            if fid not in new:
                self.beginRemoveRows(QModelIndex(), pos, pos)
                del self._ids[pos]
                del self._rows[fid]
                self._keys.pop(fid, None)
                self.endRemoveRows()
        last = len(self.COLUMNS) - 1
        for pos, fid in enumerate(self._ids):
            if self._rows[fid] != new[fid]:
                self._rows[fid] = new[fid]
                self._keys.pop(fid, None)
                self.dataChanged.emit(self.index(pos, 0), self.index(pos, last))
        added = [r["id"] for r in rows if r["id"] not in self._rows]
        if added:
            start = len(self._ids)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            for fid in added:
                self._ids.append(fid)
                self._rows[fid] = new[fid]
            self.endInsertRows()

    def update_row(self, finding: dict[str, Any]) -> None:
        """Replace one finding's cached row (appended if it is new)."""
        pos = self.row_of(finding["id"])
        if pos is None:
            self.beginInsertRows(QModelIndex(), len(self._ids), len(self._ids))
            self._ids.append(finding["id"])
            self._rows[finding["id"]] = dict(finding)
            self.endInsertRows()
            return
        self._rows[finding["id"]] = dict(finding)
        self._keys.pop(finding["id"], None)
        self.dataChanged.emit(self.index(pos, 0), self.index(pos, len(self.COLUMNS) - 1))

    def finding(self, row: int) -> dict[str, Any]:
        """The cached finding shown in a row."""
        return self._rows[self._ids[row]]

    def sort_key(self, row: int) -> tuple[Any, ...]:
        """The order of a row: most severe first, then most controlled compute touched."""
        fid = self._ids[row]
        key = self._keys.get(fid)
        if key is None:
            key = self._keys[fid] = finding_sort_key(self._rows[fid])
        return key

    def row_of(self, finding_id: int) -> int | None:
        """The row showing a finding, or None."""
        if finding_id not in self._rows:
            return None
        return self._ids.index(finding_id)

    def statuses(self) -> dict[str, int]:
        """How many findings have each status."""
        out: dict[str, int] = {}
        for r in self._rows.values():
            out[r["status"]] = out.get(r["status"], 0) + 1
        return out

    # --- Qt model interface ---

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        row = self._rows[self._ids[index.row()]]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, EXPORT_ROLE):
            value = (row["severity"].capitalize(), STATUS_LABELS.get(row["status"], row["status"]),
                     row["title"], rule_title(row["rule"]))[col]
            return value if len(value) <= 300 or role == EXPORT_ROLE else value[:300] + "…"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.get("explanation") or row["title"]
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QColor(SEVERITY_COLOURS.get(row["severity"], "#000000"))
        if role == FINDING_ID_ROLE:
            return row["id"]
        if role == SEVERITY_RANK_ROLE:
            return severity_rank(row["severity"])
        if role == STATUS_ROLE:
            return row["status"]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None


class FindingFilterProxyModel(QSortFilterProxyModel):
    """Shows findings whose status is in a set, most severe first, then by controlled compute touched."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._statuses: frozenset[str] | None = None
        self.setDynamicSortFilter(True)

    def set_statuses(self, statuses: frozenset[str] | None) -> None:
        """Show only these statuses (None: all)."""
        self.beginFilterChange()
        self._statuses = statuses
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        if self._statuses is None:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        return index.data(STATUS_ROLE) in self._statuses

    def lessThan(self, left: _Index, right: _Index) -> bool:  # noqa: N802
        # Severity, then the controlled compute a finding touches (services.findings.finding_sort_key).
        model = self.sourceModel()
        return model.sort_key(left.row()) < model.sort_key(right.row())
