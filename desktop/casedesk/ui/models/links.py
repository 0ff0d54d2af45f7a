"""The Links table: every link of the open case with its type, ends and fields.

Rows are read whole (a case's links are a few thousand, not millions of cells) and re-read
when a ChangeSet touches links or renames or removes a record (an end's label).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from casedesk.services.fields import LINK_FIELDS
from casedesk.services.table_rows import link_rows
from casedesk.storage.workspace import ChangeSet
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_icon
from casedesk.ui.models.records import EXPORT_ROLE, ID_ROLE, SORT_ROLE, format_value
from casedesk.ui.operations.core import Operations

Index = QModelIndex | QPersistentModelIndex
_FIELDS = [f for f in LINK_FIELDS if f.type != "longtext"] + [f for f in LINK_FIELDS if f.type == "longtext"]


class LinkTableModel(QAbstractTableModel):
    """Rows: Id, Type, From, To and the link fields (notes last)."""

    def __init__(self, ops: Operations, vocab: Any, parent: Any = None):
        super().__init__(parent)
        self._ops, self._vocab = ops, vocab
        self._headers = ["Id", "Type", "From", "To"] + [f.label for f in _FIELDS]
        self._rows: list[dict[str, Any]] = []
        self._case_id: int | None = None

    def load(self, case_id: int | None) -> None:
        """Show another case's links (or none)."""
        self.beginResetModel()
        self._case_id = case_id
        if case_id is None:
            self._rows = []
        else:
            with self._ops.reading() as s:
                self._rows = link_rows(s, case_id)
        self.endResetModel()

    def apply(self, changes: ChangeSet) -> None:
        """Re-read when links changed or a record (an end) was renamed or removed."""
        if self._case_id is None:
            return
        touched = (changes.ids("created", "link") | changes.ids("updated", "link") | changes.ids("deleted", "link")
                   | changes.ids("updated", "record") | changes.ids("deleted", "record"))
        if touched:
            self.load(self._case_id)

    def fetch_all(self) -> None:
        """Every row is loaded already (RecordFilterProxyModel asks before sorting)."""

    def link_id(self, row: int) -> int:
        """The link shown in a row."""
        return self._rows[row]["id"]

    def row_of(self, link_id: int) -> int | None:
        """The row showing a link."""
        return next((n for n, r in enumerate(self._rows) if r["id"] == link_id), None)

    def ends(self, row: int) -> tuple[int, int]:
        """(source id, target id) of a row's link."""
        r = self._rows[row]
        return r["source_id"], r["target_id"]

    # --- Qt --------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def _text(self, row: dict[str, Any], column: int) -> Any:
        if column == 0:
            return row["id"]
        if column == 1:
            term = self._vocab.link_types.get(row["type"])
            return term.label if term is not None else row["type"]
        if column in (2, 3):
            return row["source_label"] if column == 2 else row["target_label"]
        spec = _FIELDS[column - 4]
        return format_value(spec, row["fields"].get(spec.name), self._vocab)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == ID_ROLE:
            return row["id"]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._text(row, column)
            return str(value) if column == 0 else ui_text.display(
                value, 200 if role == Qt.ItemDataRole.DisplayRole else 1000)
        if role == EXPORT_ROLE:
            return str(self._text(row, column))
        if role == SORT_ROLE:
            value = self._text(row, column)
            if column == 0:
                return value
            if column >= 4 and _FIELDS[column - 4].type == "float":  # numbers sort as numbers
                number = row["fields"].get(_FIELDS[column - 4].name)
                return number if number is not None else -1.0
            return ui_text.shorten(str(value), 200).casefold()
        if role == Qt.ItemDataRole.DecorationRole and column in (2, 3):
            return kind_icon(row["source_kind" if column == 2 else "target_kind"])
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None
