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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QPoint, QPointF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from casedesk.domain.errors import CaseDeskError, ConflictError, ValidationError
from casedesk.domain.models import RECORD_KINDS
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services import chart as chart_svc
from casedesk.services.cases import create_case, list_cases
from casedesk.services.analysis.compute_views import case_totals
from casedesk.services.fields import LINK_FIELDS, fields_of
from casedesk.services.tables import kind_counts, record_briefs
from casedesk.storage.workspace import ChangeSet, Workspace
from casedesk.ui import text as ui_text
from casedesk.ui import undo
from casedesk.ui.chart.panel import ChartPanel
from casedesk.ui.dialogs.records import AttachEvidenceDialog, ConflictDialog, NewRecordDialog
from casedesk.ui.icons import ICON_SIZE, icon, kind_icon
from casedesk.ui.operations import Operations
from casedesk.ui.selection import SelectionModel
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.widgets.inspector import InspectorWidget
from casedesk.ui.widgets.navigator import NavigatorPanel
from casedesk.ui.dialogs.export_dialog import ExportDossierDialog
from casedesk.ui.dialogs.import_wizard import ImportWizard
from casedesk.ui.dialogs.watchlist_dialog import WatchlistImportDialog
from casedesk.ui.widgets.findings_panel import FindingsPanel
from casedesk.ui.widgets.hits_panel import ScreeningHitsPanel
from casedesk.ui.widgets.tabs import AuditTab, RecordTableTab, TimelineTab

RECENT_MAX = 8
Point = tuple[float, float]


