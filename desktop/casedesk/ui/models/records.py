"""The record table of one kind: ids and cached rows, fetched in pages as the view scrolls.

Rows come in id order, page by page (canFetchMore/fetchMore). Sorting and filtering happen in
RecordFilterProxyModel, which first fetches the rest so that it sorts and filters every record,
not only those already shown. Changes arrive as ChangeSets and become precise row signals.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from casedesk.services.fields import KIND_FIELDS, FieldSpec
from casedesk.services.tables import record_rows, table_columns
from casedesk.storage.workspace import ChangeSet, Workspace
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_icon

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
PAGE = 256

_COMMON = {"tags": FieldSpec("tags", "Tags", "list")}


def format_value(spec: FieldSpec | None, value: Any, vocab: Any) -> str:
    """A stored field value as a table shows it (labels for codes, yes/blank for booleans)."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    if spec is not None and spec.type == "choice" and spec.choices and vocab is not None:
        terms = getattr(vocab, spec.choices, {})
        term = terms.get(value) if hasattr(terms, "get") else None
        if term is not None:
            return term.label
    return str(value)


class RecordTableModel(QAbstractTableModel):
    """Rows of one record kind of the current case (id, label, the kind's fields)."""

    def __init__(self, kind: str, workspace: Callable[[], Workspace], vocab: Any, parent: Any = None):
        super().__init__(parent)
        self.kind = kind
        self._ws = workspace
        self._vocab = vocab
        self._fields = table_columns(kind)
        specs = {s.name: s for s in KIND_FIELDS[kind]} | _COMMON
        self._specs = [specs.get(n) for n in self._fields]
        self._headers = ["Id", "Label"] + [s.label if s else n for s, n in zip(self._specs, self._fields)]
        self._case_id: int | None = None
        self._ids: list[int] = []
        self._rows: dict[int, dict[str, Any]] = {}
        self._exhausted = True
        self._fetching = False

    # --- loading -------------------------------------------------------------------------------
    def load(self, case_id: int | None) -> None:
        """Show another case (a blanket reset: everything changes)."""
        self.beginResetModel()
        self._case_id = case_id
        self._ids, self._rows = [], {}
        self._exhausted = case_id is None
        self.endResetModel()
        if case_id is not None:
            self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._exhausted or self._case_id is None or self._fetching:
            return
        self._append(self._fetch(after_id=self._ids[-1] if self._ids else None, limit=PAGE), PAGE)

    def fetch_all(self) -> None:
        """Fetch every remaining row (before sorting or filtering everything)."""
        if not self._exhausted and self._case_id is not None and not self._fetching:
            self._append(self._fetch(after_id=self._ids[-1] if self._ids else None), None)

    def ensure_row(self, record_id: int) -> int | None:
        """The row of a record, fetching pages up to it if needed; None if not of this table."""
        if record_id not in self._rows and not self._exhausted and not self._fetching and self._ids \
                and record_id > self._ids[-1]:
            self._append(self._fetch(after_id=self._ids[-1], upto_id=record_id), None, keep_open=True)
        return self.row_of(record_id)

    def _fetch(self, **kw: Any) -> list[dict[str, Any]]:
        with self._ws().read() as s:
            return record_rows(s, self._case_id, self.kind, **kw)

    def _append(self, rows: list[dict[str, Any]], page: int | None, keep_open: bool = False) -> None:
        if not keep_open and (page is None or len(rows) < page):
            self._exhausted = True
        if rows:
            first = len(self._ids)
            self._fetching = True  # a fetchMore from inside our rowsInserted waits for the next turn
            try:
                self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
                for r in rows:
                    self._ids.append(r["id"])
                    self._rows[r["id"]] = r
                self.endInsertRows()
            finally:
                self._fetching = False

    # --- access ------------------------------------------------------------------------------
    def record_id(self, row: int) -> int:
        """The record shown in a row."""
        return self._ids[row]

    def row_of(self, record_id: int) -> int | None:
        """The row showing a record (if fetched)."""
        i = bisect.bisect_left(self._ids, record_id)
        return i if i < len(self._ids) and self._ids[i] == record_id else None

    def fetched(self) -> int:
        """How many rows are fetched so far."""
        return len(self._ids)

    # --- changes ------------------------------------------------------------------------------
    def apply(self, changes: ChangeSet) -> None:
        """Follow a ChangeSet: insert created rows, refresh updated ones, remove deleted ones."""
        if self._case_id is None or self._fetching:
            return
        self._fetching = True
        try:
            self._apply(changes)
        finally:
            self._fetching = False

    def _apply(self, changes: ChangeSet) -> None:
        for rid in sorted(changes.ids("deleted", "record"), reverse=True):
            row = self.row_of(rid)
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._ids[row]
                del self._rows[rid]
                self.endRemoveRows()
        touched = changes.ids("created", "record") | changes.ids("updated", "record")
        if not touched:
            return
        last = self._ids[-1] if self._ids else None
        # Rows beyond the fetched range arrive with a later page; only fetched ones matter now.
        wanted = [r for r in touched if self._exhausted or last is None or r <= last]
        if not wanted:
            return
        fresh = {r["id"]: r for r in self._fetch(ids=wanted)}
        for rid in sorted(wanted):
            row = self.row_of(rid)
            if rid in fresh and row is not None:
                self._rows[rid] = fresh[rid]
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
            elif rid in fresh:
                pos = bisect.bisect_left(self._ids, rid)
                self.beginInsertRows(QModelIndex(), pos, pos)
                self._ids.insert(pos, rid)
                self._rows[rid] = fresh[rid]
                self.endInsertRows()

    # --- Qt --------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def _raw(self, row: dict[str, Any], column: int) -> Any:
        if column == 0:
            return row["id"]
        if column == 1:
            return row["label"]
        return row["fields"].get(self._fields[column - 2])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        row = self._rows[self._ids[index.row()]]
        column = index.column()
        if role == ID_ROLE:
            return row["id"]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._raw(row, column)
            if column == 0:
                return str(value)
            spec = self._specs[column - 2] if column >= 2 else None
            limit = 200 if role == Qt.ItemDataRole.DisplayRole else 1000
            return ui_text.display(format_value(spec, value, self._vocab), limit)
        if role == SORT_ROLE:
            value = self._raw(row, column)
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, (int, float)):
                return value
            return ui_text.shorten(format_value(None, value, None), 200).casefold()
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return kind_icon(self.kind, row.get("subkind"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None


class RecordFilterProxyModel(QSortFilterProxyModel):
    """Sorts and filters a record table on every column; fetches the whole table first."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def _source(self) -> RecordTableModel:
        return self.sourceModel()  # type: ignore[return-value]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column >= 0 and self.sourceModel() is not None:
            self._source().fetch_all()
        super().sort(column, order)

    def set_filter_text(self, text: str) -> None:
        """Show only rows with the text in any column (any case)."""
        if text and self.sourceModel() is not None:
            self._source().fetch_all()
        self.setFilterFixedString(text)
