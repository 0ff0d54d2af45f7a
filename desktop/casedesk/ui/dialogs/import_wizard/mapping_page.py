"""The wizard's mapping page: columns to fields of records, constants, and links between the records"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.services.fields import LINK_FIELDS, fields_of
from casedesk.services.importing import (
    Mapping,
    load_mapping_file,
    load_preset,
    preset_names,
    save_mapping_file,
)
from casedesk.services.importing.automap import auto_map, rank_presets
from casedesk.services.importing.converting import RowConverter
from casedesk.services.importing.mapping import (
    CHILD_FIELDS,
    Source,
    check_mapping,
    find_column,
)
from casedesk.services.importing.mapping_files import list_saved_mappings, saved_mappings_dir
from casedesk.ui.dialogs.import_wizard.common import _CHILD_LABELS
from casedesk.ui.dialogs.import_wizard.mapping_edits import MappingEdits


class MappingPage(MappingEdits, QWizardPage):
    """Which columns fill which fields of which records, and the links between the records."""

    NOT_MAPPED, COLUMN, KEEP, CONSTANT = "none", "column", "keep", "constant"

    def __init__(self, wizard: QWizard):  # the ImportWizard, whose shared state pages read
        super().__init__()
        self.w = wizard
        self.setTitle("Mapping")
        self.setSubTitle(
            "Pick a preset or a saved mapping, or let CaseDesk map columns by their names; "
            "then adjust which column fills each field. Columns left over are kept as notes."
        )
        self.source = QComboBox()
        self.source.activated.connect(lambda _=0: self._choose_source())
        load = QPushButton("Load mapping file…")
        load.clicked.connect(self._load_file)
        save = QPushButton("Save mapping…")
        save.clicked.connect(self._save_file)
        top = QHBoxLayout()
        top.addWidget(QLabel("Start from"))
        top.addWidget(self.source, 1)
        top.addWidget(load)
        top.addWidget(save)
        self.params_box = QGroupBox("Values for every row")
        self.params_form = QFormLayout(self.params_box)
        self.param_edits: dict[str, QComboBox] = {}
        self.items = QListWidget()
        self.items.setMaximumWidth(320)
        add_record = QPushButton("Add record…")
        add_record.clicked.connect(self._add_record)
        add_link = QPushButton("Add link…")
        add_link.clicked.connect(self._add_link)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_item)
        required = QPushButton("Required / optional")
        required.setToolTip(
            "A row without a required record's name is rejected; an optional record "
            "is simply left out of that row"
        )
        required.clicked.connect(self._toggle_required)
        side = QVBoxLayout()
        side.addWidget(QLabel("Records and links each row makes"))
        side.addWidget(self.items, 1)
        grid = QGridLayout()
        grid.addWidget(add_record, 0, 0)
        grid.addWidget(add_link, 0, 1)
        grid.addWidget(remove, 1, 0)
        grid.addWidget(required, 1, 1)
        side.addLayout(grid)
        self.notes_on = QComboBox()
        self.notes_on.activated.connect(lambda _=0: self._set_notes_on())
        side.addWidget(QLabel("Unmapped columns become notes on"))
        side.addWidget(self.notes_on)
        self.targets = QTableWidget(0, 3)
        self.targets.setHorizontalHeaderLabels(["Record / link", "Field", "Comes from"])
        self.targets.verticalHeader().setVisible(False)
        self.targets.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.targets.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.leftover = QListWidget()
        self.leftover.setMaximumHeight(110)
        self.leftover.itemChanged.connect(self._leftover_changed)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        main = QVBoxLayout()
        main.addWidget(self.targets, 1)
        main.addWidget(QLabel("Columns not mapped (ticked: kept as notes; unticked: left out)"))
        main.addWidget(self.leftover)
        body = QHBoxLayout()
        body.addLayout(side)
        body.addLayout(main, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.params_box)
        layout.addLayout(body, 1)
        layout.addWidget(self.error)
        self._sources: list[tuple[str, Any]] = []

    # -- choosing where to start -------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802
        info = self.w.info
        assert info is not None
        vocab = self.w.vocab
        self._sources = []
        self.source.clear()
        fits = {f.name: f for f in rank_presets(info.columns)}
        for name in preset_names():
            preset = load_preset(name)
            fit = fits.get(name)
            extra = f" — {fit.found} of {fit.wanted} columns found" if fit else ""
            self.source.addItem(f"Preset: {preset.label or name}{extra}")
            self._sources.append(("preset", name))
        for path in list_saved_mappings():
            self.source.addItem(f"Saved: {path.stem}")
            self._sources.append(("file", path))
        for kind in ("party", "wallet", "datacenter", "server", "contract"):
            self.source.addItem(
                f"Auto-map as {vocab.record_kinds[kind].plural.lower()} (by column names)"
            )
            self._sources.append(("auto", kind))
        if self.w.mapping is not None and self.w.mapping_columns == info.columns:
            self._show()
            return
        best = rank_presets(info.columns)[0]
        # A preset fits when the file has its required columns and a second one of its columns;
        # otherwise columns are matched to party fields by their names.
        index = (
            self._sources.index(("preset", best.name))
            if best.usable and best.found >= 2
            else self._sources.index(("auto", "party"))
        )
        self.source.setCurrentIndex(index)
        self._choose_source()

    def _choose_source(self) -> None:
        info = self.w.info
        if info is None or self.source.currentIndex() < 0:
            return
        what, arg = self._sources[self.source.currentIndex()]
        try:
            if what == "preset":
                mapping = load_preset(arg)
            elif what == "file":
                mapping = load_mapping_file(arg)
            else:
                mapping = auto_map(info.columns, arg)
        except CaseDeskError as exc:
            self.error.setText(str(exc))
            return
        self.set_mapping(mapping)

    def set_mapping(self, mapping: Mapping) -> None:
        """Show a mapping for editing."""
        self.w.mapping = mapping
        self.w.mapping_columns = self.w.info.columns if self.w.info else ()
        self._show()

    def _load_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load mapping", str(saved_mappings_dir()), "Mappings (*.yaml *.yml *.json)"
        )
        if path:
            try:
                self.set_mapping(load_mapping_file(path))
            except CaseDeskError as exc:
                self.error.setText(str(exc))

    def _save_file(self) -> None:
        if self.w.mapping is None:
            return
        folder = saved_mappings_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save mapping",
            str(folder / f"{self.w.mapping.name}.yaml"),
            "YAML (*.yaml);;JSON (*.json)",
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """Save the current mapping (with its parameters) to a file."""
        try:
            save_mapping_file(replace(self.w.mapping, name=path.stem), path)
            self.error.setText("")
        except CaseDeskError as exc:
            self.error.setText(str(exc))

    # -- showing and editing -----------------------------------------------------------------

    def _show(self) -> None:
        mapping, info = self.w.mapping, self.w.info
        if mapping is None or info is None:
            return
        self.error.setText("")
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.param_edits = {}
        vocab = self.w.vocab
        for p in mapping.parameters:
            combo = QComboBox()
            combo.setEditable(True)
            if p.name == "chain":
                combo.addItems(list(vocab.chains))
            combo.setCurrentText(self.w.params.get(p.name) or p.default or "")
            combo.currentTextChanged.connect(
                lambda text, n=p.name: self.w.params.__setitem__(n, text)
            )
            self.w.params.setdefault(p.name, combo.currentText())
            self.params_form.addRow(p.label, combo)
            self.param_edits[p.name] = combo
        self.params_box.setVisible(bool(mapping.parameters))
        self.items.clear()
        for r in mapping.records:
            item = QListWidgetItem(
                f"{r.key}: {vocab.record_kinds[r.kind].label.lower()}"
                f"{'' if r.required else ' (optional)'}"
            )
            item.setData(Qt.ItemDataRole.UserRole, ("record", r.key))
            self.items.addItem(item)
        for lk in mapping.links:
            item = QListWidgetItem(f"{lk.source} —{vocab.link_types[lk.type].label}→ {lk.target}")
            item.setData(Qt.ItemDataRole.UserRole, ("link", lk.key))
            self.items.addItem(item)
        self.notes_on.clear()
        for key in [r.key for r in mapping.records] + [lk.key for lk in mapping.links]:
            self.notes_on.addItem(key, key)
        self.notes_on.setCurrentIndex(self.notes_on.findData(mapping.notes_target))
        self._fill_targets()
        self._fill_leftover()

    def _rows(self) -> list[tuple[str, bool, str, str]]:
        """(item key, is link, field, field label) for every mappable field."""
        mapping = self.w.mapping
        rows = []
        for r in mapping.records:
            for spec in fields_of(r.kind):
                if spec.name != "sensitive":
                    rows.append((r.key, False, spec.name, spec.label))
            for child in CHILD_FIELDS:
                rows.append((r.key, False, child, _CHILD_LABELS[child]))
        for lk in mapping.links:
            for spec in LINK_FIELDS:
                if spec.name != "share_pct" or self.w.vocab.link_types[lk.type].has_share:
                    rows.append((lk.key, True, spec.name, spec.label))
        return rows

    def _sources_of(self, key: str, is_link: bool, name: str) -> tuple[Source, ...] | None:
        mapping = self.w.mapping
        items = mapping.links if is_link else mapping.records
        item = next(i for i in items if i.key == key)
        return item.fields.get(name)

    def _fill_targets(self) -> None:
        info = self.w.info
        # Mapped fields first (per record or link), then the ones that could be mapped.
        rows = self._rows()
        order = {key: n for n, key in enumerate(dict.fromkeys(r[0] for r in rows))}
        rows.sort(key=lambda r: (order[r[0]], self._sources_of(r[0], r[1], r[2]) is None))
        self.targets.setRowCount(len(rows))
        for n, (key, is_link, name, label) in enumerate(rows):
            sources = self._sources_of(key, is_link, name)
            key_item, label_item = QTableWidgetItem(key), QTableWidgetItem(label)
            if sources is None:
                for item in (key_item, label_item):
                    item.setForeground(Qt.GlobalColor.gray)
            self.targets.setItem(n, 0, key_item)
            self.targets.setItem(n, 1, label_item)
            combo = QComboBox()
            combo.addItem("— not mapped —", self.NOT_MAPPED)
            for col in info.columns:
                combo.addItem(f"column: {col}", f"{self.COLUMN}:{col}")
            combo.addItem("a constant value…", self.CONSTANT)
            current = 0
            if sources:
                single = sources[0] if len(sources) == 1 else None
                idx = (
                    find_column(single.columns[0], info.columns)
                    if single and len(single.columns) == 1 and not single.transform
                    else None
                )
                if idx is not None:
                    current = combo.findData(f"{self.COLUMN}:{info.columns[idx]}")
                elif single is not None and single.constant is not None:
                    combo.insertItem(1, f"constant: {single.constant}", self.KEEP)
                    current = 1
                else:
                    combo.insertItem(
                        1, f"as the mapping says: {self._describe(sources)}", self.KEEP
                    )
                    current = 1
            combo.setCurrentIndex(current)
            combo.activated.connect(
                lambda _=0, c=combo, t=(key, is_link, name): self._target_changed(c, t)
            )
            self.targets.setCellWidget(n, 2, combo)
        self.targets.resizeColumnsToContents()
        self.targets.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def _describe(self, sources: tuple[Source, ...]) -> str:
        parts = []
        for s in sources:
            if s.template is not None:
                parts.append(f"“{s.template}”")
            elif s.labelled:
                parts.append("labelled " + ", ".join(s.labelled))
            elif s.parameter is not None:
                parts.append(f"the {s.parameter} chosen above")
            elif s.constant is not None:
                parts.append(f"“{s.constant}”")
            else:
                parts.append(" or ".join(s.columns) + (f" ({s.transform})" if s.transform else ""))
        found = [
            n
            for s in sources
            for n in s.column_names()
            if find_column(n, self.w.info.columns) is not None
        ]
        text = ", else ".join(parts)
        return (
            text
            if found or not any(s.column_names() for s in sources)
            else text + " (not in this file)"
        )

    def _target_changed(self, combo: QComboBox, target: tuple[str, bool, str]) -> None:
        data = combo.currentData()
        what, _, col = data.partition(":")
        key, is_link, name = target
        if what == self.KEEP:
            return
        if what == self.NOT_MAPPED:
            sources = None
        elif what == self.COLUMN:
            split = ";" if name in CHILD_FIELDS or name == "tags" else None
            sources = (Source(columns=(col,), split=split),)
        else:
            value, ok = QInputDialog.getText(
                self, "Constant value", f"Value of “{name}” on every row:"
            )
            if not ok or not value.strip():
                self._fill_targets()
                return
            sources = (Source(constant=value.strip()),)
        self.set_field(key, is_link, name, sources)


    def validatePage(self) -> bool:  # noqa: N802
        try:
            check_mapping(self.w.mapping)
            RowConverter(self.w.mapping, self.w.info.columns, self.w.vocab, self.w.params)
        except CaseDeskError as exc:
            self.error.setText(str(exc))
            return False
        return True