def _workspace_key(ws: Workspace) -> str:
    return hashlib.sha256(ws.target.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class MainWindow(QMainWindow):
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
        self.ops = Operations(workspace, self.runner, self)
        self.ops.report_error = lambda e: self.show_error(e, "")
        self.undo_stack = QUndoStack(self)
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
        workspace_fn: Callable[[], Workspace] = lambda: self.ws  # noqa: E731 - views follow a workspace switch
        self.chart = ChartPanel(workspace_fn, self.runner, self.ops, self)
        self.chart.setObjectName("chart_panel")
        self.setCentralWidget(self.chart)
        self.navigator = NavigatorPanel(workspace_fn, self.vocab, self)
        self.inspector = InspectorWidget(workspace_fn, self.vocab, self)
        self.inspector.setObjectName("inspector")
        self.bottom_tabs = QTabWidget(self)
        self.bottom_tabs.setObjectName("bottom_tabs")
        self.bottom_tabs.setDocumentMode(True)
        self.tables: dict[str, RecordTableTab] = {}
        for kind in RECORD_KINDS:
            tab = RecordTableTab(kind, workspace_fn, self.vocab, self)
            self.tables[kind] = tab
            self.bottom_tabs.addTab(tab, kind_icon(kind), self.vocab.record_kinds[kind].plural)
        self.timeline = TimelineTab(self)
        # Findings (with Run analysis and decisions) and screening hits are their issues' panels.
        self.findings = FindingsPanel(self.ops, self)
        self.hits = ScreeningHitsPanel(self.ops, self)
        self.hits.setObjectName("hits_panel")
        for panel in (self.findings, self.hits):
            # Their layouts ask for ~250 px; the bottom dock starts shorter so the chart keeps room.
            panel.setMinimumSize(200, 140)
        self.audit = AuditTab(workspace_fn, self)
        self.bottom_tabs.addTab(self.timeline, "Timeline")
        self.bottom_tabs.addTab(self.findings, "Findings")
        self.bottom_tabs.addTab(self.hits, "Screening hits")
        self.bottom_tabs.addTab(self.audit, "Audit log")
        self.dock_navigator = self._dock("Navigator", "dock_navigator", self.navigator,
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.dock_inspector = self._dock("Inspector", "dock_inspector", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_bottom = self._dock("Tables, timeline, findings and audit", "dock_bottom", self.bottom_tabs,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.dock_navigator, self.dock_inspector], [240, 360], Qt.Orientation.Horizontal)
        self.resizeDocks([self.dock_bottom], [230], Qt.Orientation.Vertical)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status()
        self._wire()
        self._restore_layout()
        self._remember_workspace(workspace)
        self._update_title()
        self._load_initial_case()

    # ==== construction ===============================================================================
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, name: str, text: str, slot: Callable[..., Any] | None = None, *,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None, icon_name: str | None = None,
                tip: str | None = None, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{name}")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        if tip or shortcut is not None:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip((tip or text.replace("&", "").rstrip("…")) + (f" ({keys})" if keys else ""))
        action.setCheckable(checkable)
        if slot is not None:
            (action.toggled if checkable else action.triggered).connect(lambda *a: slot(*a[:1]) if checkable else slot())
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        a = self._action
        a("new_workspace", "&New workspace…", self.new_workspace, shortcut="Ctrl+Shift+N")
        a("open_workspace", "&Open workspace…", self.open_workspace, shortcut="Ctrl+O")
        a("open_url", "Open &database URL…", self.open_database_url, shortcut="Ctrl+Shift+O")
        a("new_case", "New &case…", self.new_case, shortcut="Ctrl+Alt+N")
        a("load_demo", "Load the &demo case", self.load_demo_case, shortcut="Ctrl+Alt+D")
        a("import_csv", "&Import CSV/XLSX evidence…", self.import_evidence, shortcut="Ctrl+I")
        a("export_dossier", "&Export dossier (PDF)…", self.export_dossier, shortcut="Ctrl+Shift+P")
        a("run_analysis", "&Run analysis", self.run_analysis, shortcut="F5")
        a("load_watchlist", "&Load screening list…", self.load_watchlist, shortcut="Ctrl+Shift+L")
        a("screen_case", "&Screen case against lists", self.screen_case, shortcut="F6")
        a("show_hits", "Screening &hits", lambda: self._show_tab(self.hits), shortcut="Ctrl+Shift+K")
        a("quit", "&Quit", self.close, shortcut="Ctrl+Q")
        undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        undo_action.setIcon(icon("undo"))
        undo_action.setObjectName("action_undo")
        redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        redo_action.setIcon(icon("redo"))
        redo_action.setObjectName("action_redo")
        self.actions_by_name["undo"], self.actions_by_name["redo"] = undo_action, redo_action
        a("delete", "&Delete", self.delete_selection, shortcut="Del", icon_name="delete",
          tip="Delete the selected records or link (Undo brings them back)")
        a("merge", "&Merge two records…", self.merge_selection, shortcut="Ctrl+M", icon_name="merge",
          tip="Merge the two selected records of the same kind")
        a("find", "&Find a record", self.focus_search, shortcut="Ctrl+F", icon_name="search")
        a("select_all", "Select all on the chart", self.select_all_on_chart, shortcut="Ctrl+A")
        a("attach", "&Attach evidence…", self.attach_evidence_to_selection, shortcut="Ctrl+E",
          icon_name="evidence", tip="Attach files as graded evidence to the selected record or link")
        for n, kind in enumerate(RECORD_KINDS, start=1):
            a(f"new_{kind}", f"New {self.vocab.record_kinds[kind].label.lower()}…",
              lambda k=kind: self.new_record(k), shortcut=f"Ctrl+{n}", icon_name=kind,
              tip=f"Create a {self.vocab.record_kinds[kind].label.lower()}")
        a("link_tool", "&Link tool", self._on_link_tool_toggled, shortcut="L", icon_name="link", checkable=True,
          tip="Drag from one record to another to link them (or hold Shift while dragging)")
        a("layout", "Automatic &layout", self.run_layout, shortcut="Ctrl+L", icon_name="layout")
        a("fit", "&Fit to view", self.chart.view.fit_all, shortcut="Ctrl+0", icon_name="fit")
        a("zoom_in", "Zoom &in", lambda: self.chart.view.zoom_by(1.25), shortcut="Ctrl++",
          icon_name="zoom_in")
        a("zoom_out", "Zoom &out", lambda: self.chart.view.zoom_by(0.8), shortcut="Ctrl+-",
          icon_name="zoom_out")
        a("expand", "&Expand neighbours", self.expand_selection, shortcut="Ctrl+Shift+E", icon_name="expand",
          tip="Bring the neighbours of the selected records onto the chart")
        a("path", "Find &path between two records", self.find_path, shortcut="Ctrl+P", icon_name="path",
          tip="Highlight the shortest path between the two selected records")
        a("neighbourhood", "&Highlight neighbourhood", self.chart.set_neighbourhood_mode, shortcut="H",
          icon_name="neighbourhood", checkable=True,
          tip="Fade everything except the selected record and its direct neighbours")
        a("clear_highlight", "&Clear highlight", self.chart.clear_highlight, shortcut="Esc")
        a("hide", "&Hide selected from chart", self.hide_selection, shortcut="Ctrl+H", icon_name="hide")
        a("unhide", "Show hidden records", lambda: self.chart.scene.unhide_records(), shortcut="Ctrl+Shift+H")
        a("show_all", "Show &all records", self.chart.show_all, shortcut="Ctrl+Alt+A", icon_name="show_all")
        a("show_timeline", "&Timeline", lambda: self._show_tab(self.timeline), shortcut="Ctrl+T")
        a("show_findings", "Fin&dings", lambda: self._show_tab(self.findings), shortcut="Ctrl+Shift+F")
        a("show_audit", "&Audit log", lambda: self._show_tab(self.audit), shortcut="Ctrl+Shift+A")
        a("reset_layout", "&Reset window layout", self.reset_layout, shortcut="Ctrl+Alt+R")
        a("shortcuts", "&Keyboard shortcuts", self.show_shortcuts, shortcut="F1")
        a("about", "&About CaseDesk", self.show_about, shortcut="Ctrl+Alt+H")
        # Filters: hide/show records by kind (and party kind) and links by type.
        self.kind_filters: dict[str, QAction] = {}
        for kind in RECORD_KINDS:
            act = QAction(self.vocab.record_kinds[kind].plural, self, checkable=True, checked=True)
            act.setIcon(kind_icon(kind))
            act.setObjectName(f"action_show_kind_{kind}")
            act.toggled.connect(self._apply_filters)
            self.kind_filters[kind] = act
        for code, pk in self.vocab.party_kinds.items():
            act = QAction(f"Parties: {pk.label}", self, checkable=True, checked=True)
            act.setIcon(kind_icon("party", code))
            act.setObjectName(f"action_show_kind_party_{code}")
            act.toggled.connect(self._apply_filters)
            self.kind_filters[f"party/{code}"] = act
        self.link_filters: dict[str, QAction] = {}
        for code, lt in list(self.vocab.link_types.items()) + [("contract_party", None)]:
            act = QAction(lt.label if lt else "contract party (role)", self, checkable=True, checked=True)
            act.setObjectName(f"action_show_link_{code}")
            act.toggled.connect(self._apply_filters)
            self.link_filters[code] = act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        names = self.actions_by_name

        def menu(title: str, key: str, items: list[Any]) -> QMenu:
            m = bar.addMenu(title)
            m.setObjectName(f"menu_{key.lower()}")
            for item in items:
                if item is None:
                    m.addSeparator()
                elif isinstance(item, QMenu):
                    m.addMenu(item)
                else:
                    m.addAction(names[item] if isinstance(item, str) else item)
            self.menus[key] = m
            return m

        self.recent_menu = QMenu("&Recent workspaces", self)
        self.recent_menu.setObjectName("menu_recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu("&File", "File", ["new_workspace", "open_workspace", "open_url", self.recent_menu, None,
                               "new_case", "load_demo", None, "import_csv", "export_dossier", None, "quit"])
        menu("&Edit", "Edit", ["undo", "redo", None, "delete", "merge", "attach", None, "find", "select_all"])
        menu("&Insert", "Insert", [f"new_{k}" for k in RECORD_KINDS] + [None, "link_tool"])
        kinds = QMenu("Show record kinds", self)
        for act in self.kind_filters.values():
            kinds.addAction(act)
        links = QMenu("Show link types", self)
        for act in self.link_filters.values():
            links.addAction(act)
        menu("&Chart", "Chart", ["layout", "fit", "zoom_in", "zoom_out", None, "expand", "show_all", "hide",
                                 "unhide", None, "path", "neighbourhood", "clear_highlight", None, kinds, links])
        docks = []
        for n, (dock, name) in enumerate(((self.dock_navigator, "toggle_navigator"),
                                          (self.dock_inspector, "toggle_inspector"),
                                          (self.dock_bottom, "toggle_bottom")), start=1):
            act = dock.toggleViewAction()
            act.setShortcut(QKeySequence(f"Ctrl+Alt+{n}"))
            act.setObjectName(f"action_{name}")
            self.actions_by_name[name] = act
            docks.append(act)
        view_items: list[Any] = docks + [None, "show_timeline", "show_findings", "show_hits", "show_audit",
                                         None, "reset_layout"]
        menu("&View", "View", view_items)
        menu("&Analysis", "Analysis", ["run_analysis", None, "load_watchlist", "screen_case"])
        menu("&Help", "Help", ["shortcuts", "about"])

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("toolbar_main")
        bar.setIconSize(ICON_SIZE)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        party_button = QToolButton(bar)
        party_button.setDefaultAction(self.actions_by_name["new_party"])
        party_menu = QMenu(party_button)
        for code, pk in self.vocab.party_kinds.items():
            act = party_menu.addAction(kind_icon("party", code), f"New {pk.label.lower()}…")
            act.triggered.connect(lambda _=False, c=code: self.new_record("party", party_kind=c))
        party_button.setMenu(party_menu)
        party_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        bar.addWidget(party_button)
        for kind in RECORD_KINDS[1:]:
            bar.addAction(self.actions_by_name[f"new_{kind}"])
        bar.addSeparator()
        for name in ("link_tool", "attach", "delete", "merge"):
            bar.addAction(self.actions_by_name[name])
        bar.addSeparator()
        for name in ("undo", "redo"):
            bar.addAction(self.actions_by_name[name])
        bar.addSeparator()
        for name in ("layout", "fit", "zoom_in", "zoom_out", "expand", "path", "neighbourhood", "hide"):
            bar.addAction(self.actions_by_name[name])
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_status(self) -> None:
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("status_totals")
        self.busy_label = QLabel("", self)
        self.busy_label.setObjectName("status_busy")
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.totals_label)

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
        self.findings.findings_changed.connect(self._on_findings_changed)
        self.hits.record_selected.connect(sel.select_record)
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

    def highlight_path(self, record_ids: list[int], link_ids: list[int]) -> None:
        """Highlight records and links (a finding's explanation, a path) on the chart."""
        self.chart.highlight_path(list(record_ids), list(link_ids))

    def add_bottom_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab to the bottom panel; returns its index."""
        return self.bottom_tabs.addTab(widget, title)

    def add_menu_action(self, menu_name: str, action: QAction) -> None:
        """Add an action to a menu ("File", "Edit", "Insert", "Chart", "View", "Help" or a new one)."""
        key = menu_name.replace("&", "")
        menu = self.menus.get(key)
        if menu is None:
            menu = QMenu(menu_name, self)
            menu.setObjectName(f"menu_{key.lower()}")
            self.menuBar().insertMenu(self.menus["Help"].menuAction(), menu)
            self.menus[key] = menu
        menu.addAction(action)
        if action.parent() is None:
            action.setParent(self)

    def visible_record_ids(self) -> list[int]:
        """Records shown on the chart (what the dossier renders)."""
        return self.chart.visible_record_ids()

    def visible_link_ids(self) -> list[int]:
        """Links shown on the chart."""
        return self.chart.visible_link_ids()

    def chart_positions(self) -> dict[int, tuple[float, float]]:
        """Chart positions of the shown records."""
        return self.chart.chart_positions()

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
        with self.ws.read() as s:
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

    def _update_title(self) -> None:
        title = "CaseDesk"
        if self._case_id is not None:
            with self.ws.read() as s:
                case = next((c for c in list_cases(s) if c.id == self._case_id), None)
            if case is not None:
                title = f"{ui_text.plain(case.title, 80)} — CaseDesk"
        self.setWindowTitle(f"{title} — {ui_text.plain(self.ws.describe(), 80)}")

    def _update_totals(self) -> None:
        if self._case_id is None:
            self.totals_label.setText("No case open")
            return
        with self.ws.read() as s:
            t = case_totals(s, self._case_id, self.vocab)
        tpp = f"{t.total_tpp / 1e6:,.1f} M TPP" if t.total_tpp >= 1e6 else f"{t.total_tpp:,.0f} TPP"
        text = (f"{t.records:,} records · {t.links:,} links · {t.accelerators_text()} accelerators"
                f" · aggregate {tpp}")
        if t.unknown_fleets:
            text += f" · {t.unknown_fleets} fleet(s) not counted"
        self.totals_label.setText(text)
        self.totals_label.setToolTip("Totals of the open case: accelerators from server fleets "
                                     "(count × per server), TPP from the accelerator catalog")

    def _update_tab_titles(self) -> None:
        if self._case_id is None:
            return
        with self.ws.read() as s:
            counts = kind_counts(s, self._case_id)
        for kind, tab in self.tables.items():
            index = self.bottom_tabs.indexOf(tab)
            self.bottom_tabs.setTabText(index, f"{self.vocab.record_kinds[kind].plural} ({counts[kind]:,})")
        n = self.findings.model.rowCount()
        self.bottom_tabs.setTabText(self.bottom_tabs.indexOf(self.findings), f"Findings ({n})" if n else "Findings")

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
            with self.ws.read() as s:
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
        with self.ws.read() as s:
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

        with self.ws.read() as s:
            exists = s.get(Link if link else Record, object_id) is not None
        if not exists:
            self.statusBar().showMessage(f"{'Link' if link else 'Record'} {object_id} no longer exists", 5000)
            return
        (self.selection.select_link if link else self.selection.select_record)(object_id)

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.dock_navigator.show()
        self.navigator.search.setFocus()
        self.navigator.search.selectAll()

    def select_all_on_chart(self) -> None:
        """Select every visible record on the chart."""
        ids = self.chart.visible_record_ids()
        if ids:
            self.selection.select_records(ids)

    def _update_action_states(self, *_: Any) -> None:
        records = self.selection.selected_record_ids()
        current = self.selection.current()
        busy = self.ops.busy()
        self.actions_by_name["delete"].setEnabled(bool(records) or (current is not None and current[0] == "link"))
        self.actions_by_name["merge"].setEnabled(len(records) == 2)
        self.actions_by_name["path"].setEnabled(len(records) == 2)
        self.actions_by_name["expand"].setEnabled(bool(records))
        self.actions_by_name["hide"].setEnabled(bool(records))
        self.actions_by_name["attach"].setEnabled(current is not None and current[0] in ("record", "link"))
        self.actions_by_name["undo"].setEnabled(self.undo_stack.canUndo() and not busy)
        self.actions_by_name["redo"].setEnabled(self.undo_stack.canRedo() and not busy)
        for name in ("new_party", "new_wallet", "new_datacenter", "new_server", "new_contract", "layout"):
            self.actions_by_name[name].setEnabled(self._case_id is not None)

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 6000)

    def _on_busy_changed(self, busy: bool) -> None:
        self.busy_label.setText("Saving…" if busy else "")
        self._update_action_states()

    def is_idle(self) -> bool:
        """True when no edit or background job is pending."""
        return (not self.ops.busy() and self.runner.pending() == 0 and not self.chart.layout_running
                and not self.chart.layout_pending())

    # ==== edit helpers ===============================================================================
    def show_error(self, error: CaseDeskError | str, action: str) -> None:
        """Tell the user why an edit was refused (conflicts offer to reload)."""
        if isinstance(error, ConflictError):
            box = ConflictDialog(error, action, self)
            box.reload_requested.connect(self._reload_after_conflict)
        else:
            box = QMessageBox(QMessageBox.Icon.Warning, "CaseDesk", "", QMessageBox.StandardButton.Ok, self)
            box.setObjectName("error_dialog")
            prefix = f"{ui_text.plain(action, 80)}: " if action else ""
            box.setText(prefix + ui_text.plain(str(error), 400))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = box
        self.statusBar().showMessage(ui_text.plain(str(error), 200), 8000)
        box.open()

    def _reload_after_conflict(self) -> None:
        self.inspector.reload()
        record_id = self.selection.current_record_id()
        if record_id is not None:
            changes = ChangeSet()
            changes.add("updated", "record", record_id)
            self.refresh(changes)
        self.statusBar().showMessage("Reloaded the current values", 5000)

    def place_records(self, positions: Mapping[int, Point], removed: list[int]) -> None:
        """(EditContext) move records on the chart after an undo/redo of a move or layout."""
        self.chart.place_records(positions, removed)

    def focus_record(self, record_id: int) -> None:
        """(EditContext) select a record an edit just made or kept."""
        self.selection.select_record(record_id)
        self.chart.focus_on(record_id)

    def _label(self, record_id: int) -> str:
        with self.ws.read() as s:
            brief = record_briefs(s, [record_id]).get(record_id)
        return brief[2] if brief else f"record {record_id}"

    # ==== creating records ===========================================================================
    def new_record(self, kind: str, *, party_kind: str | None = None, position: Point | None = None) -> NewRecordDialog | None:
        """Ask for a new record's main fields, then create it (at a chart position)."""
        if self._case_id is None:
            self.statusBar().showMessage("Open or create a case first", 5000)
            return None
        dialog = NewRecordDialog(kind, self.vocab, self, party_kind=party_kind or ("company" if kind == "party" else None))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        where = position or self._new_record_spot()
        dialog.accepted.connect(lambda: self.create_record(dialog.record_in, where))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _new_record_spot(self) -> Point:
        current = self.selection.current_record_id()
        item = self.chart.scene.nodes.get(current) if current is not None else None
        if item is not None:
            return (item.pos().x() + 200.0, item.pos().y())
        return self.chart.view_centre()

    def create_record(self, data: Any, position: Point | None = None) -> None:
        """Create a record as an undoable edit, placed on the chart."""
        if data is None or self._case_id is None:
            return
        label = data.fields.get("label", "")
        spot = position if position is not None else self._new_record_spot()
        # Nudge the spot clear of existing records so the new one is readable at once.
        from casedesk.services.layout import place_near

        boxes = self.chart.scene.boxes()
        boxes[-1] = (-75.0, -22.0, 150.0, 80.0)
        spot = place_near([-1], [], self.chart.scene.positions(), boxes, default=spot)[-1]
        cmd = undo.CreateRecordCommand(self, self._case_id, data,
                                       f"Create {self.vocab.record_kinds[data.kind].label.lower()} {ui_text.quoted(label)}",
                                       spot)
        cmd.execute()

    # ==== editing fields =============================================================================
    def _edit_failed(self, error: CaseDeskError | str, field: str, action: str) -> None:
        """A refused field edit: the reason goes under the field (the service's field, else the edited one)."""
        if isinstance(error, ValidationError):
            if self.inspector.show_field_error(error.field, error.reason) or \
                    self.inspector.show_field_error(field, error.reason):
                return
        self.show_error(error, action)

    def _on_record_edit_requested(self, record_id: int, field: str, old: Any, raw: Any, version: int) -> None:
        spec = next(s for s in fields_of(self.inspector.data["kind"]) if s.name == field)
        text = f"Edit {spec.label} of {ui_text.quoted(self.inspector.data['label'])}"
        cmd = undo.UpdateRecordCommand(self, record_id, field, old, raw, version, text)
        cmd.on_error = lambda e: self._edit_failed(e, field, text)
        cmd.execute()

    def _on_link_edit_requested(self, link_id: int, field: str, old: Any, raw: Any, version: int) -> None:
        spec = next(s for s in LINK_FIELDS if s.name == field)
        text = f"Edit {spec.label} of link {ui_text.quoted(self.inspector.data['type_label'])}"
        cmd = undo.UpdateLinkCommand(self, link_id, field, old, raw, version, text)
        cmd.on_error = lambda e: self._edit_failed(e, field, text)
        cmd.execute()

    def _on_child_add_requested(self, record_id: int, child: str, payload: Any) -> None:
        what = {"aliases": "name", "identifiers": "identifier", "addresses": "address"}[child]
        shown = getattr(payload, "name", None) or getattr(payload, "value", None) or getattr(payload, "full", "")
        undo.AddChildCommand(self, record_id, child, payload,
                             f"Add {what} {ui_text.quoted(shown)} to {ui_text.quoted(self._label(record_id))}").execute()

    def _on_child_remove_requested(self, record_id: int, child: str, child_id: int, payload: Any) -> None:
        what = {"aliases": "name", "identifiers": "identifier", "addresses": "address"}[child]
        shown = getattr(payload, "name", None) or getattr(payload, "value", None) or getattr(payload, "full", "")
        undo.RemoveChildCommand(self, record_id, child, child_id, payload,
                                f"Remove {what} {ui_text.quoted(shown)} from {ui_text.quoted(self._label(record_id))}"
                                ).execute()

    def _on_party_add_requested(self, contract_id: int, party_id: int, role: str) -> None:
        undo.AddContractPartyCommand(self, contract_id, party_id, role,
                                     f"Add {ui_text.quoted(self._label(party_id))} as {role} of "
                                     f"{ui_text.quoted(self._label(contract_id))}").execute()

    def _on_party_remove_requested(self, cp_id: int, contract_id: int, party_id: int, role: str) -> None:
        undo.RemoveContractPartyCommand(self, cp_id, contract_id, party_id, role,
                                        f"Remove {ui_text.quoted(self._label(party_id))} ({role}) from "
                                        f"{ui_text.quoted(self._label(contract_id))}").execute()

    def _on_event_add_requested(self, record_id: int, title: str, on: str, until: Any) -> None:
        undo.AddEventCommand(self, self._case_id, record_id, title, on, until,
                             f"Add event {ui_text.quoted(title)}").execute()

    def _on_event_remove_requested(self, event_id: int, title: str) -> None:
        undo.RemoveEventCommand(self, event_id, f"Delete event {ui_text.quoted(title)}").execute()

    def _on_cite_requested(self, evidence_id: int, record_id: Any, link_id: Any, locator: str) -> None:
        undo.CiteCommand(self, evidence_id, record_id, link_id, locator, "Cite evidence").execute()

    def _on_citation_remove_requested(self, citation_id: int, title: str) -> None:
        undo.RemoveCitationCommand(self, citation_id, f"Remove citation of {ui_text.quoted(title)}").execute()

    # ==== links ======================================================================================
    def offer_link(self, source_id: int, target_id: int, where: QPoint | None = None) -> QMenu | None:
        """Offer the link types (and contract roles) the vocabulary allows from source to target."""
        with self.ws.read() as s:
            briefs = record_briefs(s, [source_id, target_id])
            contract_type = None
            if briefs.get(target_id, (0, ""))[1] == "contract" or briefs.get(source_id, (0, ""))[1] == "contract":
                from casedesk.domain.models import Contract

                cid = target_id if briefs[target_id][1] == "contract" else source_id
                contract_type = s.get(Contract, cid).contract_type
        if source_id not in briefs or target_id not in briefs:
            return None
        _, skind, slabel, ssub = briefs[source_id]
        _, tkind, tlabel, tsub = briefs[target_id]
        menu = QMenu(self)
        menu.setObjectName("link_menu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        header = menu.addAction(f"{ui_text.plain(slabel, 30)} → {ui_text.plain(tlabel, 30)}")
        header.setEnabled(False)
        options = 0
        for code, lt in self.vocab.link_types.items():
            if lt.allows(skind, ssub, tkind, tsub):
                act = menu.addAction(icon("link"), lt.label)
                act.setObjectName(f"link_type_{code}")
                act.setToolTip(lt.description)
                act.triggered.connect(lambda _=False, c=code: self.create_link(c, source_id, target_id))
                options += 1
        # A party or wallet dropped onto a contract (or the other way) joins it in a role.
        party, contract = (source_id, target_id) if tkind == "contract" else (target_id, source_id)
        party_kind = briefs[party][1]
        if contract_type and party_kind in ("party", "wallet") and "contract" in (skind, tkind):
            menu.addSeparator()
            for role in self.vocab.contract_types[contract_type].roles:
                label = self.vocab.contract_roles[role].label
                act = menu.addAction(kind_icon("contract"), f"Party to the contract as {label.lower()}")
                act.setObjectName(f"contract_role_{role}")
                act.triggered.connect(lambda _=False, r=role: self._on_party_add_requested(contract, party, r))
                options += 1
        if not options:
            menu.deleteLater()
            self.statusBar().showMessage(
                f"No link type joins a {skind} to a {tkind} in this direction (see the vocabulary)", 8000)
            return None
        self.link_menu = menu
        menu.popup(where or self.chart.view.mapToGlobal(self.chart.view.rect().center()))
        return menu

    def create_link(self, link_type: str, source_id: int, target_id: int, **fields: Any) -> None:
        """Create a link as an undoable edit and select it."""
        lt = self.vocab.link_types[link_type]
        text = f"Link {ui_text.quoted(self._label(source_id))} {lt.label} {ui_text.quoted(self._label(target_id))}"
        cmd = undo.CreateLinkCommand(self, self._case_id, link_type, source_id, target_id, fields, text)
        cmd.execute(on_done=lambda link_id: self.selection.select_link(link_id))

    def _on_link_tool_toggled(self, on: bool) -> None:
        self.chart.view.link_mode = bool(on)
        self.chart.view.setDragMode(self.chart.view.DragMode.NoDrag if on else self.chart.view.DragMode.RubberBandDrag)
        self.statusBar().showMessage("Link tool: drag from one record to another" if on else "", 5000)

    # ==== delete, merge, path ========================================================================
    def delete_selection(self) -> QMessageBox | None:
        """Ask, then delete the selected records (with their links) or the selected link."""
        records = self.selection.selected_record_ids()
        link_id = self.selection.current_link_id()
        if not records and link_id is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "Delete", "", QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("delete_dialog")
        if records:
            with self.ws.read() as s:
                edges = chart_svc.chart_edges(s, self._case_id, records, touching=True)
            n_links = len({e.key for e in edges if e.link_id is not None})
            what = ui_text.quoted(self._label(records[0])) if len(records) == 1 else f"{len(records)} records"
            box.setText(f"Delete {what}?")
            box.setInformativeText(f"{n_links} link(s) and the citations and events of the deleted records go "
                                   "with them. Undo brings everything back.")
            text = f"Delete {what}"
        else:
            box.setText("Delete the selected link?")
            box.setInformativeText("Undo brings it back.")
            text = "Delete link"
        delete_button = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(delete_button)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(_result: int) -> None:
            if box.clickedButton() != delete_button:
                return
            if records:
                undo.DeleteRecordsCommand(self, records, text).execute()
            else:
                undo.DeleteLinksCommand(self, [link_id], text).execute()

        box.finished.connect(finished)
        self.dialog = box
        box.open()
        return box

    def merge_selection(self) -> QMessageBox | None:
        """Ask which of two selected records to keep, then merge the other into it."""
        records = self.selection.selected_record_ids()
        if len(records) != 2:
            self.statusBar().showMessage("Select exactly two records of the same kind to merge them", 6000)
            return None
        with self.ws.read() as s:
            briefs = record_briefs(s, records)
        a, b = records
        if briefs[a][1] != briefs[b][1]:
            self.show_error(ValidationError("merge", f"cannot merge a {briefs[b][1]} into a {briefs[a][1]}"), "Merge")
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "Merge records", "", QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("merge_dialog")
        box.setText(f"Merge {ui_text.quoted(briefs[a][2])} and {ui_text.quoted(briefs[b][2])}?")
        box.setInformativeText("The kept record takes the other's names, identifiers, addresses, links, "
                               "citations and events; the other's label becomes a name of it. Undo splits them again.")
        keep_a = box.addButton(f"Keep {ui_text.quoted(briefs[a][2], 30)}", QMessageBox.ButtonRole.AcceptRole)
        keep_b = box.addButton(f"Keep {ui_text.quoted(briefs[b][2], 30)}", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.keep_buttons = {a: keep_a, b: keep_b}  # type: ignore[attr-defined]

        def finished(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked == keep_a:
                keep, drop = a, b
            elif clicked == keep_b:
                keep, drop = b, a
            else:
                return
            undo.MergeCommand(self, keep, drop, f"Merge {ui_text.quoted(briefs[drop][2])} into "
                                                f"{ui_text.quoted(briefs[keep][2])}").execute()

        box.finished.connect(finished)
        self.dialog = box
        box.open()
        return box

    def find_path(self) -> None:
        """Highlight the shortest path between the two selected records."""
        records = self.selection.selected_record_ids()
        if len(records) != 2 or self._case_id is None:
            self.statusBar().showMessage("Select two records to find the path between them", 6000)
            return
        with self.ws.read() as s:
            path = chart_svc.find_path(s, self._case_id, records[0], records[1])
        if path is None:
            self.statusBar().showMessage("These two records are not connected by any chain of links", 8000)
            self.chart.clear_highlight()
            return
        self.chart.highlight_path(path.record_ids, path.link_ids)
        self.statusBar().showMessage(f"Path of {len(path.record_ids) - 1} step(s) highlighted "
                                     "(Esc clears the highlight)", 8000)

    def expand_selection(self) -> None:
        """Bring the neighbours of the selected records onto the chart."""
        self.chart.expand(self.selection.selected_record_ids())

    def hide_selection(self) -> None:
        """Hide the selected records from the chart (this session)."""
        records = self.selection.selected_record_ids()
        if records:
            self.chart.hide_records(records)
            self.selection.clear()

    def run_layout(self) -> None:
        """Lay out the chart automatically (undoable)."""
        self.chart.run_layout()

    def _on_layout_computed(self, before: dict, after: dict) -> None:
        self.chart.place_records(after)
        undo.MoveRecordsCommand(self, self._case_id, before, after, "Automatic layout", reason="layout").execute()
        self.chart.view.fit_all()

    def _on_nodes_moved(self, before: dict, after: dict) -> None:
        n = len(after)
        text = f"Move {ui_text.quoted(self._label(next(iter(after))))}" if n == 1 else f"Move {n} records"
        undo.MoveRecordsCommand(self, self._case_id, before, after, text).execute()

    def _apply_filters(self, *_: Any) -> None:
        hidden_kinds = {k for k, a in self.kind_filters.items() if not a.isChecked()}
        hidden_links = {k for k, a in self.link_filters.items() if not a.isChecked()}
        self.chart.set_filters(hidden_kinds, hidden_links)

    # ==== evidence ===================================================================================
    def attach_evidence_to_selection(self) -> None:
        """Pick files and attach them to the selected record or link."""
        current = self.selection.current()
        if current is None or current[0] not in ("record", "link"):
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "Attach evidence")
        if paths:
            self.attach_files(paths, **({"record_id": current[1]} if current[0] == "record" else {"link_id": current[1]}))

    def _on_inspector_files_dropped(self, paths: list[str]) -> None:
        current = self.inspector.current()
        if current and current[0] == "record":
            self.attach_files(paths, record_id=current[1])
        elif current and current[0] == "link":
            self.attach_files(paths, link_id=current[1])

    def attach_files(self, paths: list[str], *, record_id: int | None = None,
                     link_id: int | None = None) -> AttachEvidenceDialog | None:
        """Grade dropped files in a small dialog, then attach and cite each (undoable)."""
        files = [p for p in paths if Path(p).is_file()]
        if not files or self._case_id is None:
            self.statusBar().showMessage("Only files can be attached as evidence", 5000)
            return None
        subject = self._label(record_id) if record_id is not None else f"link {link_id}"
        dialog = AttachEvidenceDialog(files, subject, self.vocab, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            for path, meta in zip(files, dialog.meta):
                undo.AttachEvidenceCommand(self, self._case_id, path, meta, record_id, link_id, dialog.locator,
                                           f"Attach {ui_text.quoted(meta['title'])} to {ui_text.quoted(subject)}"
                                           ).execute()

        dialog.accepted.connect(accepted)
        self.dialog = dialog
        dialog.open()
        return dialog

    # ==== chart context menu =========================================================================
    def _on_chart_context(self, record_id: Any, link_key: Any, scene_pos: QPointF, global_pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setObjectName("chart_context_menu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        names = self.actions_by_name
        if record_id is not None:
            if record_id not in self.selection.selected_record_ids():
                self.selection.select_record(record_id)
            for name in ("expand", "hide", "path", "merge", "attach", None, "delete"):
                if name is None:
                    menu.addSeparator()
                else:
                    menu.addAction(names[name])
        elif isinstance(link_key, str):
            edge = self.chart.scene.edges[link_key]
            if edge.link_id is not None:
                self.selection.select_link(edge.link_id)
                menu.addAction(names["attach"])
                menu.addAction(names["delete"])
            else:
                self.selection.select_record(edge.edge.target_id)
                menu.addAction("Edit the contract's parties in the inspector").setEnabled(False)
        else:
            spot = (scene_pos.x(), scene_pos.y())
            for kind in RECORD_KINDS:
                act = menu.addAction(kind_icon(kind), f"New {self.vocab.record_kinds[kind].label.lower()} here…")
                act.setObjectName(f"context_new_{kind}")
                act.triggered.connect(lambda _=False, k=kind: self.new_record(k, position=spot))
            menu.addSeparator()
            for name in ("layout", "fit", "show_all", "unhide"):
                menu.addAction(names[name])
        self.context_menu = menu
        menu.popup(global_pos)

    # ==== workspaces =================================================================================
    def _remember_workspace(self, ws: Workspace) -> None:
        recent = [r for r in self._recent() if r != ws.target]
        self.settings.setValue("recent_workspaces", ([ws.target] + recent)[:RECENT_MAX])

    def _recent(self) -> list[str]:
        value = self.settings.value("recent_workspaces") or []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        for n, target in enumerate(recent, start=1):
            shown = target if "://" not in target else target.split("@")[-1]
            act = self.recent_menu.addAction(f"&{n} {ui_text.plain(shown, 80)}")
            act.triggered.connect(lambda _=False, t=target: self.open_workspace_target(t))

    def new_workspace(self) -> None:
        """Create a new workspace file and open it."""
        path, _ = QFileDialog.getSaveFileName(self, "New workspace", str(Path.home() / "case.casedesk"),
                                              "CaseDesk workspace (*.casedesk)")
        if path:
            if not path.endswith(".casedesk"):
                path += ".casedesk"
            self.open_workspace_target(path, create=True)

    def open_workspace(self) -> None:
        """Open an existing workspace file."""
        path, _ = QFileDialog.getOpenFileName(self, "Open workspace", str(Path.home()),
                                              "CaseDesk workspace (*.casedesk);;All files (*)")
        if path:
            self.open_workspace_target(path)

    def open_database_url(self) -> None:
        """Open a team workspace on a PostgreSQL server."""
        url, ok = QInputDialog.getText(self, "Open database", "PostgreSQL URL (postgresql+psycopg://user@host/db):")
        if ok and url.strip():
            self.open_workspace_target(url.strip())

    def open_workspace_target(self, target: str, *, create: bool = False) -> None:
        """Open (and upgrade) a workspace in the background, then show it."""
        if not self.is_idle():
            self.statusBar().showMessage("Wait for the current edit to finish", 5000)
            return
        from casedesk.storage.workspace import open_workspace

        self.statusBar().showMessage(f"Opening {ui_text.plain(target, 80)}…")

        def failed(error: Any) -> None:
            self.show_error(error, "Open workspace")

        def done(ws: Workspace) -> None:
            self.set_workspace(ws)

        def job() -> Any:
            try:
                return open_workspace(target, create=True)
            except CaseDeskError as exc:
                return exc

        self.runner.submit(job, on_done=lambda r: failed(r) if isinstance(r, CaseDeskError) else done(r),
                           on_error=failed)

    def set_workspace(self, ws: Workspace) -> None:
        """Show another workspace (the previous one is closed)."""
        old = self.ws
        self.ws = ws
        self.ops.set_workspace(ws)
        self.undo_stack.clear()
        self._remember_workspace(ws)
        self._load_initial_case()
        self.workspace_changed.emit(ws)
        if old is not ws:
            old.dispose()
        self.statusBar().showMessage(f"Opened {ui_text.plain(ws.describe(), 80)}", 5000)

    # ==== import, analysis, screening, dossier (their issues' dialogs and panels) ====================
    def _need_case(self, what: str) -> int | None:
        case_id = self.current_case_id()
        if case_id is None:
            self.show_error(f"open or create a case first, then {what}", "")
        return case_id

    def import_evidence(self) -> ImportWizard | None:
        """Open the import wizard for the current case (File › Import)."""
        case_id = self._need_case("import a file into it")
        if case_id is None:
            return None
        wizard = ImportWizard(self.ws, case_id, self.runner, self)
        wizard.import_finished.connect(lambda _batch: self.set_case(self.current_case_id()))
        self.dialog = wizard
        wizard.open()
        return wizard

    def export_dossier(self) -> ExportDossierDialog | None:
        """Open the dossier export for the current case or view (File › Export dossier)."""
        case_id = self._need_case("export its dossier")
        if case_id is None:
            return None
        dialog = ExportDossierDialog(self.ws, case_id, self.runner, view_provider=self._view_state,
                                     parent=self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _view_state(self) -> tuple[list[int], list[int], dict[int, tuple[float, float]]]:
        return self.visible_record_ids(), self.visible_link_ids(), self.chart_positions()

    def run_analysis(self) -> None:
        """Run the red-flag analysis of the current case in the background (Analysis menu)."""
        if self._need_case("run the analysis") is None:
            return
        self._show_tab(self.findings)
        self.findings.run_analysis()

    def load_watchlist(self) -> WatchlistImportDialog:
        """Open the screening-list import dialog."""
        dialog = WatchlistImportDialog(self.ops, self)
        dialog.imported.connect(lambda _list_id: self.statusBar().showMessage("Screening list loaded", 5000))
        self.dialog = dialog
        dialog.open()
        return dialog

    def screen_case(self) -> None:
        """Screen the current case's parties and wallets against every loaded list."""
        if self._need_case("screen it") is None:
            return
        self._show_tab(self.hits)
        self.hits.start_screening()

    def _on_findings_changed(self) -> None:
        self._update_tab_titles()
        self._update_totals()

    def _on_hits_changed(self, _case_id: int) -> None:
        self.findings.refresh()  # a confirmed hit becomes a finding
        self._update_tab_titles()

    def new_case(self) -> QInputDialog:
        """Ask for a title and create a case."""
        dialog = QInputDialog(self)
        dialog.setObjectName("new_case_dialog")
        dialog.setWindowTitle("New case")
        dialog.setLabelText("Case title:")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self._create_case)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _create_case(self, title: str) -> None:
        self.ops.run(lambda s: create_case(s, title).id, on_done=self.set_case,
                     on_error=lambda e: self.show_error(e, "New case"))

    def load_demo_case(self) -> None:
        """Add the built-in demo case to the workspace and open it."""
        from casedesk.services.demo import load_demo_case

        self.ops.run(lambda s: load_demo_case(s).id, on_done=self.set_case,
                     on_error=lambda e: self.show_error(e, "Load demo case"))

    # ==== window state ===============================================================================
    def _restore_layout(self) -> None:
        self._default_state = self.saveState()
        geometry = self.settings.value("main_window/geometry")
        state = self.settings.value("main_window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_layout(self) -> None:
        """Remember dock and toolbar layout and window geometry."""
        self.settings.setValue("main_window/geometry", self.saveGeometry())
        self.settings.setValue("main_window/state", self.saveState())
        self.settings.sync()

    def reset_layout(self) -> None:
        """Put docks and toolbars back where they started."""
        self.restoreState(self._default_state)
        for dock in (self.dock_navigator, self.dock_inspector, self.dock_bottom):
            dock.show()

    def show_shortcuts(self) -> QMessageBox:
        """List every action with a keyboard shortcut."""
        rows = []
        for action in self.actions_by_name.values():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append(f"{keys:<18} {action.text().replace('&', '')}")
        rows += ["Shift+drag           Draw a link from one record to another",
                 "Wheel / Shift+wheel  Zoom / scroll the chart",
                 "Middle drag, Space   Pan the chart",
                 "Ctrl+wheel           Zoom the timeline"]
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", "Keyboard shortcuts",
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("shortcuts_dialog")
        box.setInformativeText("\n".join(sorted(rows)))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = box
        box.open()
        return box

    def show_about(self) -> None:
        """Say what CaseDesk is."""
        from casedesk import __version__

        box = QMessageBox(QMessageBox.Icon.Information, "About CaseDesk",
                          f"CaseDesk {__version__}\nOffline due-diligence case manager for AI-compute "
                          "export-control and KYC investigations.", QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = box
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_layout()
        if self._own_runner:
            self.runner.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the runner this window started (tests and embedders that never close the window)."""
        if self._own_runner:
            self.runner.shutdown()


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
