"""The link types offered between two records (services.link_rules decides), and the chart's context menu"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import (
    QMenu,
)

from casedesk.domain.models import RECORD_KINDS
from casedesk.services.link_rules import allowed_links
from casedesk.ui import text as ui_text
from casedesk.ui.icons import icon, kind_icon


class LinkMenu:
    """MainWindow's part: The link types offered between two records (services.link_rules decides), and the chart's context menu."""

    # ==== links ======================================================================================
    def offer_link(self, source_id: int, target_id: int, where: QPoint | None = None) -> QMenu | None:
        """Offer the link types (and contract roles) the vocabulary allows from source to target."""
        choices = self.ops.read(lambda s: allowed_links(s, self.vocab, source_id, target_id))
        if choices is None:
            return None
        skind, tkind = choices.source_kind, choices.target_kind
        menu = QMenu(self)
        menu.setObjectName("link_menu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        header = menu.addAction(f"{ui_text.plain(choices.source_label, 30)} → {ui_text.plain(choices.target_label, 30)}")
        header.setEnabled(False)
        for code in choices.link_types:
            lt = self.vocab.link_types[code]
            act = menu.addAction(icon("link"), lt.label)
            act.setObjectName(f"link_type_{code}")
            act.setToolTip(lt.description)
            act.triggered.connect(lambda _=False, c=code: self.create_link(c, source_id, target_id))
        if choices.roles:
            menu.addSeparator()
            party, contract = choices.party_id, choices.contract_id
            for role in choices.roles:
                label = self.vocab.contract_roles[role].label
                act = menu.addAction(kind_icon("contract"), f"Party to the contract as {label.lower()}")
                act.setObjectName(f"contract_role_{role}")
                act.triggered.connect(lambda _=False, r=role: self._on_party_add_requested(contract, party, r))
        options = len(choices.link_types) + len(choices.roles)
        if not options:
            menu.deleteLater()
            self.statusBar().showMessage(
                f"No link type joins a {skind} to a {tkind} in this direction (see the vocabulary)", 8000)
            return None
        self.link_menu = menu
        menu.popup(where or self.chart.view.mapToGlobal(self.chart.view.rect().center()))
        return menu

    def _on_link_tool_toggled(self, on: bool) -> None:
        self.chart.view.link_mode = bool(on)
        self.chart.view.setDragMode(self.chart.view.DragMode.NoDrag if on else self.chart.view.DragMode.RubberBandDrag)
        self.statusBar().showMessage("Link tool: drag from one record to another" if on else "", 5000)

    # ==== chart context menu =========================================================================
    def _on_chart_context(self, record_id: Any, link_key: Any, scene_pos: QPointF, global_pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setObjectName("chart_context_menu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        names = self.actions_by_name
        if record_id is not None:
            if record_id not in self.selection.selected_record_ids():
                self.selection.select_record(record_id)
            self.add_record_actions(menu, record_id, on_chart=True)  # what every view offers
            menu.addSeparator()
            for name in ("expand", "hide", "path", "attach", None, "delete"):
                if name is None:
                    menu.addSeparator()
                else:
                    menu.addAction(names[name])
        elif isinstance(link_key, str):
            edge = self.chart.scene.edges[link_key]
            if edge.link_id is not None:
                lid = edge.link_id
                self.selection.select_link(lid)
                self._item(menu, "inspect_link", "&Inspect", lambda: self.selection.select_link(lid))
                self._item(menu, "copy_id", "Copy &id", lambda: self._copy(str(lid), "id"))
                menu.addSeparator()
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
