"""Link to…: pick the record at the other end of a new link by typing any of its names"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.services.search import search_records
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_icon
from casedesk.ui.operations.core import Operations


class LinkTargetDialog(QDialog):
    """Type a name, pick a record: emits target_chosen(record id); the link types are offered next."""

    target_chosen = Signal(int)

    def __init__(self, ops: Operations, case_id: int, source_id: int, source_label: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("link_target_dialog")
        self.setWindowTitle("Link to…")
        self._ops, self._case_id, self._source_id = ops, case_id, source_id
        self.query = QLineEdit(self)
        self.query.setObjectName("link_target_query")
        self.query.setPlaceholderText("Any name or alias of the other record…")
        self.results = QListWidget(self)
        self.results.setObjectName("link_target_results")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Choose link type…")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Link {ui_text.quoted(ui_text.plain(source_label, 60))} to:", self))
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(buttons)
        self.query.textChanged.connect(self.search)
        self.query.returnPressed.connect(self.accept)
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        self.results.currentItemChanged.connect(lambda *_: self.ok.setEnabled(self.chosen() is not None))
        self.ok.setEnabled(False)
        self.resize(460, 380)

    def search(self, text: str) -> None:
        """List the records whose names match (the source itself left out)."""
        self.results.clear()
        if not text.strip():
            return
        try:
            with self._ops.reading() as s:
                hits = search_records(s, self._case_id, text, limit=50)
        except CaseDeskError:
            hits = []
        for hit in hits:
            if hit.record_id == self._source_id:
                continue
            shown = ui_text.display(hit.label, 80) + (f"  ({ui_text.display(hit.matched, 40)})" if hit.via_alias else "")
            item = QListWidgetItem(kind_icon(hit.kind, hit.party_kind), shown)
            item.setData(Qt.ItemDataRole.UserRole, hit.record_id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def chosen(self) -> int | None:
        """The record picked (None: nothing yet)."""
        item = self.results.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def accept(self) -> None:
        target = self.chosen()
        if target is None:
            return
        super().accept()
        self.target_chosen.emit(target)
