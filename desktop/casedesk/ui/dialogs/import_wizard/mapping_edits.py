"""Editing the mapping on the mapping page: fields, leftover columns, records and links added or removed"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QListWidgetItem,
    QWidget,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.importing.mapping import (
    LinkMap,
    RecordMap,
    Source,
    check_mapping,
    find_column,
)


class _LinkDialog(QDialog):
    """Asks for a link type and its two records."""

    def __init__(self, keys: list[str], vocab: Vocabulary, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a link")
        self.type = QComboBox()
        for code, lt in vocab.link_types.items():
            self.type.addItem(lt.label, code)
        self.source, self.target = QComboBox(), QComboBox()
        self.source.addItems(keys)
        self.target.addItems(keys)
        if len(keys) > 1:
            self.target.setCurrentIndex(1)
        form = QFormLayout(self)
        form.addRow("From record", self.source)
        form.addRow("Link type", self.type)
        form.addRow("To record", self.target)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class MappingEdits:
    """MappingPage's part: Editing the mapping on the mapping page."""

    def set_field(
        self, key: str, is_link: bool, name: str, sources: tuple[Source, ...] | None
    ) -> None:
        """Set (or clear, with None) the sources of one field of a record or link."""
        mapping = self.w.mapping
        if not is_link and name == "label" and sources is None:
            self.error.setText(
                "Every record needs a name (label): choose the column it comes from."
            )
            self._fill_targets()
            return
        items = mapping.links if is_link else mapping.records
        new_items = []
        for item in items:
            if item.key == key:
                fields = dict(item.fields)
                if sources is None:
                    fields.pop(name, None)
                else:
                    fields[name] = sources
                item = replace(item, fields=fields)
            new_items.append(item)
        self.w.mapping = (
            replace(mapping, links=tuple(new_items))
            if is_link
            else replace(mapping, records=tuple(new_items))
        )
        self.error.setText("")
        self._fill_targets()
        self._fill_leftover()

    def _fill_leftover(self) -> None:
        info, mapping = self.w.info, self.w.mapping
        used = set()
        for name in mapping.column_names():
            idx = find_column(name, info.columns)
            if idx is not None:
                used.add(idx)
        ignored = {find_column(n, info.columns) for n in mapping.ignore}
        self.leftover.blockSignals(True)
        self.leftover.clear()
        for i, col in enumerate(info.columns):
            if i in used:
                continue
            item = QListWidgetItem(col)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if i in ignored else Qt.CheckState.Checked)
            self.leftover.addItem(item)
        self.leftover.blockSignals(False)

    def _leftover_changed(self, _item: QListWidgetItem) -> None:
        ignore = tuple(
            self.leftover.item(i).text()
            for i in range(self.leftover.count())
            if self.leftover.item(i).checkState() == Qt.CheckState.Unchecked
        )
        self.w.mapping = replace(self.w.mapping, ignore=ignore)

    def _set_notes_on(self) -> None:
        self.w.mapping = replace(self.w.mapping, notes_on=self.notes_on.currentData())

    def _add_record(self) -> None:
        vocab = self.w.vocab
        kinds = list(vocab.record_kinds)
        labels = [vocab.record_kinds[k].label for k in kinds]
        label, ok = QInputDialog.getItem(
            self, "Add record", "Each row also makes a", labels, 0, False
        )
        if ok:
            self.add_record(kinds[labels.index(label)])

    def add_record(self, kind: str, label_column: str | None = None) -> str:
        """Add an optional record of a kind (its name from a column); returns its key."""
        mapping, info = self.w.mapping, self.w.info
        keys = {i.key for i in (*mapping.records, *mapping.links)}
        n = 1
        while f"{kind}{n}" in keys:
            n += 1
        key = f"{kind}{n}"
        column = label_column or info.columns[0]
        fields: dict[str, tuple[Source, ...]] = {"label": (Source(columns=(column,)),)}
        if kind == "wallet":
            fields["address"] = (Source(columns=(column,)),)
            fields["chain"] = (Source(constant="ETH"),)
        self.w.mapping = replace(
            mapping, records=(*mapping.records, RecordMap(key, kind, fields, required=False))
        )
        self._show()
        return key

    def _add_link(self) -> None:
        keys = [r.key for r in self.w.mapping.records]
        dialog = _LinkDialog(keys, self.w.vocab, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_link(
                dialog.type.currentData(), dialog.source.currentText(), dialog.target.currentText()
            )

    def add_link(self, link_type: str, source: str, target: str) -> None:
        """Add a link between two of the mapping's records (checked against the vocabulary)."""
        mapping = self.w.mapping
        keys = {i.key for i in (*mapping.records, *mapping.links)}
        n = 1
        while f"link{n}" in keys:
            n += 1
        candidate = replace(
            mapping, links=(*mapping.links, LinkMap(f"link{n}", link_type, source, target))
        )
        try:
            check_mapping(candidate)
        except CaseDeskError as exc:
            self.error.setText(str(exc))
            return
        self.w.mapping = candidate
        self._show()

    def _remove_item(self) -> None:
        item = self.items.currentItem()
        if item is None:
            return
        what, key = item.data(Qt.ItemDataRole.UserRole)
        mapping = self.w.mapping
        if what == "record":
            if len(mapping.records) == 1:
                self.error.setText("A mapping needs at least one record.")
                return
            links = tuple(lk for lk in mapping.links if key not in (lk.source, lk.target))
            records = tuple(r for r in mapping.records if r.key != key)
        else:
            links, records = tuple(lk for lk in mapping.links if lk.key != key), mapping.records
        keys = {r.key for r in records} | {lk.key for lk in links}
        self.w.mapping = replace(
            mapping,
            records=records,
            links=links,
            notes_on=mapping.notes_on if mapping.notes_on in keys else None,
        )
        self._show()

    def _toggle_required(self) -> None:
        item = self.items.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole)[0] != "record":
            return
        key = item.data(Qt.ItemDataRole.UserRole)[1]
        mapping = self.w.mapping
        self.w.mapping = replace(
            mapping,
            records=tuple(
                replace(r, required=not r.required) if r.key == key else r for r in mapping.records
            ),
        )
        self._show()
