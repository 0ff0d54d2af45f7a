"""The bottom tabs: one sortable, filterable table per record kind, the timeline, findings, audit log.

Signals:
    record_chosen(int): the user picked a record in a tab.
    context_requested(object, QPoint): right-click on a record table row (record id or None), global position;
        on the audit log, the entry's row dict.
    link_chosen(int): the user picked a link (timeline item, audit entry).
    finding_chosen(int): the user picked a finding.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.table_rows import SCREENED_KINDS
from casedesk.ui.icons import icon
from casedesk.ui.models.lists import (
    ID_ROLE,
    ROW_ROLE,
    AuditLogModel,
    FindingListModel,
    TimelineModel,
)
from casedesk.ui.models.records import EXPORT_ROLE
from casedesk.ui.models.records import ID_ROLE as RECORD_ID_ROLE
from casedesk.ui.models.records import RecordFilterProxyModel, RecordTableModel
from casedesk.ui.operations.core import Operations
from casedesk.ui.operations.tables import clipboard_text
from casedesk.ui.widgets.timeline_view import TimelineView


def _table(parent: QWidget, name: str) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setDefaultSectionSize(130)
    return view


def visible_rows(view: QTableView, *, selected_only: bool = False) -> tuple[list[str], list[list[str]]]:
    """(header, rows) as the table shows them now: its filter, sort and column order, whole cell texts."""
    model = view.model()
    source = model.sourceModel() if hasattr(model, "sourceModel") else None
    if source is not None and hasattr(source, "fetch_all"):
        source.fetch_all()  # rows not yet paged in still pass the filter
    header_view = view.horizontalHeader()
    columns = sorted((c for c in range(model.columnCount()) if not view.isColumnHidden(c)),
                     key=header_view.visualIndex)
    header = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns]
    if selected_only:
        rows = sorted({i.row() for i in view.selectionModel().selectedRows()})
    else:
        rows = list(range(model.rowCount()))
    return header, [[_cell_text(model.index(r, c)) for c in columns] for r in rows]


def _cell_text(index: QModelIndex) -> str:
    """A cell's whole text (EXPORT_ROLE), or what it shows when its model has no such role."""
    whole = index.data(EXPORT_ROLE)
    if whole is None:
        whole = index.data(Qt.ItemDataRole.DisplayRole)
    return "" if whole is None else str(whole)


def copy_selected_rows(view: QTableView) -> str:
    """Put the selected rows (with the header) on the clipboard, tab-separated; returns the text."""
    header, rows = visible_rows(view, selected_only=True)
    text = clipboard_text(header, rows) if rows else ""
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


def menu_on_rows(view: QTableView, emit: Any, id_role: int = RECORD_ID_ROLE) -> None:
    """Right-click on a row: make it current, emit (its id_role data or None, global position); Ctrl+C copies."""
    copy = QAction("Copy row", view)
    copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
    copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # only while the table has focus
    copy.triggered.connect(lambda: copy_selected_rows(view))
    view.addAction(copy)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def requested(pos: QPoint) -> None:
        index = view.indexAt(pos)
        if index.isValid() and not view.selectionModel().isRowSelected(index.row(), index.parent()):
            view.selectRow(index.row())
        emit(index.data(id_role) if index.isValid() else None, view.viewport().mapToGlobal(pos))

    view.customContextMenuRequested.connect(requested)


