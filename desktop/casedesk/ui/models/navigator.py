"""The navigator tree: the workspace's cases; under the open case its records grouped by kind, with counts.

Records under a kind are fetched in pages of 200 as the tree is scrolled (canFetchMore/fetchMore),
in label order; ChangeSets become precise inserts, removals and count updates.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from casedesk.domain.models import RECORD_KINDS
from casedesk.services.cases import list_cases
from casedesk.services.tables import kind_counts, navigator_rows, record_briefs
from casedesk.storage.workspace import ChangeSet, Workspace
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_icon

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
NODE_ROLE = Qt.ItemDataRole.UserRole + 3  # "case" | "kind" | "record"
PAGE = 200
_CASE, _KIND = 0, 1  # internal ids of case rows and kind rows; record rows use 2 + kind index


@dataclass
class _KindGroup:
    kind: str
    count: int = 0
    keys: list[tuple[str, int]] = field(default_factory=list)  # (label, id), sorted
    subkinds: dict[int, str | None] = field(default_factory=dict)
    exhausted: bool = False


class NavigatorModel(QAbstractItemModel):
    """Cases at the top; the open case has one row per record kind; kinds hold their records."""

    def __init__(self, workspace: Callable[[], Workspace], vocab: Any, parent: Any = None):
        super().__init__(parent)
        self._ws = workspace
        self._vocab = vocab
        self._cases: list[tuple[int, str, int]] = []  # (id, title, records)
        self._case_id: int | None = None
        self._groups: list[_KindGroup] = []
        self._fetching = False

    # --- loading -------------------------------------------------------------------------------
    def load(self, case_id: int | None) -> None:
        """Read the cases and open one (a blanket reset: the whole tree changes)."""
        self.beginResetModel()
        with self._ws().read() as s:
            self._cases = [(c.id, c.title, c.records) for c in list_cases(s)]
            counts = kind_counts(s, case_id) if case_id is not None else {}
        self._case_id = case_id
        self._groups = [_KindGroup(k, counts.get(k, 0), exhausted=counts.get(k, 0) == 0)
                        for k in RECORD_KINDS] if case_id is not None else []
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

    def record_index(self, record_id: int, kind: str, label: str) -> QModelIndex:
        """The index of a record, fetching pages of its kind up to it; invalid if not shown."""
        k = RECORD_KINDS.index(kind)
        group = self._groups[k] if self._groups else None
        if group is None:
            return QModelIndex()
        key = (label, record_id)
        if not group.exhausted and (not group.keys or group.keys[-1] < key):
            self._fetch_group(k, until=key)
        pos = bisect.bisect_left(group.keys, key)
        if pos < len(group.keys) and group.keys[pos] == key:
            return self.index(pos, 0, self.kind_index(kind))
        return QModelIndex()

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return self._node(parent) == "kind" and not self._groups[parent.row()].exhausted

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if self._node(parent) == "kind":
            self._fetch_group(parent.row())

    def _fetch_group(self, k: int, until: tuple[str, int] | None = None) -> None:
        group = self._groups[k]
        # A view (or a model tester) may ask for more from inside our own rowsInserted: wait.
        if group.exhausted or self._fetching:
            return
        self._fetching = True
        try:
            self._fetch_group_now(k, group, until)
        finally:
            self._fetching = False

    def _fetch_group_now(self, k: int, group: _KindGroup, until: tuple[str, int] | None) -> None:
        after = group.keys[-1] if group.keys else None
        with self._ws().read() as s:
            rows = navigator_rows(s, self._case_id, group.kind, after=after, upto=until,
                                  limit=None if until else PAGE)
        if until is None and len(rows) < PAGE:
            group.exhausted = True
        if rows:
            parent = self.kind_index(group.kind)
            first = len(group.keys)
            self.beginInsertRows(parent, first, first + len(rows) - 1)
            for rid, label, subkind in rows:
                group.keys.append((label, rid))
                group.subkinds[rid] = subkind
            self.endInsertRows()

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
            with self._ws().read() as s:
                briefs = record_briefs(s, touched)
        for rid, (case_id, kind, label, subkind) in sorted(briefs.items()):
            if case_id != self._case_id:
                continue
            k = RECORD_KINDS.index(kind)
            group = self._groups[k]
            if rid in group.subkinds:
                self._remove(k, rid)
            key = (label, rid)
            if group.exhausted or (group.keys and key < group.keys[-1]):
                pos = bisect.bisect_left(group.keys, key)
                self.beginInsertRows(self.kind_index(kind), pos, pos)
                group.keys.insert(pos, key)
                group.subkinds[rid] = subkind
                self.endInsertRows()
        # Counts are re-read: deleted and created records may lie beyond the fetched pages.
        if deleted or changes.ids("created", "record"):
            with self._ws().read() as s:
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
        for pos, (_, other) in enumerate(group.keys):
            if other == rid:
                self.beginRemoveRows(self.index(k, 0, self.case_index()), pos, pos)
                del group.keys[pos]
                group.subkinds.pop(rid, None)
                self.endRemoveRows()
                return

    def _apply_cases(self) -> None:
        with self._ws().read() as s:
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
        node = self._node(parent)
        if node is None:
            return self.createIndex(row, 0, _CASE) if row < len(self._cases) else QModelIndex()
        if node == "case":
            if self._cases[parent.row()][0] == self._case_id and row < len(self._groups):
                return self.createIndex(row, 0, _KIND)
            return QModelIndex()
        if node == "kind":
            if row < len(self._groups[parent.row()].keys):
                return self.createIndex(row, 0, 2 + parent.row())
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
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
        node = self._node(parent)
        if parent.isValid() and parent.column() != 0:
            return 0
        if node is None:
            return len(self._cases)
        if node == "case":
            return len(self._groups) if self._cases[parent.row()][0] == self._case_id else 0
        if node == "kind":
            return len(self._groups[parent.row()].keys)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 1

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        node = self._node(parent)
        if node == "kind":
            return self._groups[parent.row()].count > 0 or bool(self._groups[parent.row()].keys)
        return self.rowCount(parent) > 0

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

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
