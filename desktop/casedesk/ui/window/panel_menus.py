"""Right-click menus on the findings, the screening hits and the audit log: the panels' own verbs, rows out"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from casedesk.services.table_rows import record_briefs
from casedesk.ui import text as ui_text


class PanelMenus:
    """MainWindow's part (beside ContextMenus, whose items, record verbs and row actions it reuses)."""

    def _build_panel_menus(self) -> None:
        self.findings.context_requested.connect(self.show_finding_menu)
        self.hits.context_requested.connect(self.show_hit_menu)
        self.audit.context_requested.connect(self.show_audit_menu)

    def _label_of(self, record_id: int) -> str | None:
        with self.ops.reading() as s:
            brief = record_briefs(s, [record_id]).get(record_id)
        return None if brief is None else brief[2]

    def _writes(self) -> bool:
        return getattr(self, "write_blocked", None) is None

    # ==== findings =====================================================================================
    def show_finding_menu(self, finding_id: Any, where: QPoint) -> QMenu:
        """The selected finding's menu: its subject, its path, the decisions its status allows, copy."""
        menu = self._new_menu("finding_context_menu")
        panel = self.findings
        finding = panel.selected_finding() if finding_id is not None else None
        if finding is not None:
            menu.addAction(ui_text.plain(finding["title"], 70)).setEnabled(False)
            ids, links = list(finding["record_ids"]), list(finding["link_ids"])
            subject = ids[0] if ids else None
            label = self._label_of(subject) if subject is not None else None
            if subject is not None and label is not None:
                self._item(menu, "inspect_subject", f"&Inspect {ui_text.quoted(label)}",
                           lambda: self.inspect_record(subject))
                self._item(menu, "subject_on_chart", "Show the subject on the &chart",
                           lambda: self.show_on_chart(subject))
            self._item(menu, "show_path", "Show the &path on the chart", lambda: self.show_path_on_chart(ids, links),
                       enabled=bool(ids))
            menu.addSeparator()
            self._decision_items(menu, panel, "finding", "C&onfirm as a red flag", "&Dismiss…")
            menu.addSeparator()
            self._item(menu, "copy_title", "Copy &title", lambda: self._copy(finding["title"], "title"))
            self._item(menu, "copy_explanation", "Copy the e&xplanation",
                       lambda: self._copy(finding.get("explanation") or "", "explanation"))
            menu.addSeparator()
        self.add_row_actions(menu, panel.view, "findings")
        return self._popup(menu, where)

    def _decision_items(self, menu: QMenu, panel: Any, what: str, confirm: str, dismiss: str) -> None:
        """Confirm, dismiss and re-open through the panel's own buttons' methods (greyed as they are)."""
        writes = self._writes()
        for name, text, act, button in (
                (f"confirm_{what}", confirm, lambda: panel.decide_selected("confirmed"), panel.confirm_button),
                (f"dismiss_{what}", dismiss, lambda: panel.dismiss_selected(), panel.dismiss_button),
                (f"reopen_{what}", "&Re-open", lambda: panel.decide_selected("open"), panel.reopen_button)):
            self._item(menu, name, text, act, enabled=writes and button.isEnabled())

    def show_path_on_chart(self, record_ids: list[int], link_ids: list[int]) -> None:
        """Bring a path's records onto the chart and highlight it there."""
        self.chart.ensure_shown(record_ids)
        self.highlight_path(record_ids, link_ids)

    # ==== screening hits ===============================================================================
    def show_hit_menu(self, hit_id: Any, where: QPoint) -> QMenu:
        """The selected hit's menu: confirm or dismiss the match, the party, the list entry, copy."""
        menu = self._new_menu("hit_context_menu")
        panel = self.hits
        hit = panel.selected_hit() if hit_id is not None else None
        if hit is not None:
            record_id = int(hit["record_id"])
            label, entry = hit.get("record_label") or "", hit.get("entry_name") or ""
            menu.addAction(f"{ui_text.plain(label, 30)} ↔ {ui_text.plain(entry, 30)}").setEnabled(False)
            self._decision_items(menu, panel, "hit", "C&onfirm the match", "&Dismiss the match…")
            menu.addSeparator()
            self._item(menu, "inspect_party", f"&Inspect {ui_text.quoted(label)}",
                       lambda: self.inspect_record(record_id))
            self._item(menu, "show_on_chart", "Show on &chart", lambda: self.show_on_chart(record_id))
            self._item(menu, "open_entry", "Open the &list entry…", panel.show_list_entry)
            menu.addSeparator()
            self._item(menu, "copy_entry_name", "Copy the list entry's &name", lambda: self._copy(entry, "name"))
            self._item(menu, "copy_label", "Copy the party's &label", lambda: self._copy(label, "label"))
            menu.addSeparator()
        self.add_row_actions(menu, panel.table, "screening hits")
        return self._popup(menu, where)

    # ==== audit log ====================================================================================
    def show_audit_menu(self, entry: Any, where: QPoint) -> QMenu:
        """An audit entry's menu: open what it changed (when it still exists), copy its details, rows out."""
        menu = self._new_menu("audit_context_menu")
        if entry is not None:
            kind, target = self._audit_target(entry)
            what = {"link": "link", "finding": "finding"}.get(kind, "record")
            exists = target is not None and self._exists(kind, target)
            act = self._item(menu, "open_audited", f"&Open the {what}", lambda: self.open_audited(kind, target),
                             enabled=exists)
            if target is not None and not exists:
                act.setText(f"The {what} no longer exists")
            self._item(menu, "copy_details", "Copy the &details",
                       lambda: self._copy(entry.get("summary") or "", "details"))
            menu.addSeparator()
        self.add_row_actions(menu, self.audit.view, "audit log")
        return self._popup(menu, where)

    @staticmethod
    def _audit_target(entry: dict[str, Any]) -> tuple[str, int | None]:
        """('link' | 'finding' | 'record', id) an entry is about; id None when it names no such thing."""
        if entry.get("entity") in ("link", "finding") and entry.get("entity_id") is not None:
            return entry["entity"], int(entry["entity_id"])
        return "record", entry.get("record_id")

    def _exists(self, kind: str, object_id: int) -> bool:
        from casedesk.domain.models import Finding, Link, Record

        model = {"link": Link, "finding": Finding}.get(kind, Record)
        with self.ops.reading() as s:
            return s.get(model, object_id) is not None

    def open_audited(self, kind: str, object_id: int | None) -> None:
        """Select what an audit entry changed everywhere and show it in the inspector."""
        if object_id is None:
            return
        if kind == "finding":
            self.selection.select_finding(object_id)
        else:
            self._select_if_exists(object_id, link=kind == "link")
        self.dock_inspector.show()
        self.dock_inspector.raise_()
