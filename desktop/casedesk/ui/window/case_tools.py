"""Import, export, analysis, screening, new case and the demo case, started from the window"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from casedesk.services.table_rows import SCREENED_KINDS
from casedesk.ui import text as ui_text
from casedesk.ui.dialogs.catalog_dialog import CatalogDialog
from casedesk.ui.dialogs.exchange_dialog import ExportCaseDialog
from casedesk.ui.dialogs.export_dialog import ExportDossierDialog
from casedesk.ui.dialogs.import_wizard import ImportWizard
from casedesk.ui.dialogs.new_case_dialog import NewCaseDialog
from casedesk.ui.dialogs.preferences_dialog import PreferencesDialog
from casedesk.ui.dialogs.watchlist_dialog import WatchlistImportDialog
from casedesk.ui.operations import cases, exchange, importing


class CaseTools:
    """MainWindow's part: Import, export, analysis, screening, new case and the demo case, started from the window."""

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
        wizard = ImportWizard(self.ops, case_id, self)
        wizard.import_finished.connect(lambda batch: self._imported(wizard, batch))
        wizard.import_undone.connect(self._import_undone)
        self.dialog = wizard
        wizard.open()
        return wizard

    def _imported(self, wizard: ImportWizard, batch_id: int) -> None:
        """Show the imported records, and put the import on the undo stack (Edit › Undo import)."""
        self.set_case(self.current_case_id())  # clears the stack: the command goes on after it
        name = wizard.result.filename if wizard.result is not None else f"batch {batch_id}"
        command = importing.ImportCommand(self, batch_id, name)
        command.push_done()
        self._import_commands = {**getattr(self, "_import_commands", {}), batch_id: command}

    def _import_undone(self, batch_id: int) -> None:
        """The wizard's Undo import ran: the stack steps past the import without running it again."""
        command = getattr(self, "_import_commands", {}).get(batch_id)
        if command is not None:
            command.mark_undone()

    def export_dossier(self) -> ExportDossierDialog | None:
        """Open the dossier export for the current case or view (File › Export dossier)."""
        case_id = self._need_case("export its dossier")
        if case_id is None:
            return None
        dialog = ExportDossierDialog(self.ops, case_id, view_provider=self._view_state,
                                     parent=self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def export_case(self) -> ExportCaseDialog | None:
        """Open the case export: FtM, GraphML, CSV or a case pack (File › Export case)."""
        case_id = self._need_case("export it")
        if case_id is None:
            return None
        dialog = ExportCaseDialog(self.ops, case_id, view_records=self.visible_record_ids, parent=self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def import_case_pack(self, path: str | None = None) -> int | None:
        """Add the case of a case pack to this workspace (File › Import case pack); the job id."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Import case pack", str(Path.home()),
                                                  "CaseDesk case pack (*.casepack);;All files (*)")
        if not path:
            return None
        self.statusBar().showMessage(f"Checking {ui_text.plain(Path(path).name, 80)}…")

        def done(imported: Any) -> None:
            if imported.catalog.added:
                self.ops.refresh_vocab()  # the carried models now classify in every view
            self.set_case(imported.case_id)
            note = "; ".join(imported.catalog.lines())
            self.statusBar().showMessage(
                f"Imported case {imported.case_id}: {imported.records:,} records, {imported.links:,} links, "
                f"{imported.evidence:,} evidence files (every part's hash checked)"
                + (f". {note}" if note else ""), 15000)
            if imported.catalog.conflicts:  # the receiver's figures won: said where it cannot be missed
                self._catalog_conflicts(imported.catalog.conflicts)

        return exchange.import_pack(self.ops, Path(path), on_done=done,
                                    on_error=lambda e: self.show_error(e, "Import case pack"))

    def _catalog_conflicts(self, conflicts: list[dict[str, Any]]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, "Import case pack",
                          "The pack's accelerator catalog differs from this workspace's; this "
                          "workspace's models were kept.", QMessageBox.StandardButton.Ok, self)
        box.setObjectName("catalog_conflict_dialog")
        box.setInformativeText("\n".join(ui_text.plain(c["message"], 300) for c in conflicts[:10]))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = box
        box.open()
        return box

    def edit_preferences(self) -> PreferencesDialog:
        """Edit › Preferences: your name (the audit's actor on a workspace file) and organisation."""
        database_user = self.ops.actor if self.ws.dialect != "sqlite" else None
        dialog = PreferencesDialog(database_user, self)

        def saved() -> None:
            if dialog.saved is not None and database_user is None:
                self.ws.actor = dialog.saved.actor()  # the audit names the new name from the next edit
                self._update_actor()

        dialog.accepted.connect(saved)
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

    def show_catalog(self) -> CatalogDialog:
        """Open the accelerator catalog (Analysis menu): browse it, add a model it lacks."""
        dialog = CatalogDialog(self.ops, self)
        dialog.model_added.connect(lambda e: self.statusBar().showMessage(
            f"{e['name']} added to the workspace catalog: run the analysis to count it", 8000))
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
        self.chart.refresh_screening()  # badges on the chart
        for kind in SCREENED_KINDS:  # the tables' Screening column
            self.tables[kind].model.reload()
        self._update_tab_titles()

    def new_case(self) -> NewCaseDialog:
        """Ask for a title and the case's properties (reference, client, marking), then create it."""
        dialog = NewCaseDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.case_requested.connect(self._create_case)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _create_case(self, title: str, properties: dict | None = None) -> None:
        cases.new_case(self.ops, title, properties=properties, on_done=self.set_case,
                       on_error=lambda e: self.show_error(e, "New case"))

    def load_demo_case(self) -> None:
        """Add the built-in demo case to the workspace and open it."""
        cases.add_demo_case(self.ops, on_done=self.set_case,
                            on_error=lambda e: self.show_error(e, "Load demo case"))
