"""The record table of one kind: ids and cached rows, exposed in pages as the view scrolls.

Rows come in id order, page by page (canFetchMore/fetchMore), their values read in batches when
shown. Sorting and filtering happen in RecordFilterProxyModel, which first exposes the rest so
that it sorts and filters every record, not only those already shown. Changes arrive as
ChangeSets and become precise row signals.
"""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from casedesk.services.fields import KIND_FIELDS, FieldSpec
from casedesk.services.table_rows import record_ids, record_rows, table_columns
from casedesk.storage.workspace import ChangeSet
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_icon
from casedesk.ui.operations.core import Operations

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
# The whole cell text, for copy and CSV export; a number no other table model uses for another role
# (the hits' and findings' models answer it too).
EXPORT_ROLE = Qt.ItemDataRole.UserRole + 50
PAGE = 256

_COMMON = {"tags": FieldSpec("tags", "Tags", "list"), "screening": FieldSpec("screening", "Screening", "text")}
_SCREENING_COLOURS = {"confirmed hit": QColor("#C62828"), "hit to review": QColor("#8D6E00")}


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
    """Rows of one record kind of the current case (id, label, the kind's fields).

    Holds the kind's record ids (one cheap query) and exposes them a page at a time
    (canFetchMore/fetchMore); row values are read in small batches only when a view asks for
    them, and kept in a cache that ChangeSets update.
    """

    def __init__(self, kind: str, ops: Operations, vocab: Any, parent: Any = None):
        super().__init__(parent)
        self.kind = kind
        self._ops = ops
        self._vocab = vocab
        self._fields = table_columns(kind)
        specs = {s.name: s for s in KIND_FIELDS[kind]} | _COMMON
        self._specs = [specs.get(n) for n in self._fields]
        self._headers = ["Id", "Label"] + [s.label if s else n for s, n in zip(self._specs, self._fields)]
        self._case_id: int | None = None
        self._all: list[int] = []  # every record id of the kind, ascending
        self._shown = 0  # rows exposed so far (a prefix of _all)
        self._cache: dict[int, dict[str, Any]] = {}
        self._fetching = False

    # --- loading -------------------------------------------------------------------------------
    def load(self, case_id: int | None) -> None:
        """Show another case (a blanket reset: everything changes)."""
        self.beginResetModel()
        self._case_id = case_id
        self._cache = {}
        if case_id is None:
            self._all = []
        else:
            with self._ops.reading() as s:
                self._all = record_ids(s, case_id, self.kind)
        self._shown = min(PAGE, len(self._all))
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not parent.isValid():
            self._show_up_to(self._shown + PAGE)

    def fetch_all(self) -> None:
        """Expose every row (before sorting or filtering everything)."""
        self._show_up_to(len(self._all))

    def _show_up_to(self, count: int) -> None:
        count = min(count, len(self._all))
        if count <= self._shown or self._fetching:
            return
        self._fetching = True  # a fetchMore from inside our rowsInserted waits for the next turn
        try:
            self.beginInsertRows(QModelIndex(), self._shown, count - 1)
            self._shown = count
            self.endInsertRows()
        finally:
            self._fetching = False

    def ensure_row(self, record_id: int) -> int | None:
        """The row of a record, exposing rows up to it if needed; None if not of this table."""
        i = bisect.bisect_left(self._all, record_id)
        if i >= len(self._all) or self._all[i] != record_id:
            return None
        if i >= self._shown:
            self._show_up_to(i + 1)
        return i if i < self._shown else None

    def _row(self, row: int) -> dict[str, Any]:
        rid = self._all[row]
        found = self._cache.get(rid)
        if found is None:
            # Read the rows a view is about to show together: this one and the next screenful.
            wanted = [r for r in self._all[max(0, row - 40):row + 160] if r not in self._cache]
            with self._ops.reading() as s:
                for r in record_rows(s, self._case_id, self.kind, ids=wanted):
                    self._cache[r["id"]] = r
            found = self._cache.get(rid) or {"id": rid, "label": "", "version": 0, "subkind": None, "fields": {}}
        return found

    # --- access ------------------------------------------------------------------------------
    def record_id(self, row: int) -> int:
        """The record shown in a row."""
        return self._all[row]

    def row_of(self, record_id: int) -> int | None:
        """The row showing a record (if exposed)."""
        i = bisect.bisect_left(self._all, record_id)
        return i if i < self._shown and self._all[i] == record_id else None

    def fetched(self) -> int:
        """How many rows are exposed so far."""
        return self._shown

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
            i = bisect.bisect_left(self._all, rid)
            if i < len(self._all) and self._all[i] == rid:
                self._cache.pop(rid, None)
                if i < self._shown:
                    self.beginRemoveRows(QModelIndex(), i, i)
                    del self._all[i]
                    self._shown -= 1
                    self.endRemoveRows()
                else:
                    del self._all[i]
        created = changes.ids("created", "record")
        updated = [r for r in changes.ids("updated", "record") if r in self._cache]
        if not created and not updated:
            return
        with self._ops.reading() as s:
            fresh = {r["id"]: r for r in record_rows(s, self._case_id, self.kind, ids=sorted(created | set(updated)))}
        for rid in sorted(fresh):
            row = fresh[rid]
            i = bisect.bisect_left(self._all, rid)
            present = i < len(self._all) and self._all[i] == rid
            self._cache[rid] = row
            if present:
                if i < self._shown:
                    self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1))
                continue
            everything_shown = self._shown == len(self._all)
            if i < self._shown or everything_shown:
                self.beginInsertRows(QModelIndex(), i, i)
                self._all.insert(i, rid)
                self._shown += 1
                self.endInsertRows()
            else:
                self._all.insert(i, rid)  # comes into view with a later page

    def reload(self) -> None:
        """Re-read every row shown (after a change that is not a record edit, e.g. a screening decision)."""
        self._cache = {}
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(self._shown - 1, self.columnCount() - 1))

    # --- Qt --------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def _raw(self, row: dict[str, Any], column: int) -> Any:
        if column == 0:
            return row["id"]
        if column == 1:
            return row["label"]
        return row["fields"].get(self._fields[column - 2])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._shown:
            return None
        row = self._row(index.row())
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
        if role == EXPORT_ROLE:
            value = self._raw(row, column)
            if column < 2:
                return str(value)
            return format_value(self._specs[column - 2], value, self._vocab)
        if role == SORT_ROLE:
            value = self._raw(row, column)
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, (int, float)):
                return value
            return ui_text.shorten(format_value(None, value, None), 200).casefold()
        if role == Qt.ItemDataRole.ForegroundRole and column >= 2 and self._fields[column - 2] == "screening":
            colour = _SCREENING_COLOURS.get(row["fields"].get("screening") or "")
            return colour
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
        """Show only rows with the text in any column (any case); "column: text" looks in one column."""
        if text and self.sourceModel() is not None:
            self._source().fetch_all()
        column, _, wanted = text.partition(":")
        headers = {} if self.sourceModel() is None else {
            str(self._source().headerData(c, Qt.Orientation.Horizontal)).casefold(): c
            for c in range(self._source().columnCount())}
        if wanted.strip() and column.strip().casefold() in headers:
            self.setFilterKeyColumn(headers[column.strip().casefold()])
            self.setFilterFixedString(wanted.strip())
        else:
            self.setFilterKeyColumn(-1)
            self.setFilterFixedString(text)
