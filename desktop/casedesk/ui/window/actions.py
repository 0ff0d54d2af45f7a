"""The action table, menus, toolbar, status bar widgets, keyboard shortcuts and About"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMenu,
    QMessageBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from casedesk.domain.models import RECORD_KINDS
from casedesk.ui import text as ui_text
from casedesk.ui.icons import ICON_SIZE, icon, kind_icon


class WindowActions:
    """MainWindow's part: The action table, menus, toolbar, status bar widgets, keyboard shortcuts and About."""

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
        a("encrypt_workspace", "Encrypt &workspace…", self.encrypt_current_workspace, shortcut="Ctrl+Alt+K",
          tip="Encrypt this workspace file with a passphrase (evidence and backups too)")
        a("decrypt_workspace", "Decr&ypt workspace…", self.decrypt_current_workspace, shortcut="Ctrl+Alt+U",
          tip="Turn this encrypted workspace back into a plain file (an encrypted backup is kept)")
        a("new_case", "New &case…", self.new_case, shortcut="Ctrl+Alt+N")
        a("load_demo", "Load the &demo case", self.load_demo_case, shortcut="Ctrl+Alt+D")
        a("import_csv", "&Import CSV/XLSX evidence…", self.import_evidence, shortcut="Ctrl+I")
        a("export_dossier", "&Export dossier (PDF)…", self.export_dossier, shortcut="Ctrl+Shift+P")
        a("export_case", "Export &case (FtM, GraphML, CSV, case pack)…", self.export_case, shortcut="Ctrl+Alt+E")
        a("import_case_pack", "Import case &pack…", self.import_case_pack, shortcut="Ctrl+Alt+I")
        a("preferences", "&Preferences…", self.edit_preferences, shortcut="Ctrl+,")
        a("run_analysis", "&Run analysis", self.run_analysis, shortcut="F5")
        a("load_watchlist", "&Load screening list…", self.load_watchlist, shortcut="Ctrl+Shift+L")
        a("screen_case", "&Screen case against lists", self.screen_case, shortcut="F6")
        a("accelerator_catalog", "Accelerator &catalog…", self.show_catalog, shortcut="Ctrl+Alt+C")
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
        a("manual", "CaseDesk &manual", self.show_manual, shortcut="F1")
        a("shortcuts", "&Keyboard shortcuts", self.show_shortcuts, shortcut="Shift+F1")
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
                               "encrypt_workspace", "decrypt_workspace", None,
                               "new_case", "load_demo", None, "import_csv", "import_case_pack", None,
                               "export_dossier", "export_case", None, "quit"])
        menu("&Edit", "Edit", ["undo", "redo", None, "delete", "merge", "attach", None, "find", "select_all",
                               None, "preferences"])
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
        menu("&Analysis", "Analysis", ["run_analysis", "accelerator_catalog", None, "load_watchlist",
                                       "screen_case"])
        menu("&Help", "Help", ["manual", "shortcuts", "about"])

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
        self.actor_label = QLabel(self)
        self.actor_label.setObjectName("status_actor")
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.actor_label)
        self.statusBar().addPermanentWidget(self.totals_label)
        self._update_actor()

    def _update_actor(self) -> None:
        """Say in the status bar who the audit records as acting."""
        self.actor_label.setText(f"as {ui_text.plain(self.ops.actor, 60)}")
        self.actor_label.setToolTip("Who the audit log records for your changes (Edit › Preferences)")

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
        self.grey_out_writes()

    def _shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        for action in self.actions_by_name.values():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append((keys, action.text().replace("&", "")))
        rows += [("Shift+drag", "Draw a link from one record to another"),
                 ("Wheel / Shift+wheel", "Zoom / scroll the chart"),
                 ("Middle drag, Space", "Pan the chart"),
                 ("Ctrl+wheel", "Zoom the timeline"),
                 ("Right click", "The actions on a record, link or table row")]
        return sorted(rows)

    def show_manual(self) -> QWidget:
        """Open the manual (F1): walkthrough, the window, importing, screening … and the shortcuts."""
        from casedesk.ui.dialogs.manual_dialog import ManualDialog

        table = "\n".join(f"| {keys} | {what} |" for keys, what in self._shortcut_rows())
        dialog = ManualDialog("# Keyboard shortcuts\n\n| Keys | Action |\n|---|---|\n" + table + "\n", self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.show()
        return dialog

    def show_shortcuts(self) -> QMessageBox:
        """List every action with a keyboard shortcut."""
        rows = [f"{keys:<18} {what}" for keys, what in self._shortcut_rows()]
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", "Keyboard shortcuts",
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("shortcuts_dialog")
        box.setInformativeText("\n".join(rows))
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
