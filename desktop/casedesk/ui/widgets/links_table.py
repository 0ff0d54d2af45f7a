"""The Links tab: every link of the case in a sortable, filterable table.

Signals:
    link_chosen(int): the user picked a link.
    context_requested(object, QPoint): right-click on a row (link id or None), global position.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from casedesk.ui.models.links import LinkTableModel
from casedesk.ui.models.records import ID_ROLE, RecordFilterProxyModel
from casedesk.ui.operations.core import Operations
from casedesk.ui.widgets.tabs import _table, menu_on_rows


class LinksTableTab(QWidget):
    """A filter box over a sortable table of the case's links (type, from, to, fields)."""

    link_chosen = Signal(int)
    context_requested = Signal(object, QPoint)

    def __init__(self, ops: Operations, vocab: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = LinkTableModel(ops, vocab, self)
        self.proxy = RecordFilterProxyModel(self)  # same filter rules: any column, or "column: text"
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("filter_links")
        self.filter.setPlaceholderText("Filter links… (or one column, e.g. type: owns)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_filter_text)
        self.view = _table(self, "table_links")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        for column, width in enumerate((56, 150, 260, 260)):
            self.view.setColumnWidth(column, width)
        self._echo = False
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        menu_on_rows(self.view, self.context_requested.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._echo and current.isValid():
            self.link_chosen.emit(current.data(ID_ROLE))

    def load(self, case_id: int | None) -> None:
        """Show another case's links."""
        self._echo = True
        try:
            self.model.load(case_id)
        finally:
            self._echo = False

    def apply(self, changes: Any) -> None:
        """Follow a ChangeSet without announcing a new current row."""
        self._echo = True
        try:
            self.model.apply(changes)
        finally:
            self._echo = False

    def ends(self, link_id: int) -> tuple[int, int] | None:
        """(source, target) record ids of a link in the table."""
        row = self.model.row_of(link_id)
        return None if row is None else self.model.ends(row)

    def select_link(self, link_id: int | None) -> None:
        """Make a link the current row (None: no row), without announcing it."""
        self._echo = True
        try:
            row = self.model.row_of(link_id) if link_id is not None else None
            index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else QModelIndex()
            if index.isValid():
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.view.scrollTo(index)
            else:
                self.view.selectionModel().clearSelection()
        finally:
            self._echo = False
