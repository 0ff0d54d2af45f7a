"""Table model of screening hits: plain hit dicts (ids and display values), never ORM objects."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from casedesk.ui.models.records import EXPORT_ROLE  # the whole cell text, for copy and CSV

_Index = QModelIndex | QPersistentModelIndex

HIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3  # numbers sort as numbers ("100.0" < "86.0" as text)


class HitTableModel(QAbstractTableModel):
    """Rows of hits (score, status, record, list entry, list, rule)."""

    COLUMNS = (("score", "Score"), ("status", "Status"), ("record_label", "Record"),
               ("entry_name", "List entry"), ("program", "Program"), ("list", "List"),
               ("rule", "Why"))

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def set_hits(self, hits: list[dict[str, Any]]) -> None:
        """Replace every row (a new case or a new screening run)."""
        self.beginResetModel()
        self._rows = list(hits)
        self.endResetModel()

    def update_hit(self, hit: dict[str, Any]) -> None:
        """Refresh one row after a decision (precise dataChanged, no reset)."""
        for row, old in enumerate(self._rows):
            if old["hit_id"] == hit["hit_id"]:
                self._rows[row] = {**old, **hit, "record_label": old.get("record_label", "")}
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
                return

    def hit(self, row: int) -> dict[str, Any]:
        """The hit shown in a row."""
        return self._rows[row]

    def row_of(self, hit_id: int) -> int:
        """The row showing a hit, or -1."""
        return next((i for i, h in enumerate(self._rows) if h["hit_id"] == hit_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        hit = self._rows[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role == HIT_ID_ROLE:
            return hit["hit_id"]
        if role == RECORD_ID_ROLE:
            return hit["record_id"]
        if role == SORT_ROLE:
            return float(hit["score"]) if key == "score" else str(hit.get(key, "") or "").casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "score":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:  # a name column's whole text (it may be cut), else the why
            if key in ("record_label", "entry_name", "program", "list") and hit.get(key):
                return str(hit[key])[:2000]
            return hit.get("explanation", "")[:2000]
        if role not in (Qt.ItemDataRole.DisplayRole, EXPORT_ROLE):
            return None
        if key == "score":
            return f"{hit['score']:.1f}"
        if key == "rule":
            names = [f for f in hit.get("features", []) if f.get("feature") == "name"]
            other = [f["feature"] for f in hit.get("features", []) if f.get("feature") != "name"]
            return "; ".join(([names[0]["rule"]] if names else []) + other)
        text = str(hit.get(key, "") or "")
        return text if len(text) <= 200 or role == EXPORT_ROLE else text[:200] + "…"

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section][1]
        return None
