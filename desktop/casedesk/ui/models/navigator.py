"""The navigator tree: the workspace's cases; under the open case its records grouped by kind, with counts.

Records under a kind are fetched in pages of 200 as the tree is scrolled (canFetchMore/fetchMore),
in label order; ChangeSets become precise inserts, removals and count updates.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from casedesk.domain.models import RECORD_KINDS
from casedesk.services.cases import list_cases
from casedesk.services.table_rows import kind_counts, navigator_rows, record_briefs
from casedesk.storage.workspace import ChangeSet
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_icon
from casedesk.ui.operations.core import Operations

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
NODE_ROLE = Qt.ItemDataRole.UserRole + 3  # "case" | "kind" | "record"
PAGE = 200
_CASE, _KIND = 0, 1  # internal ids of case rows and kind rows; record rows use 2 + kind index
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_LEAF_FLAGS = _FLAGS | Qt.ItemFlag.ItemNeverHasChildren


@dataclass
class _KindGroup:
    kind: str
    count: int = 0
    # Every record of the kind as (label, id), in order, read in one query the first time the
    # group is opened; rows are then shown a page at a time (fetchMore) or up to a selection.
    keys: list[tuple[str, int]] | None = None
    subkinds: dict[int, str | None] = field(default_factory=dict)
    shown: int = 0


class NavigatorModel(QAbstractItemModel):
    """Cases at the top; the open case has one row per record kind; kinds hold their records."""

    def __init__(self, ops: Operations, vocab: Any, parent: Any = None):
        super().__init__(parent)
        self._ops = ops
        self._vocab = vocab
        self._cases: list[tuple[int, str, int]] = []  # (id, title, records)
        self._case_id: int | None = None
        self._groups: list[_KindGroup] = []
        self._fetching = False

    # --- loading -------------------------------------------------------------------------------
    def load(self, case_id: int | None) -> None:
        """Read the cases and open one (a blanket reset: the whole tree changes)."""
        self.beginResetModel()
        with self._ops.reading() as s:
            self._cases = [(c.id, c.title, c.records) for c in list_cases(s)]
            counts = kind_counts(s, case_id) if case_id is not None else {}
        self._case_id = case_id
        self._groups = [_KindGroup(k, counts.get(k, 0)) for k in RECORD_KINDS] if case_id is not None else []
        self.endResetModel()

    def case_index(self) -> QModelIndex:
        """The index of the open case's row."""
        row = self._case_row()
        return self.index(row, 0) if row is not None else QModelIndex()

    def kind_index(self, kind: str) -> QModelIndex:
        """The index of a kind's row under the open case."""
        return self.index(RECORD_KINDS.index(kind), 0, self.case_index())

    def _case_row(self) -> int | None:
        for n, (cid, _, _) in enumerate(self._cases):
            if cid == self._case_id:
                return n
        return None

    def group_size(self, kind: str) -> int:
        """How many records a kind of the open case has."""
        return self._groups[RECORD_KINDS.index(kind)].count if self._groups else 0

    def record_index(self, record_id: int, kind: str, label: str) -> QModelIndex:
        """The index of a record, showing rows of its kind up to it; invalid if not in the case."""
        if not self._groups:
            return QModelIndex()
        k = RECORD_KINDS.index(kind)
        group = self._load_keys(k)
        key = (label, record_id)
        pos = bisect.bisect_left(group.keys, key)
        if pos >= len(group.keys) or group.keys[pos] != key:
            return QModelIndex()
        if pos >= group.shown:
            self._show(k, pos + 1)
        return self.index(pos, 0, self.kind_index(kind)) if pos < group.shown else QModelIndex()

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        if self._node(parent) != "kind":
            return False
        group = self._groups[parent.row()]
        return group.shown < (group.count if group.keys is None else len(group.keys))

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if self._node(parent) == "kind":
            k = parent.row()
            self._load_keys(k)
            self._show(k, self._groups[k].shown + PAGE)

    def _load_keys(self, k: int) -> _KindGroup:
        group = self._groups[k]
        if group.keys is None:
            with self._ops.reading() as s:
                rows = navigator_rows(s, self._case_id, group.kind)
            # Python sorts by code point: the same order wherever the keys came from.
            group.keys = sorted((label, rid) for rid, label, _ in rows)
            group.subkinds = {rid: sub for rid, _, sub in rows}
        return group

    def _show(self, k: int, count: int) -> None:
        group = self._groups[k]
        count = min(count, len(group.keys or ()))
        # A view (or a model tester) may ask for more from inside our own rowsInserted: wait.
        if count <= group.shown or self._fetching:
            return
        self._fetching = True
        try:
            self.beginInsertRows(self.kind_index(group.kind), group.shown, count - 1)
            group.shown = count
            self.endInsertRows()
        finally:
            self._fetching = False

    # --- changes --------------------------------------------------------------------------------
    def apply(self, changes: ChangeSet) -> None:
        """Follow a ChangeSet: cases and records created, renamed or deleted; counts."""
        self._fetching = True
        try:
            self._apply(changes)
        finally:
            self._fetching = False

    def _apply(self, changes: ChangeSet) -> None:
        if changes.ids("created", "case") or changes.ids("deleted", "case") or changes.ids("updated", "case"):
            self._apply_cases()
        if self._case_id is None or not self._groups:
            return
        deleted = changes.ids("deleted", "record")
        touched = changes.ids("created", "record") | changes.ids("updated", "record")
        for k, group in enumerate(self._groups):
            for rid in deleted:
                if rid in group.subkinds:
                    self._remove(k, rid)
        briefs = {}
        if touched:
            with self._ops.reading() as s:
                briefs = record_briefs(s, touched)
        for rid, (case_id, kind, label, subkind) in sorted(briefs.items()):
            k = RECORD_KINDS.index(kind)
            group = self._groups[k]
            if case_id != self._case_id or group.keys is None:
                continue  # a group never opened reads its keys fresh when it is
            if rid in group.subkinds:
                self._remove(k, rid)
            key = (label, rid)
            pos = bisect.bisect_left(group.keys, key)
            group.subkinds[rid] = subkind
            if pos < group.shown or group.shown == len(group.keys):
                self.beginInsertRows(self.kind_index(kind), pos, pos)
                group.keys.insert(pos, key)
                group.shown += 1
                self.endInsertRows()
            else:
                group.keys.insert(pos, key)
        # Counts are re-read: deleted and created records may lie beyond the fetched pages.
        if deleted or changes.ids("created", "record"):
            with self._ops.reading() as s:
                counts = kind_counts(s, self._case_id)
            for k, group in enumerate(self._groups):
                if group.count != counts[group.kind]:
                    group.count = counts[group.kind]
                    idx = self.index(k, 0, self.case_index())
                    self.dataChanged.emit(idx, idx)
            row = self._case_row()
            if row is not None:
                cid, title, _ = self._cases[row]
                self._cases[row] = (cid, title, sum(counts.values()))
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def _remove(self, k: int, rid: int) -> None:
        group = self._groups[k]
        for pos, (_, other) in enumerate(group.keys or ()):
            if other == rid:
                group.subkinds.pop(rid, None)
                if pos < group.shown:
                    self.beginRemoveRows(self.index(k, 0, self.case_index()), pos, pos)
                    del group.keys[pos]
                    group.shown -= 1
                    self.endRemoveRows()
                else:
                    del group.keys[pos]
                return

    def _apply_cases(self) -> None:
        with self._ops.reading() as s:
            fresh = [(c.id, c.title, c.records) for c in list_cases(s)]
        fresh_ids = [c[0] for c in fresh]
        for row in range(len(self._cases) - 1, -1, -1):
            if self._cases[row][0] not in fresh_ids and self._cases[row][0] != self._case_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._cases[row]
                self.endRemoveRows()
        have = {c[0] for c in self._cases}
        for c in fresh:
            if c[0] not in have:
                row = len(self._cases)
                self.beginInsertRows(QModelIndex(), row, row)
                self._cases.append(c)
                self.endInsertRows()
        for row, c in enumerate(self._cases):
            match = next((f for f in fresh if f[0] == c[0]), None)
            if match is not None and match != c:
                self._cases[row] = match
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    # --- tree structure --------------------------------------------------------------------
    def _node(self, index: Index) -> str | None:
        if not index.isValid():
            return None
        iid = index.internalId()
        return "case" if iid == _CASE else "kind" if iid == _KIND else "record"

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        if parent.isValid() and parent.internalId() == _KIND:  # the common case: a record row
            shown = self._groups[parent.row()].shown
            return self.createIndex(row, 0, 2 + parent.row()) if row < shown else QModelIndex()
        node = self._node(parent)
        if node is None:
            return self.createIndex(row, 0, _CASE) if row < len(self._cases) else QModelIndex()
        if node == "case":
            if self._cases[parent.row()][0] == self._case_id and row < len(self._groups):
                return self.createIndex(row, 0, _KIND)
            return QModelIndex()
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if index.isValid() and index.internalId() >= 2:
            return self.createIndex(index.internalId() - 2, 0, _KIND)
        node = self._node(index)
        if node is None or node == "case":
            return QModelIndex()
        case_row = self._case_row()
        if case_row is None:
            return QModelIndex()
        if node == "kind":
            return self.createIndex(case_row, 0, _CASE)
        return self.createIndex(index.internalId() - 2, 0, _KIND)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() and parent.internalId() >= 2:
            return 0
        node = self._node(parent)
        if parent.isValid() and parent.column() != 0:
            return 0
        if node is None:
            return len(self._cases)
        if node == "case":
            return len(self._groups) if self._cases[parent.row()][0] == self._case_id else 0
        if node == "kind":
            return self._groups[parent.row()].shown
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 1

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        # Called for every row the tree lays out: answer records (the many) first and cheaply.
        if parent.isValid() and parent.internalId() >= 2:
            return False
        node = self._node(parent)
        if node == "kind":
            return self._groups[parent.row()].count > 0 or self._groups[parent.row()].shown > 0
        return self.rowCount(parent) > 0

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Records never have children: the tree then skips asking, row by row.
        return _LEAF_FLAGS if index.internalId() >= 2 else _FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        if role == NODE_ROLE:
            return node
        if node == "case":
            cid, title, records = self._cases[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{ui_text.display(title, 120)} ({records:,})"
            if role == Qt.ItemDataRole.ToolTipRole:
                return ui_text.display(title, 1000)
            if role == ID_ROLE:
                return cid
            if role == Qt.ItemDataRole.FontRole and cid == self._case_id:
                from PySide6.QtGui import QFont

                font = QFont()
                font.setBold(True)
                return font
            return None
        if node == "kind":
            group = self._groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                plural = self._vocab.record_kinds[group.kind].plural
                return f"{plural} ({group.count:,})"
            if role == Qt.ItemDataRole.DecorationRole:
                return kind_icon(group.kind)
            if role == ID_ROLE:
                return group.kind
            return None
        group = self._groups[index.internalId() - 2]
        label, rid = group.keys[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return ui_text.display(label, 120)
        if role == Qt.ItemDataRole.ToolTipRole:
            return ui_text.display(label, 1000)
        if role == Qt.ItemDataRole.DecorationRole:
            return kind_icon(group.kind, group.subkinds.get(rid))
        if role == ID_ROLE:
            return rid
        return None
