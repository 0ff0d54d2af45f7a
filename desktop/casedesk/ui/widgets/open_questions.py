"""The open-questions list beside the findings: one item per data gap, its records beneath it.

Signals:
    record_chosen(int): a record under a question was selected (the window jumps to it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from casedesk.ui import text as ui_text

RECORD_ROLE = Qt.ItemDataRole.UserRole
_SHOWN_PER_GROUP = 500  # a group of thousands of records lists the first ones and says so


class OpenQuestionsView(QTreeWidget):
    """Groups of open questions (title and count), each record openable by selecting it."""

    record_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("open_questions")
        self.setHeaderHidden(True)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.itemSelectionChanged.connect(self._on_selection)
        self.itemActivated.connect(self._on_activated)

    def set_groups(self, groups: Iterable[Mapping[str, Any]]) -> int:
        """Show grouped open questions (see services.analysis.questions); returns the group count."""
        self.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        n = 0
        for g in groups:
            n += 1
            items = list(g.get("items") or [])
            top = QTreeWidgetItem([ui_text.display(f"{g['title']} ({len(items)})", 300)])
            top.setFont(0, bold)
            top.setToolTip(0, ui_text.display(g["title"], 1000))
            top.setData(0, RECORD_ROLE, None)
            for it in items[:_SHOWN_PER_GROUP]:
                label = it.get("label") or "(case)"
                child = QTreeWidgetItem([ui_text.display(f"{label}: {it.get('question', '')}", 400)])
                child.setToolTip(0, ui_text.display(f"{label}: {it.get('question', '')}", 2000))  # the row may be cut
                child.setData(0, RECORD_ROLE, it.get("record_id"))
                top.addChild(child)
            if len(items) > _SHOWN_PER_GROUP:
                more = QTreeWidgetItem([f"… and {len(items) - _SHOWN_PER_GROUP:,} more (see the dossier or CLI)"])
                more.setData(0, RECORD_ROLE, None)
                top.addChild(more)
            self.addTopLevelItem(top)
            top.setExpanded(len(items) <= 20)
        return n

    def group_count(self) -> int:
        """How many groups are shown."""
        return self.topLevelItemCount()

    def records_of(self, group: int) -> list[int | None]:
        """The record ids listed under a group (for tests and keyboard users' scripts)."""
        top = self.topLevelItem(group)
        return [top.child(i).data(0, RECORD_ROLE) for i in range(top.childCount())]

    def choose(self, group: int, row: int) -> None:
        """Select a record under a group (as a click would)."""
        self.setCurrentItem(self.topLevelItem(group).child(row))

    def _on_selection(self) -> None:
        items = self.selectedItems()
        if items:
            self._emit(items[0])

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self._emit(item)

    def _emit(self, item: QTreeWidgetItem) -> None:
        rid = item.data(0, RECORD_ROLE)
        if rid is not None:
            self.record_chosen.emit(int(rid))
