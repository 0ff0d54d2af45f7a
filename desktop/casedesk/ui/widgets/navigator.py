"""The navigator dock: a type-ahead search over every name and alias, above the case/kind/record tree.

Signals:
    record_chosen(int): the user picked a record (tree or search result).
    case_chosen(int): the user picked another case.
    context_requested(int, QPoint): right-click on a record (tree or search result), global position.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.services.search import search_records
from casedesk.services.table_rows import record_briefs
from casedesk.storage.workspace import ChangeSet
from casedesk.ui.icons import icon
from casedesk.ui.models.lists import ID_ROLE as HIT_ID_ROLE
from casedesk.ui.models.lists import SearchResultModel
from casedesk.ui.models.navigator import ID_ROLE, NODE_ROLE, NavigatorModel
from casedesk.ui.operations.core import Operations

EXPAND_LIMIT = 1000  # a selection opens a collapsed kind of at most this many records


class _SearchLine(QLineEdit):
    """The search box: Down moves into the results, Escape clears."""

    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Down:
            self.down_pressed.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            return
        super().keyPressEvent(event)


class NavigatorPanel(QWidget):
    """Search box, search results, and the navigator tree."""

    record_chosen = Signal(int)
    case_chosen = Signal(int)
    context_requested = Signal(int, QPoint)

    def __init__(self, ops: Operations, vocab: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops = ops
        self.case_id: int | None = None
        self._echo = False
        self.search = _SearchLine(self)
        self.search.setObjectName("search_box")
        self.search.setPlaceholderText("Find by any name or alias…")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.results_model = SearchResultModel(self)
        self.results = QListView(self)
        self.results.setObjectName("search_results")
        self.results.setModel(self.results_model)
        self.results.setUniformItemSizes(True)
        self.results.hide()
        self.no_results = QLabel("No record has that name.", self)
        self.no_results.setStyleSheet("color: #5F6368; padding: 4px;")
        self.no_results.hide()
        self.model = NavigatorModel(ops, vocab, self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("navigator_tree")
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.no_results)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.tree, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(0)  # coalesce keystrokes of one event-loop turn, no delay
        self._search_timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._choose_first_result)
        self.search.down_pressed.connect(self._focus_results)
        self.results.clicked.connect(self._on_results_clicked)
        self.results.activated.connect(self._on_results_clicked)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        for view in (self.tree, self.results):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(lambda pos, v=view: self._on_context(v, pos))

    def _on_context(self, view: QAbstractItemView, pos: QPoint) -> None:
        """Right-click on a record: make it current, then ask the window for its menu."""
        index = view.indexAt(pos)
        if not index.isValid():
            return
        if view is self.results:
            record_id = index.data(HIT_ID_ROLE)
        elif index.data(NODE_ROLE) == "record":
            record_id = index.data(ID_ROLE)
        else:
            return
        view.setCurrentIndex(index)
        if view is self.results:
            self.record_chosen.emit(record_id)
        self.context_requested.emit(record_id, view.viewport().mapToGlobal(pos))

    # --- case ----------------------------------------------------------------------------------
    def load(self, case_id: int | None) -> None:
        """Show the workspace's cases with one open."""
        self.case_id = case_id
        self._echo = True
        try:
            self.model.load(case_id)
            self.tree.expand(self.model.case_index())
        finally:
            self._echo = False
        if self.search.text():
            self.run_search()

    def refresh(self, changes: ChangeSet) -> None:
        """Follow a ChangeSet (tree) and re-run the search if names changed."""
        self._echo = True
        try:
            self.model.apply(changes)
        finally:
            self._echo = False
        if self.search.text() and (changes.ids("created", "record") or changes.ids("updated", "record")
                                   or changes.ids("deleted", "record")):
            self.run_search()

    # --- search ----------------------------------------------------------------------------------
    def run_search(self) -> None:
        """Search the open case for the text typed (as the user types)."""
        text = self.search.text().strip()
        if not text or self.case_id is None:
            self.results.hide()
            self.no_results.hide()
            self.tree.show()
            self.results_model.set_rows([])
            return
        try:
            with self._ops.reading() as s:
                hits = search_records(s, self.case_id, text)
        except CaseDeskError:
            hits = []
        self.results_model.set_rows(hits)
        self.tree.hide()
        self.results.setVisible(bool(hits))
        self.no_results.setVisible(not hits)
        if hits:
            self.results.setCurrentIndex(self.results_model.index(0, 0))

    def _focus_results(self) -> None:
        if self.results.isVisible():
            self.results.setFocus()

    def _choose_first_result(self) -> None:
        index = self.results.currentIndex()
        if not index.isValid() and self.results_model.rowCount():
            index = self.results_model.index(0, 0)
        if index.isValid():
            self.record_chosen.emit(index.data(HIT_ID_ROLE))

    def _on_results_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.record_chosen.emit(index.data(HIT_ID_ROLE))

    # --- tree ------------------------------------------------------------------------------------
    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._echo or not current.isValid():
            return
        node = current.data(NODE_ROLE)
        if node == "record":
            self.record_chosen.emit(current.data(ID_ROLE))
        elif node == "case" and current.data(ID_ROLE) != self.case_id:
            self.case_chosen.emit(current.data(ID_ROLE))

    def select_record(self, record_id: int) -> None:
        """Show a record as current in the tree (without announcing it)."""
        with self._ops.reading() as s:
            brief = record_briefs(s, [record_id]).get(record_id)
        if brief is None or brief[0] != self.case_id:
            return
        _, kind, label, _ = brief
        self._echo = True
        try:
            group = self.model.kind_index(kind)
            if not self.tree.isExpanded(group) and self.model.group_size(kind) > EXPAND_LIMIT:
                # Opening a kind of thousands lays out every row; point at the kind instead and
                # leave opening it to the user (the record is selected in every other view).
                self.tree.selectionModel().setCurrentIndex(group, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self.tree.scrollTo(group)
                return
            index = self.model.record_index(record_id, kind, label)
            if index.isValid():
                if not self.tree.isExpanded(index.parent()):
                    self.tree.expand(index.parent())
                self.tree.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self.tree.scrollTo(index)
        finally:
            self._echo = False

    def clear_selection(self) -> None:
        """Select nothing in the tree."""
        self._echo = True
        try:
            self.tree.selectionModel().clearSelection()
        finally:
            self._echo = False
