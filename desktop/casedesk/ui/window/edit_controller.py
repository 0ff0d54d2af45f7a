"""Edit requests from the inspector and the chart, turned into undo commands; delete, merge and evidence"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
)

from casedesk.domain.errors import CaseDeskError, ConflictError, ValidationError
from casedesk.services import chart_graph as chart_svc
from casedesk.services.fields import LINK_FIELDS, fields_of
from casedesk.services.listings import current_versions
from casedesk.services.table_rows import record_briefs
from casedesk.storage.workspace import ChangeSet
from casedesk.ui import text as ui_text
from casedesk.ui.dialogs.records import AttachEvidenceDialog, ConflictDialog, NewRecordDialog
from casedesk.ui.operations import evidence as evidence_ops
from casedesk.ui.operations import links as links_ops
from casedesk.ui.operations import records as records_ops
from casedesk.ui.window.chart_commands import Point


class EditController:
    """MainWindow's part: Edit requests from the inspector and the chart, turned into undo commands; delete, merge and evidence."""

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

    def _label(self, record_id: int) -> str:
        with self.ops.reading() as s:
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
        from casedesk.services.chart_layout import place_near

        boxes = self.chart.scene.boxes()
        boxes[-1] = (-75.0, -22.0, 150.0, 80.0)
        spot = place_near([-1], [], self.chart.scene.positions(), boxes, default=spot)[-1]
        cmd = records_ops.CreateRecordCommand(self, self._case_id, data,
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
        cmd = records_ops.UpdateRecordCommand(self, record_id, field, old, raw, version, text)
        cmd.on_error = lambda e: self._edit_failed(e, field, text)
        cmd.execute()

    def _on_link_edit_requested(self, link_id: int, field: str, old: Any, raw: Any, version: int) -> None:
        spec = next(s for s in LINK_FIELDS if s.name == field)
        text = f"Edit {spec.label} of link {ui_text.quoted(self.inspector.data['type_label'])}"
        cmd = links_ops.UpdateLinkCommand(self, link_id, field, old, raw, version, text)
        cmd.on_error = lambda e: self._edit_failed(e, field, text)
        cmd.execute()

    def _on_child_add_requested(self, record_id: int, child: str, payload: Any) -> None:
        what = {"aliases": "name", "identifiers": "identifier", "addresses": "address"}[child]
        shown = getattr(payload, "name", None) or getattr(payload, "value", None) or getattr(payload, "full", "")
        records_ops.AddChildCommand(self, record_id, child, payload,
                             f"Add {what} {ui_text.quoted(shown)} to {ui_text.quoted(self._label(record_id))}").execute()

    def _on_child_remove_requested(self, record_id: int, child: str, child_id: int, payload: Any) -> None:
        what = {"aliases": "name", "identifiers": "identifier", "addresses": "address"}[child]
        shown = getattr(payload, "name", None) or getattr(payload, "value", None) or getattr(payload, "full", "")
        records_ops.RemoveChildCommand(self, record_id, child, child_id, payload,
                                f"Remove {what} {ui_text.quoted(shown)} from {ui_text.quoted(self._label(record_id))}"
                                ).execute()

    def _on_party_add_requested(self, contract_id: int, party_id: int, role: str) -> None:
        records_ops.AddContractPartyCommand(self, contract_id, party_id, role,
                                     f"Add {ui_text.quoted(self._label(party_id))} as {role} of "
                                     f"{ui_text.quoted(self._label(contract_id))}").execute()

    def _on_party_remove_requested(self, cp_id: int, contract_id: int, party_id: int, role: str) -> None:
        records_ops.RemoveContractPartyCommand(self, cp_id, contract_id, party_id, role,
                                        f"Remove {ui_text.quoted(self._label(party_id))} ({role}) from "
                                        f"{ui_text.quoted(self._label(contract_id))}").execute()

    def _on_event_add_requested(self, record_id: int, title: str, on: str, until: Any) -> None:
        records_ops.AddEventCommand(self, self._case_id, record_id, title, on, until,
                             f"Add event {ui_text.quoted(title)}").execute()

    def _on_event_remove_requested(self, event_id: int, title: str) -> None:
        records_ops.RemoveEventCommand(self, event_id, f"Delete event {ui_text.quoted(title)}").execute()

    def _on_cite_requested(self, evidence_id: int, record_id: Any, link_id: Any, locator: str) -> None:
        evidence_ops.CiteCommand(self, evidence_id, record_id, link_id, locator, "Cite evidence").execute()

    def _on_citation_remove_requested(self, citation_id: int, title: str) -> None:
        evidence_ops.RemoveCitationCommand(self, citation_id, f"Remove citation of {ui_text.quoted(title)}").execute()

    def create_link(self, link_type: str, source_id: int, target_id: int, **fields: Any) -> None:
        """Create a link as an undoable edit and select it."""
        lt = self.vocab.link_types[link_type]
        text = f"Link {ui_text.quoted(self._label(source_id))} {lt.label} {ui_text.quoted(self._label(target_id))}"
        cmd = links_ops.CreateLinkCommand(self, self._case_id, link_type, source_id, target_id, fields, text)
        cmd.execute(on_done=lambda link_id: self.selection.select_link(link_id))

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
            with self.ops.reading() as s:
                edges = chart_svc.chart_edges(s, self._case_id, records, touching=True)
                versions = current_versions(s, "record", records)
            n_links = len({e.key for e in edges if e.link_id is not None})
            what = ui_text.quoted(self._label(records[0])) if len(records) == 1 else f"{len(records)} records"
            box.setText(f"Delete {what}?")
            box.setInformativeText(f"{n_links} link(s) and the citations and events of the deleted records go "
                                   "with them. Undo brings everything back.")
            text = f"Delete {what}"
        else:
            with self.ops.reading() as s:
                versions = current_versions(s, "link", [link_id])
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
                records_ops.DeleteRecordsCommand(self, versions, text).execute()
            else:
                links_ops.DeleteLinksCommand(self, versions, text).execute()

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
        with self.ops.reading() as s:
            briefs = record_briefs(s, records)
        a, b = records
        if briefs[a][1] != briefs[b][1]:
            self.show_error(ValidationError("merge", f"cannot merge a {briefs[b][1]} into a {briefs[a][1]}"), "Merge")
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "Merge records", "", QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("merge_dialog")
        box.setText(f"Merge {ui_text.quoted(briefs[a][2])} and {ui_text.quoted(briefs[b][2])}?")
        box.setInformativeText("The kept record takes the other's names, identifiers, addresses, links, "
                               "citations, events, screening hits and decisions; the other's label becomes a name of it. "
                               "Undo splits them again.")
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
            records_ops.MergeCommand(self, keep, drop, f"Merge {ui_text.quoted(briefs[drop][2])} into "
                                                f"{ui_text.quoted(briefs[keep][2])}").execute()

        box.finished.connect(finished)
        self.dialog = box
        box.open()
        return box

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
                evidence_ops.AttachEvidenceCommand(self, self._case_id, path, meta, record_id, link_id, dialog.locator,
                                           f"Attach {ui_text.quoted(meta['title'])} to {ui_text.quoted(subject)}"
                                           ).execute()

        dialog.accepted.connect(accepted)
        self.dialog = dialog
        dialog.open()
        return dialog
