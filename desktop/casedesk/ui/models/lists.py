"""Table models for the bottom tabs and the search box: audit log, findings, timeline items, search hits."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from casedesk.services.findings import list_findings
from casedesk.services.search import SearchHit
from casedesk.services.table_rows import audit_rows
from casedesk.services.timeline import TimelineItem
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_icon
from casedesk.ui.models.keyed import KeyedListModel
from casedesk.ui.models.records import EXPORT_ROLE
from casedesk.ui.operations.core import Operations

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 4  # the whole row object

SEVERITY_COLOURS = {"critical": "#B71C1C", "high": "#D84315", "medium": "#F9A825", "low": "#558B2F",
                    "info": "#546E7A"}


class AuditLogModel(QAbstractTableModel):
    """The open case's audit entries, newest first; older pages on scroll, new entries on top."""

    headers = ("When", "Who", "Action", "What", "Details")
    PAGE = 200

    def __init__(self, ops: Operations, parent: Any = None):
        super().__init__(parent)
        self._ops = ops
        self._case_id: int | None = None
        self._rows: list[dict[str, Any]] = []
        self._exhausted = True
        self._fetching = False

    def case_id(self) -> int | None:
        """The case whose log is shown."""
        return self._case_id

    def load(self, case_id: int | None) -> None:
        """Show another case's log (a blanket reset)."""
        self.beginResetModel()
        self._case_id, self._rows, self._exhausted = case_id, [], case_id is None
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._exhausted or self._case_id is None or self._fetching:
            return
        with self._ops.reading() as s:
            rows = audit_rows(s, self._case_id, before_id=self._rows[-1]["id"] if self._rows else None,
                              limit=self.PAGE)
        self._exhausted = len(rows) < self.PAGE
        if rows:
            first = len(self._rows)
            self._fetching = True
            try:
                self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
                self._rows.extend(rows)
                self.endInsertRows()
            finally:
                self._fetching = False

    def refresh(self) -> None:
        """Put entries written since the last look on top."""
        if self._case_id is None:
            return
        newest = self._rows[0]["id"] if self._rows else 0
        with self._ops.reading() as s:
            rows = audit_rows(s, self._case_id, after_id=newest, limit=100_000)
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows[0:0] = rows
            self.endInsertRows()

    def entry(self, row: int) -> dict[str, Any]:
        """The entry shown in a row."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r = self._rows[index.row()]
        if role == ID_ROLE:
            return r["id"]
        if role == ROW_ROLE:
            return r
        if role == EXPORT_ROLE:  # whole texts for copy and CSV: the summary is not cut
            col = index.column()
            if col == 1:
                return r["actor"] or ""
            if col == 4:
                return r["summary"] or ""
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == 0:
                return r["at"].replace("T", " ")[:19]
            if col == 1:
                return ui_text.display(r["actor"], 60)
            if col == 2:
                return r["action"]
            if col == 3:
                return f"{r['entity']} {r['entity_id']}" if r["entity_id"] is not None else r["entity"]
            return ui_text.display(r["summary"], 200 if role == Qt.ItemDataRole.DisplayRole else 1000)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None


class FindingListModel(KeyedListModel):
    """The open case's findings, most severe first (read-only)."""

    columns = ("Severity", "Finding", "Status", "Rule")

    def __init__(self, ops: Operations, parent: Any = None):
        super().__init__(parent)
        self._ops = ops
        self._case_id: int | None = None

    def key_of(self, row: dict[str, Any]) -> int:
        return row["id"]

    def load(self, case_id: int | None) -> None:
        """Show another case's findings (a reset)."""
        self._case_id = case_id
        self.reset_rows(self._read())

    def refresh(self) -> None:
        """Re-read the findings and apply the difference."""
        self.set_rows(self._read())

    def _read(self) -> list[dict[str, Any]]:
        if self._case_id is None:
            return []
        with self._ops.reading() as s:
            return list_findings(s, self._case_id)

    def row_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == ID_ROLE:
            return row["id"]
        if role == ROW_ROLE:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return row["severity"]
            if column == 1:
                return ui_text.display(row["title"], 200 if role == Qt.ItemDataRole.DisplayRole else 1000)
            if column == 2:
                return row["status"]
            return row["rule"]
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return QColor(SEVERITY_COLOURS.get(row["severity"], "#546E7A"))
        return None


class TimelineModel(KeyedListModel):
    """Timeline items of the open case (events, dated links, fleet dates, contract terms)."""

    columns = ("Date", "Until", "What", "Lane")

    def key_of(self, row: TimelineItem) -> str:
        return row.key

    def row_data(self, row: TimelineItem, column: int, role: int) -> Any:
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.start, row.end or "", ui_text.display(row.title, 200), ui_text.display(row.lane_label, 120))[column]
        return None


class SearchResultModel(KeyedListModel):
    """Records found by the type-ahead search, best first."""

    columns = ("Record",)

    def key_of(self, row: SearchHit) -> int:
        return row.record_id

    def row_data(self, row: SearchHit, column: int, role: int) -> Any:
        if role == ID_ROLE:
            return row.record_id
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            label = ui_text.display(row.label, 120)
            if row.matched != row.label:  # an alias, or the transfer a hash named
                return f"{label}  —  {ui_text.display(row.matched, 80)}"
            return label
        if role == Qt.ItemDataRole.ToolTipRole:
            return ui_text.display(row.label, 1000)
        if role == Qt.ItemDataRole.DecorationRole:
            return kind_icon(row.kind, row.party_kind)
        return None
