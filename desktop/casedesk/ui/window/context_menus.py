"""Right-click menus on the navigator, the tables and the chart; the Links tab; copy and export of rows"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QTableView

from casedesk.services.table_rows import SCREENED_KINDS, link_rows, record_briefs
from casedesk.ui import text as ui_text
from casedesk.ui.dialogs.link_target import LinkTargetDialog
from casedesk.ui.icons import icon
from casedesk.ui.operations import screening as screening_ops
from casedesk.ui.operations import tables as table_ops
from casedesk.ui.widgets.links_table import LinksTableTab
from casedesk.ui.widgets.tabs import visible_rows


class ContextMenus:
    """MainWindow's part: right-click menus with the actions that apply, the Links tab, rows out."""

    # ==== construction (called once the record tables exist) =========================================
    def _build_links_tab(self) -> None:
        self.links_table = LinksTableTab(self.ops, self.vocab, self)
        self.bottom_tabs.addTab(self.links_table, icon("link"), "Links")
        sel = self.selection
        self.links_table.link_chosen.connect(sel.select_link)
        sel.link_selected.connect(self.links_table.select_link)
        for signal in (sel.record_selected, sel.finding_selected, sel.cleared):
            signal.connect(lambda *_: self.links_table.select_link(None))
        self.case_changed.connect(self.links_table.load)
        self.links_table.context_requested.connect(self._on_links_context)
        self.links_table.model.modelReset.connect(self._update_links_title)
        for tab in self.tables.values():
            tab.context_requested.connect(lambda rid, pos, t=tab: self._on_table_context(t.view, t.kind, rid, pos))
        self.navigator.context_requested.connect(lambda _rid, pos: self.show_record_menu(pos))
        self.timeline.context_requested.connect(
            lambda rid, lid, pos: self.show_link_menu(lid, pos) if lid is not None else self.show_record_menu(pos))

    def _update_links_title(self) -> None:
        n = self.links_table.model.rowCount()
        self.bottom_tabs.setTabText(self.bottom_tabs.indexOf(self.links_table), f"Links ({n:,})")

    def _popup(self, menu: QMenu, where: QPoint) -> QMenu:
        self.context_menu = menu
        menu.popup(where)
        return menu

    def _new_menu(self, name: str) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName(name)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return menu

    def _item(self, menu: QMenu, name: str, text: str, slot: Any, *, enabled: bool = True) -> QAction:
        act = menu.addAction(text)
        act.setObjectName(f"context_{name}")
        act.setEnabled(enabled)
        act.triggered.connect(lambda _=False: slot())
        return act

    # ==== records ======================================================================================
    def add_record_actions(self, menu: QMenu, record_id: int, *, on_chart: bool = False) -> None:
        """The actions on a record every view offers (the chart adds its own)."""
        with self.ops.reading() as s:
            brief = record_briefs(s, [record_id]).get(record_id)
        if brief is None:
            return
        _case, kind, label, _sub = brief
        header = menu.addAction(f"{self.vocab.record_kinds[kind].label}: {ui_text.plain(label, 50)}")
        header.setEnabled(False)
        self._item(menu, "inspect", "&Inspect", lambda: self.inspect_record(record_id))
        self._item(menu, "edit", "&Edit…", lambda: self.inspect_record(record_id, edit=True))
        if not on_chart:
            self._item(menu, "show_on_chart", "Show on &chart", lambda: self.show_on_chart(record_id))
        self._item(menu, "link_to", "&Link to…", lambda: self.link_to(record_id, label))
        two = len(self.selection.selected_record_ids()) == 2
        merge = self._item(menu, "merge", "&Merge the two selected records…", self.merge_selection, enabled=two)
        if not two:
            merge.setToolTip("Select two records of the same kind (Ctrl+click on the chart) to merge them")
        if kind in SCREENED_KINDS:
            self._item(menu, "screen", f"&Screen this {self.vocab.record_kinds[kind].label.lower()}",
                       lambda: self.screen_record(record_id, label))
        menu.addSeparator()
        self._item(menu, "copy_label", "Copy &label", lambda: self._copy(label, "label"))
        self._item(menu, "copy_id", "Copy &id", lambda: self._copy(str(record_id), "id"))

    def show_record_menu(self, where: QPoint, extra: Any = None) -> QMenu | None:
        """The record menu for the current record at a screen position (extra(menu) adds a view's own)."""
        record_id = self.selection.current_record_id()
        if record_id is None:
            return None
        menu = self._new_menu("record_context_menu")
        self.add_record_actions(menu, record_id)
        if extra is not None:
            extra(menu)
        menu.addSeparator()
        menu.addAction(self.actions_by_name["attach"])
        menu.addAction(self.actions_by_name["delete"])
        return self._popup(menu, where)

    def inspect_record(self, record_id: int, *, edit: bool = False) -> None:
        """Select a record and bring the inspector forward (edit: put the cursor in its label)."""
        if record_id != self.selection.current_record_id():
            self.selection.select_record(record_id)
        self.dock_inspector.show()
        self.dock_inspector.raise_()
        if edit and self.inspector.mode == "record":
            self.inspector.editor("label").setFocus(Qt.FocusReason.OtherFocusReason)

    def show_on_chart(self, record_id: int) -> None:
        """Bring a record onto the chart (unhiding it) and centre on it."""
        self.chart.ensure_shown([record_id])
        self.chart.select_records([record_id], centre=True)

    def link_to(self, record_id: int, label: str) -> LinkTargetDialog | None:
        """Ask for the other end by name, then offer the link types that fit."""
        if self._case_id is None:
            return None
        dialog = LinkTargetDialog(self.ops, self._case_id, record_id, label, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.target_chosen.connect(lambda target: self.offer_link(record_id, target))
        self.dialog = dialog
        dialog.open()
        return dialog

    def screen_record(self, record_id: int, label: str) -> int | None:
        """Screen one party or wallet against every loaded list now; its hits appear in Screening hits."""
        case_id = self._case_id
        if case_id is None:
            return None
        self.statusBar().showMessage(f"Screening {ui_text.quoted(label)}…", 5000)

        def done(result: dict[str, Any]) -> None:
            n = len(result.get("hits", []))
            self.hits.reload()
            self._on_hits_changed(case_id)
            self.statusBar().showMessage(
                f"Screened {ui_text.quoted(label)}: {n} hit{'' if n == 1 else 's'}"
                + (" (see Screening hits)" if n else ""), 8000)

        return screening_ops.screen_records(self.ops, case_id, [record_id], float(self.hits.threshold.value()),
                                            on_done=done, on_error=lambda e: self.show_error(e, "Screen"))

    def _copy(self, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied the {what}", 3000)

    # ==== tables =======================================================================================
    def _on_table_context(self, view: QTableView, table: str, record_id: Any, where: QPoint) -> QMenu | None:
        def rows(menu: QMenu) -> None:
            menu.addSeparator()
            self.add_row_actions(menu, view, table)

        if record_id is None:
            menu = self._new_menu("table_context_menu")
            self.add_row_actions(menu, view, table)
            return self._popup(menu, where)
        return self.show_record_menu(where, rows)

    def add_row_actions(self, menu: QMenu, view: QTableView, table: str) -> None:
        """Copy the selected row, copy or export every visible row (the filter and sort as shown)."""
        has_rows = view.model().rowCount() > 0
        keys = QKeySequence(QKeySequence.StandardKey.Copy).toString(QKeySequence.SequenceFormat.NativeText)
        self._item(menu, "copy_row", f"&Copy row\t{keys}", lambda: self.copy_rows(view, selected_only=True),
                   enabled=view.selectionModel().hasSelection())
        self._item(menu, "copy_rows", "Copy all &visible rows", lambda: self.copy_rows(view), enabled=has_rows)
        self._item(menu, "export_rows", "E&xport visible rows as CSV…", lambda: self.export_rows(view, table),
                   enabled=has_rows)

    def copy_rows(self, view: QTableView, *, selected_only: bool = False) -> str:
        """Put rows on the clipboard, tab-separated with the header (pastes into a spreadsheet)."""
        header, rows = visible_rows(view, selected_only=selected_only)
        text = table_ops.clipboard_text(header, rows)
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied {len(rows):,} row{'' if len(rows) == 1 else 's'}", 4000)
        return text

    def export_rows(self, view: QTableView, table: str, path: str | None = None) -> int | None:
        """Write the rows the table shows now to a CSV file (asks where unless given); audited."""
        if self._case_id is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export visible rows", f"{table}.csv", "CSV (*.csv)")
            if not path:
                return None
        header, rows = visible_rows(view)
        box = getattr(view.parentWidget(), "filter", None)  # the tab's filter box, named in the audit
        text = box.text() if box is not None else ""

        def done(_sha: str) -> None:
            self.statusBar().showMessage(f"Exported {len(rows):,} rows to {Path(path).name}", 8000)

        return table_ops.export_visible_rows(self.ops, self._case_id, Path(path), table, header, rows,
                                             filtered=text, on_done=done,
                                             on_error=lambda e: self.show_error(e, "Export rows"))

    # ==== links ========================================================================================
    def _on_links_context(self, link_id: Any, where: QPoint) -> QMenu:
        return self.show_link_menu(link_id, where, rows=self.links_table.view)

    def show_link_menu(self, link_id: int | None, where: QPoint, *, rows: QTableView | None = None) -> QMenu:
        """A link's menu (inspect, show on chart, either end, copy id, delete); rows: a table's row actions too."""
        menu = self._new_menu("link_context_menu")
        if link_id is not None:
            ends = self._link_ends(link_id)
            self._item(menu, "inspect_link", "&Inspect", lambda: self.selection.select_link(link_id))
            self._item(menu, "show_link_on_chart", "Show on &chart", lambda: self.show_link_on_chart(link_id))
            if ends is not None:
                self._item(menu, "open_source", "Go to the &source record", lambda: self.show_on_chart(ends[0]))
                self._item(menu, "open_target", "Go to the &target record", lambda: self.show_on_chart(ends[1]))
            self._item(menu, "copy_id", "Copy &id", lambda: self._copy(str(link_id), "id"))
            menu.addSeparator()
        if rows is not None:
            self.add_row_actions(menu, rows, "links")
        if link_id is not None:
            menu.addSeparator()
            menu.addAction(self.actions_by_name["attach"])
            menu.addAction(self.actions_by_name["delete"])
        return self._popup(menu, where)

    def _link_ends(self, link_id: int) -> tuple[int, int] | None:
        ends = self.links_table.ends(link_id)
        if ends is None:  # not in the table (yet): ask the workspace
            if self._case_id is None:
                return None
            with self.ops.reading() as s:
                found = link_rows(s, self._case_id, ids=[link_id])
            ends = (found[0]["source_id"], found[0]["target_id"]) if found else None
        return ends

    def show_link_on_chart(self, link_id: int) -> None:
        """Bring both ends of a link onto the chart and select the link."""
        ends = self._link_ends(link_id)
        if ends is not None:
            self.chart.ensure_shown(list(ends))
        self.selection.select_link(link_id)
