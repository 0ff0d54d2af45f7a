"""The main window: navigator, link chart, inspector and bottom tabs, all showing one selection.

Every view reports what the user picks to the SelectionModel and follows it; every edit is an
undoable command run as one transaction by the background runner; the ChangeSet each edit
returns is handed to every view (refresh), which updates only what changed.

Integration points for other panels (import wizard, screening hits, findings, PDF export):
select_record, select_link, highlight_path, add_bottom_tab, add_menu_action, current_case_id,
refresh(ChangeSet), visible_record_ids, visible_link_ids, chart_positions, and the `selection`
hub (ui/selection.SelectionModel: record_selected, link_selected, finding_selected, cleared).

Signals:
    case_changed(object): another case (id, or None) is open.
    workspace_changed(object): another workspace is open.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMenu,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.models import RECORD_KINDS
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.cases import list_cases
from casedesk.services.change_feed import ForeignChanges
from casedesk.services.table_rows import record_briefs
from casedesk.storage.workspace import ChangeSet, Workspace
from casedesk.ui.chart.panel import ChartPanel
from casedesk.ui.icons import icon, kind_icon
from casedesk.ui.operations import Operations
from casedesk.ui.operations.live import LiveRefresh
from casedesk.ui.selection import SelectionModel
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.widgets.duplicates_panel import DuplicatesPanel
from casedesk.ui.widgets.findings_panel import FindingsPanel
from casedesk.ui.widgets.hits_panel import ScreeningHitsPanel
from casedesk.ui.widgets.inspector import InspectorWidget
from casedesk.ui.widgets.navigator import NavigatorPanel
from casedesk.ui.widgets.tabs import AuditTab, RecordTableTab, TimelineTab
from casedesk.ui.window.actions import WindowActions
from casedesk.ui.window.case_tools import CaseTools
from casedesk.ui.window.chart_commands import ChartCommands
from casedesk.ui.window.context_menus import ContextMenus
from casedesk.ui.window.edit_controller import EditController
from casedesk.ui.window.encryption_menu import WorkspaceEncryption
from casedesk.ui.window.link_menu import LinkMenu
from casedesk.ui.window.panel_menus import PanelMenus
from casedesk.ui.window.read_only import ReadOnlyBanner, ReadOnlyMode
from casedesk.ui.window.receipt_banner import ReceiptBanner, verify_command
from casedesk.ui.window.status_totals import StatusTotals
from casedesk.ui.window.undo_keys import UndoKeyFilter
from casedesk.ui.window.window_state import WindowState
from casedesk.ui.window.workspace_switcher import WorkspaceSwitcher


def _workspace_key(ws: Workspace) -> str:
    return hashlib.sha256(ws.target.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class MainWindow(ReadOnlyMode, StatusTotals, WindowState, WorkspaceSwitcher, CaseTools, ChartCommands,  # noqa: E501
                 PanelMenus, ContextMenus, LinkMenu, WorkspaceEncryption,
                 EditController, WindowActions, QMainWindow):
    """CaseDesk's main window over one open workspace."""

    case_changed = Signal(object)
    workspace_changed = Signal(object)

    def __init__(self, workspace: Workspace, runner: TaskRunner | None = None, *,
                 settings: QSettings | None = None):
        super().__init__()
        self.ws = workspace
        self.vocab = default_vocabulary()
        self.settings = settings if settings is not None else QSettings()
        self._own_runner = runner is None
        self.runner = runner if runner is not None else TaskRunner(self)
        self.selection = SelectionModel(self)
        self.ops = Operations(workspace, self.runner, self, vocab=self.vocab)
        self.ops.refresh_vocab()  # the workspace's own catalog models too
        self.ops.report_error = lambda e: self.show_error(e, "")
        self.undo_stack = QUndoStack(self)
        self._undo_keys = UndoKeyFilter(self)
        QApplication.instance().installEventFilter(self._undo_keys)
        self._case_id: int | None = None
        self._dirty: set[str] = set()
        self._timeline_case: int | None | str = "none"
        self.dialog: QWidget | None = None  # the last dialog opened (automation and tests reach it here)
        self.link_menu: QMenu | None = None
        self.context_menu: QMenu | None = None
        self.actions_by_name: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self.setObjectName("main_window")
        self.setWindowIcon(icon("platform"))
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
                            | QMainWindow.DockOption.AllowNestedDocks)
        self.resize(1500, 920)
        self.chart = ChartPanel(self.ops, self)
        self.chart.setObjectName("chart_panel")
        self.read_only_banner = ReadOnlyBanner(self)
        self.receipt_banner = ReceiptBanner(self)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.receipt_banner)
        column.addWidget(self.read_only_banner)
        column.addWidget(self.chart, 1)
        self.setCentralWidget(central)
        self.navigator = NavigatorPanel(self.ops, self.vocab, self)
        self.inspector = InspectorWidget(self.ops, self.vocab, self)
        self.inspector.setObjectName("inspector")
        self.bottom_tabs = QTabWidget(self)
        self.bottom_tabs.setObjectName("bottom_tabs")
        self.bottom_tabs.setDocumentMode(True)
        self.tables: dict[str, RecordTableTab] = {}
        for kind in RECORD_KINDS:
            tab = RecordTableTab(kind, self.ops, self.vocab, self)
            self.tables[kind] = tab
            self.bottom_tabs.addTab(tab, kind_icon(kind), self.vocab.record_kinds[kind].plural)
        self.timeline = TimelineTab(self)
        self._build_links_tab()  # the Links tab after the record tables; its menus reach the timeline
        # Findings (with Run analysis and decisions) and screening hits are their issues' panels.
        self.findings = FindingsPanel(self.ops, self)
        self.hits = ScreeningHitsPanel(self.ops, self)
        self.duplicates = DuplicatesPanel(self.ops, self)
        self.duplicates.setObjectName("duplicates_panel")
        self.hits.setObjectName("hits_panel")
        for panel in (self.findings, self.hits):
            # Their layouts ask for ~250 px; the bottom dock starts shorter so the chart keeps room.
            panel.setMinimumSize(200, 140)
        self.audit = AuditTab(self.ops, self)
        self.bottom_tabs.addTab(self.timeline, "Timeline")
        self.bottom_tabs.addTab(self.findings, "Findings")
        self.bottom_tabs.addTab(self.hits, "Screening hits")
        self.bottom_tabs.addTab(self.duplicates, "Possible duplicates")
        self.bottom_tabs.addTab(self.audit, "Audit log")
        self._build_panel_menus()
        self.dock_navigator = self._dock("Navigator", "dock_navigator", self.navigator,
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.dock_inspector = self._dock("Inspector", "dock_inspector", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_bottom = self._dock("Tables, timeline, findings and audit", "dock_bottom", self.bottom_tabs,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.dock_navigator, self.dock_inspector], [240, 360], Qt.Orientation.Horizontal)
        self.resizeDocks([self.dock_bottom], [270], Qt.Orientation.Vertical)  # findings: rows + explanation
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status()
        self._wire()
        self._restore_layout()
        self._remember_workspace(workspace)
        self._update_title()
        self._load_initial_case()
        self.apply_write_access()
        self.show_receipt_state()
        self.update_encryption_actions()
        self.live = LiveRefresh(self.ops, self)  # other users' and processes' changes, within a second
        self.live.foreign.connect(self.apply_foreign_changes)
        self.live.start()


    def show_receipt_state(self) -> None:
        """The banner naming how the open workspace differs from this install's head receipt."""
        self.receipt_banner.show_problems(self.ops.receipt_problems(),
                                          verify_command(self.ws.target, self.ws.encrypted))

    def _wire(self) -> None:
        sel = self.selection
        self.ops.changed.connect(self.refresh)
        self.ops.busy_changed.connect(self._on_busy_changed)
        sel.record_selected.connect(self._on_record_selected)
        sel.link_selected.connect(self._on_link_selected)
        sel.finding_selected.connect(self._on_finding_selected)
        sel.cleared.connect(self._on_selection_cleared)
        sel.records_changed.connect(self._update_action_states)
        self.navigator.record_chosen.connect(self._on_navigator_record_chosen)
        self.navigator.case_chosen.connect(self.set_case)
        self.chart.records_selected.connect(sel.select_records)
        self.chart.link_selected.connect(sel.select_link)
        self.chart.contract_selected.connect(sel.select_record)
        self.chart.cleared.connect(sel.clear)
        self.chart.message.connect(self._show_status)
        self.chart.layout_computed.connect(self._on_layout_computed)
        self.chart.scene.nodes_moved.connect(self._on_nodes_moved)
        self.chart.view.link_drawn.connect(self.offer_link)
        self.chart.view.files_dropped.connect(lambda rid, paths: self.attach_files(paths, record_id=rid))
        self.chart.view.context_requested.connect(self._on_chart_context)
        for tab in self.tables.values():
            tab.record_chosen.connect(sel.select_record)
        self.timeline.record_chosen.connect(sel.select_record)
        self.timeline.link_chosen.connect(sel.select_link)
        self.findings.finding_chosen.connect(sel.select_finding)
        self.findings.question_record_chosen.connect(sel.select_record)
        self.findings.findings_changed.connect(self._on_findings_changed)
        self.hits.record_selected.connect(sel.select_record)
        self.duplicates.record_chosen.connect(sel.select_record)
        self.duplicates.merge_requested.connect(self._merge_pair)
        self.inspector.other_case_chosen.connect(self.open_record_in_case)
        self.hits.hits_changed.connect(self._on_hits_changed)
        self.audit.record_chosen.connect(self._select_if_exists)
        self.audit.link_chosen.connect(lambda lid: self._select_if_exists(lid, link=True))
        ins = self.inspector
        ins.record_clicked.connect(sel.select_record)
        ins.link_clicked.connect(sel.select_link)
        ins.finding_clicked.connect(sel.select_finding)
        ins.record_edit_requested.connect(self._on_record_edit_requested)
        ins.link_edit_requested.connect(self._on_link_edit_requested)
        ins.child_add_requested.connect(self._on_child_add_requested)
        ins.child_remove_requested.connect(self._on_child_remove_requested)
        ins.party_add_requested.connect(self._on_party_add_requested)
        ins.party_remove_requested.connect(self._on_party_remove_requested)
        ins.event_add_requested.connect(self._on_event_add_requested)
        ins.event_remove_requested.connect(self._on_event_remove_requested)
        ins.cite_requested.connect(self._on_cite_requested)
        ins.citation_remove_requested.connect(self._on_citation_remove_requested)
        ins.files_dropped.connect(self._on_inspector_files_dropped)
        self.bottom_tabs.currentChanged.connect(self._on_bottom_tab_changed)
        self.undo_stack.indexChanged.connect(self._update_action_states)
        self._update_action_states()

    # ==== integration API ============================================================================
    def current_case_id(self) -> int | None:
        """The id of the open case."""
        return self._case_id

    def select_record(self, record_id: int) -> None:
        """Select a record in every view and inspect it."""
        self.selection.select_record(record_id)

    def select_link(self, link_id: int) -> None:
        """Select a link in every view and inspect it."""
        self.selection.select_link(link_id)

    def add_bottom_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab to the bottom panel; returns its index."""
        return self.bottom_tabs.addTab(widget, title)


    def _merge_pair(self, record_a: int, record_b: int) -> None:
        self.selection.select_records([record_a, record_b])
        self.merge_selection()

    def open_record_in_case(self, case_id: int, record_id: int) -> None:
        """Open another case and select one of its records ("Also appears in")."""
        if case_id != self.current_case_id():
            self.set_case(case_id)
        self.select_record(record_id)

    def apply_foreign_changes(self, found: ForeignChanges) -> None:
        """Show what others changed: in place when it can be replayed, else by reloading the case."""
        who = ", ".join(found.actors[:3]) + (" and others" if len(found.actors) > 3 else "")
        if found.changes is None:
            self.set_case(self.current_case_id())
            self.statusBar().showMessage(f"{found.entries:,} changes by {who}: views reloaded", 8000)
            return
        self.inspector.foreign_changes(found)
        self.refresh(found.changes)
        n = found.entries
        self.statusBar().showMessage(f"{n:,} change{'' if n == 1 else 's'} by {who}", 8000)

    def refresh(self, changes: ChangeSet) -> None:
        """Bring every view up to date with what a transaction changed (precisely, no reloads)."""
        if not changes:
            return
        if self._case_id is not None and self._case_id in changes.ids("deleted", "case"):
            self._load_initial_case()
            return
        self.selection.forget(changes.ids("deleted", "record"), changes.ids("deleted", "link"),
                              changes.ids("deleted", "finding"))
        self.navigator.refresh(changes)
        for tab in self.tables.values():
            tab.apply(changes)
        self.links_table.apply(changes)
        self.duplicates.apply(changes)
        self.chart.refresh(changes)
        self.inspector.refresh(changes)
        if {"record", "link", "event"} & (set(changes.created) | set(changes.updated) | set(changes.deleted)):
            self._refresh_later("timeline")
        if "finding" in (set(changes.created) | set(changes.updated) | set(changes.deleted)) \
                or changes.ids("deleted", "record"):
            self.findings.refresh()
        self._refresh_later("audit")
        self._update_totals()
        self._update_tab_titles()

    # ==== cases ======================================================================================
    def _load_initial_case(self) -> None:
        with self.ops.reading() as s:
            cases = list_cases(s)
        remembered = self.settings.value(f"last_case/{_workspace_key(self.ws)}")
        ids = [c.id for c in cases]
        try:
            wanted = int(remembered) if remembered is not None else None
        except (TypeError, ValueError):
            wanted = None
        self.set_case(wanted if wanted in ids else (ids[0] if ids else None))

    def set_case(self, case_id: int | None) -> None:
        """Open a case in every view (the one blanket reload: everything changes)."""
        self._case_id = case_id
        self.undo_stack.clear()
        self.selection.clear()
        self.navigator.load(case_id)
        for tab in self.tables.values():
            tab.model.load(case_id)
        self.findings.set_case(case_id)
        self.hits.set_case(case_id)
        self.duplicates.set_case(case_id)
        self.chart.load_case(case_id)
        self.inspector.show_nothing()
        self._dirty = {"timeline", "audit"}
        self._on_bottom_tab_changed(self.bottom_tabs.currentIndex())
        if case_id is not None:
            self.settings.setValue(f"last_case/{_workspace_key(self.ws)}", case_id)
        self._update_totals()
        self._update_tab_titles()
        self._update_title()
        self._update_action_states()
        self.case_changed.emit(case_id)


    def _refresh_later(self, what: str) -> None:
        """Refresh a tab now if it is showing, else when it is next shown."""
        self._dirty.add(what)
        self._on_bottom_tab_changed(self.bottom_tabs.currentIndex())

    def _on_bottom_tab_changed(self, index: int) -> None:
        widget = self.bottom_tabs.widget(index)
        if widget is self.timeline and "timeline" in self._dirty:
            self._dirty.discard("timeline")
            self._load_timeline()
        elif widget is self.audit and "audit" in self._dirty:
            self._dirty.discard("audit")
            if self.audit.model.case_id() != self._case_id:
                self.audit.model.load(self._case_id)
            else:
                self.audit.model.refresh()

    def _load_timeline(self) -> None:
        from casedesk.services.timeline import timeline_items

        items = []
        if self._case_id is not None:
            with self.ops.reading() as s:
                items = timeline_items(s, self._case_id, vocab=self.vocab)
        if self._timeline_case == self._case_id:
            self.timeline.model.set_rows(items)  # precise: only what changed moves
        else:
            self._timeline_case = self._case_id
            self.timeline.model.reset_rows(items)
            self.timeline.view.fit()
        current = self.selection.current()
        if current and current[0] == "record":
            self.timeline.view.select_record(current[1])

    def _show_tab(self, widget: QWidget) -> None:
        self.dock_bottom.show()
        self.bottom_tabs.setCurrentWidget(widget)

    # ==== selection ==================================================================================
    def _on_record_selected(self, record_id: int) -> None:
        self.inspector.show_record(record_id)
        self.chart.select_records(self.selection.selected_record_ids())
        self.navigator.select_record(record_id)
        with self.ops.reading() as s:
            brief = record_briefs(s, [record_id]).get(record_id)
        kind = brief[1] if brief else None
        current_tab = self.bottom_tabs.currentWidget()
        for k, tab in self.tables.items():
            if k == kind:
                tab.select_record(record_id)
                if isinstance(current_tab, RecordTableTab) and current_tab is not tab:
                    self.bottom_tabs.setCurrentWidget(tab)
            else:
                tab.clear_selection()
        self.timeline.view.select_record(record_id)
        self.findings.select_finding(None)
        self._update_action_states()

    def _on_link_selected(self, link_id: int) -> None:
        self.inspector.show_link(link_id)
        self.chart.select_link(link_id)
        self.navigator.clear_selection()
        for tab in self.tables.values():
            tab.clear_selection()
        self.timeline.view.select_link(link_id)
        self.findings.select_finding(None)
        self._update_action_states()

    def _on_finding_selected(self, finding_id: int) -> None:
        self.inspector.show_finding(finding_id)
        self.findings.select_finding(finding_id)
        self.navigator.clear_selection()
        for tab in self.tables.values():
            tab.clear_selection()
        self.timeline.view.clear_selection()
        data = self.inspector.data if self.inspector.mode == "finding" else None
        self.chart.clear_selection()
        if data is not None:
            self.chart.highlight_path(data["record_ids"], data["link_ids"])
        self._update_action_states()

    def _on_selection_cleared(self) -> None:
        self.inspector.show_nothing()
        self.chart.clear_selection()
        self.navigator.clear_selection()
        for tab in self.tables.values():
            tab.clear_selection()
        self.timeline.view.clear_selection()
        self.findings.select_finding(None)
        self._update_action_states()

    def _on_navigator_record_chosen(self, record_id: int) -> None:
        self.selection.select_record(record_id)
        self.chart.focus_on(record_id)  # a search result jumps to the record on the chart

    def _select_if_exists(self, object_id: int, *, link: bool = False) -> None:
        from casedesk.domain.models import Link, Record

        with self.ops.reading() as s:
            exists = s.get(Link if link else Record, object_id) is not None
        if not exists:
            self.statusBar().showMessage(f"{'Link' if link else 'Record'} {object_id} no longer exists", 5000)
            return
        (self.selection.select_link if link else self.selection.select_record)(object_id)


def run_idle(window: MainWindow, app: QApplication | None = None, timeout_ms: int = 10000) -> bool:
    """Process events until the window has no pending work (scripts and benchmarks)."""
    import time

    app = app or QApplication.instance()
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        app.processEvents()
        if window.is_idle():
            app.processEvents()
            return True
        time.sleep(0.002)
    return False
