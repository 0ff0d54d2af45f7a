"""The bottom tabs: one sortable, filterable table per record kind, the timeline, findings, audit log.

Signals:
    record_chosen(int): the user picked a record in a tab.
    link_chosen(int): the user picked a link (timeline item, audit entry).
    finding_chosen(int): the user picked a finding.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
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
from casedesk.ui.models.records import ID_ROLE as RECORD_ID_ROLE
from casedesk.ui.models.records import RecordFilterProxyModel, RecordTableModel
from casedesk.ui.operations.core import Operations
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


class RecordTableTab(QWidget):
    """A filter box over a sortable table of one record kind."""

    record_chosen = Signal(int)

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
    """The timeline with zoom buttons."""

    record_chosen = Signal(int)
    link_chosen = Signal(int)

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
    """The case's audit log, newest first."""

    record_chosen = Signal(int)
    link_chosen = Signal(int)

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = AuditLogModel(ops, self)
        self.view = _table(self, "audit_table")
        self.view.setModel(self.model)
        for column, width in enumerate((150, 100, 70, 110)):
            self.view.setColumnWidth(column, width)
        self.view.clicked.connect(self._on_clicked)
        self.view.activated.connect(self._on_clicked)
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