class RecordTableTab(QWidget):
    """A filter box over a sortable table of one record kind."""

    record_chosen = Signal(int)
    context_requested = Signal(object, QPoint)

    def __init__(self, kind: str, ops: Operations, vocab: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.model = RecordTableModel(kind, ops, vocab, self)
        self.proxy = RecordFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(self)
        self.filter.setObjectName(f"filter_{kind}")
        example = "screening: confirmed" if kind in SCREENED_KINDS else "country: CN"
        self.filter.setPlaceholderText(f"Filter {vocab.record_kinds[kind].plural.lower()}… "
                                       f"(or one column, e.g. {example})")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_filter_text)
        self.view = _table(self, f"table_{kind}")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        metrics = self.view.horizontalHeader().fontMetrics()
        for column in range(2, self.model.columnCount()):
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            self.view.setColumnWidth(column, max(100, metrics.horizontalAdvance(title) + 28))
        self.view.setColumnWidth(0, 56)
        self.view.setColumnWidth(1, 320)
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
            self.record_chosen.emit(current.data(RECORD_ID_ROLE))

    def apply(self, changes: Any) -> None:
        """Follow a ChangeSet; a removed current row does not count as the user choosing the next."""
        self._echo = True
        try:
            self.model.apply(changes)
        finally:
            self._echo = False

    def select_record(self, record_id: int) -> bool:
        """Make a record the current row (fetching up to it); False if it is not of this kind."""
        row = self.model.ensure_row(record_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self._echo = True
        try:
            if index.isValid():
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.view.scrollTo(index)
            else:
                self.view.selectionModel().clearSelection()
        finally:
            self._echo = False
        return True

    def clear_selection(self) -> None:
        """Select no row."""
        self._echo = True
        try:
            self.view.selectionModel().clearSelection()
        finally:
            self._echo = False


class TimelineTab(QWidget):
    """The timeline with zoom buttons; a right-click on a bar asks for its record's or link's menu."""

    record_chosen = Signal(int)
    link_chosen = Signal(int)
    context_requested = Signal(object, object, QPoint)  # record id, link id (one of them), global position

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = TimelineModel(self)
        self.view = TimelineView(self.model, self)
        self.view.setObjectName("timeline_view")
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        hint = QLabel("Ctrl+wheel zooms, Shift+wheel pans. Hatched, dashed bars are approximate (“about”) dates.",
                      self)
        hint.setStyleSheet("color: #5F6368;")
        bar.addWidget(hint, 1)
        for name, tip, slot in (("zoom_in", "Zoom in", lambda: self.view.zoom(1.5)),
                                ("zoom_out", "Zoom out", lambda: self.view.zoom(1 / 1.5)),
                                ("fit", "Fit the whole timeline", self.view.fit)):
            button = QToolButton(self)
            button.setIcon(icon(name))
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.view.item_clicked.connect(self._on_item_clicked)
        self.view.lane_clicked.connect(lambda lane: lane is not None and self.record_chosen.emit(lane))
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context)

    def _on_context(self, pos: QPoint) -> None:
        item = self.view.item_at(QPointF(pos))
        if item is None or (item.link_id is None and item.record_id is None):
            return
        self._on_item_clicked(item)  # what is right-clicked becomes the selection, as elsewhere
        self.context_requested.emit(item.record_id if item.link_id is None else None, item.link_id,
                                    self.view.viewport().mapToGlobal(pos))

    def _on_item_clicked(self, item: Any) -> None:
        if item.link_id is not None:
            self.link_chosen.emit(item.link_id)
        elif item.record_id is not None:
            self.record_chosen.emit(item.record_id)


class FindingsTab(QWidget):
    """A read-only list of the case's findings, most severe first."""

    finding_chosen = Signal(int)

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = FindingListModel(ops, self)
        self.view = _table(self, "findings_table")
        self.view.setModel(self.model)
        self.view.setColumnWidth(0, 80)
        self.view.setColumnWidth(1, 520)
        self.view.setColumnWidth(2, 90)
        self._echo = False
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.empty = QLabel("No findings yet. Findings are raised by analysis or entered by hand.", self)
        self.empty.setStyleSheet("color: #5F6368; padding: 6px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.empty)
        layout.addWidget(self.view)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update_empty)

    def _update_empty(self, *_: Any) -> None:
        self.empty.setVisible(self.model.rowCount() == 0)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._echo and current.isValid():
            self.finding_chosen.emit(current.data(ID_ROLE))

    def refresh(self) -> None:
        """Re-read the findings (changes to rows never count as the user choosing one)."""
        self._echo = True
        try:
            self.model.refresh()
        finally:
            self._echo = False

    def select_finding(self, finding_id: int | None) -> None:
        """Make a finding current (None: select nothing) without announcing it."""
        self._echo = True
        try:
            row = self.model.position_of(finding_id) if finding_id is not None else None
            if row is None:
                self.view.selectionModel().clearSelection()
            else:
                self.view.selectRow(row)
        finally:
            self._echo = False


class AuditTab(QWidget):
    """The case's audit log, newest first; a right-click asks for the entry's menu."""

    record_chosen = Signal(int)
    link_chosen = Signal(int)
    context_requested = Signal(object, QPoint)  # the entry's row dict (or None), global position

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = AuditLogModel(ops, self)
        self.view = _table(self, "audit_table")
        self.view.setModel(self.model)
        for column, width in enumerate((150, 100, 70, 110)):
            self.view.setColumnWidth(column, width)
        self.view.clicked.connect(self._on_clicked)
        self.view.activated.connect(self._on_clicked)
        menu_on_rows(self.view, self.context_requested.emit, ROW_ROLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.view)

    def _on_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        entry = index.data(ROW_ROLE)
        if entry["entity"] == "link" and entry["entity_id"] is not None:
            self.link_chosen.emit(entry["entity_id"])
        elif entry["record_id"] is not None:
            self.record_chosen.emit(entry["record_id"])
