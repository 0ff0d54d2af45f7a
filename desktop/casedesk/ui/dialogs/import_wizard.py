"""The import wizard: file and encoding, mapping, preview, duplicates, grade, run, summary.

It drives the same engine as ``casedesk import`` (services.importing): the preview and the import
are generators run by the one TaskRunner, so the window stays responsive and Cancel rolls the
import back. Emits ``import_finished(batch_id)`` after a successful import.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.fields import LINK_FIELDS, fields_of
from casedesk.services.importing import (
    ImportOptions,
    ImportPlan,
    ImportResult,
    Mapping,
    ReadOptions,
    SourceInfo,
    analyse_import,
    inspect_source,
    load_mapping_file,
    load_preset,
    preset_names,
    run_import,
    save_mapping_file,
)
from casedesk.services.importing.automap import auto_map, rank_presets
from casedesk.services.importing.converting import RowConverter
from casedesk.services.importing.mapping import (
    CHILD_FIELDS,
    LinkMap,
    RecordMap,
    Source,
    check_mapping,
    find_column,
)
from casedesk.services.importing.mapping_files import list_saved_mappings, saved_mappings_dir
from casedesk.services.importing.reading import DELIMITER_NAMES
from casedesk.services.importing.settings import import_settings
from casedesk.services.progress import Progress
from casedesk.storage.workspace import Workspace
from casedesk.ui.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
_CHILD_LABELS = {
    "aliases": "Aliases (; separated)",
    "identifiers": "Identifiers (SCHEME:VALUE; …)",
    "addresses": "Addresses",
}
_SHOWN = 300  # characters of a cell shown in a table


def _short(text: str) -> str:
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


class RowsModel(QAbstractTableModel):
    """A read-only table of cached text rows (previews hold at most a few hundred)."""

    def __init__(self, headers: list[str] | None = None, parent: Any = None):
        super().__init__(parent)
        self._headers = headers or []
        self._rows: list[list[str]] = []

    def set_rows(self, headers: list[str], rows: list[list[str]]) -> None:
        """Replace headers and rows."""
        self.beginResetModel()
        self._headers, self._rows = headers, rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        text = row[index.column()] if index.column() < len(row) else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return _short(text)
        if role == Qt.ItemDataRole.ToolTipRole and len(text) > 40:
            return text[:2000]
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else None
        return None

    def cell(self, row: int, column: int) -> str:
        """The full text of a cell."""
        return self._rows[row][column]


def _fit_columns(view: QTableView, widest: int = 320) -> None:
    """Size columns to their contents, none wider than `widest` pixels."""
    view.resizeColumnsToContents()
    for col in range(view.model().columnCount()):
        view.setColumnWidth(col, min(view.columnWidth(col), widest))


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view


# --- page 1: file and encoding ---------------------------------------------------------------


class FilePage(QWizardPage):
    """Choose the file; encoding, delimiter, header row and sheet are detected and can be changed."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("File")
        self.setSubTitle(
            "Choose a CSV, TSV or Excel file. Encoding, delimiter and header are detected; "
            "change them if the preview looks wrong."
        )
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Path of the file to import")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.encoding = QComboBox()
        self.encoding.addItem("Detect", None)
        for name in import_settings().encodings:
            self.encoding.addItem(name.replace("_", "-"), name)
        self.delimiter = QComboBox()
        self.delimiter.addItem("Detect", None)
        for ch, name in DELIMITER_NAMES.items():
            self.delimiter.addItem(name.capitalize(), ch)
        self.header = QSpinBox()
        self.header.setRange(-1, 1000)
        self.header.setSpecialValueText("Detect")
        self.header.setValue(-1)
        self.header.setToolTip("Row number of the header; 0 when the file has no header row")
        self.sheet = QComboBox()
        self.sheet.setEnabled(False)
        form = QFormLayout()
        form.addRow("File", row)
        options = QHBoxLayout()
        for label, widget in (
            ("Encoding", self.encoding),
            ("Delimiter", self.delimiter),
            ("Header row", self.header),
            ("Sheet", self.sheet),
        ):
            options.addWidget(QLabel(label))
            options.addWidget(widget)
        options.addStretch(1)
        form.addRow(options)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.model = RowsModel()
        self.view = _table(self.model)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.path_edit.editingFinished.connect(self.inspect)
        for combo in (self.encoding, self.delimiter, self.sheet):
            combo.activated.connect(lambda _=0: self.inspect())
        self.header.valueChanged.connect(lambda _=0: self.inspect())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import file",
            "",
            "Tables (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls *.ods);;All files (*)",
        )
        if path:
            self.path_edit.setText(path)
            self.inspect()

    def set_path(self, path: str | Path) -> None:
        """Choose a file (used by drag-and-drop callers and tests) and inspect it."""
        self.path_edit.setText(str(path))
        self.inspect()

    def read_options(self) -> ReadOptions:
        """The reading options as the user set them (None = detect)."""
        return ReadOptions(
            encoding=self.encoding.currentData(),
            delimiter=self.delimiter.currentData(),
            header_row=None if self.header.value() < 0 else self.header.value(),
            sheet=self.sheet.currentText()
            if self.sheet.isEnabled() and self.sheet.count()
            else None,
        )

    def inspect(self) -> None:
        """Inspect the file with the current options and show what was found."""
        text = self.path_edit.text().strip()
        self.w.info = None
        if not text:
            self.status.setText("")
            self.model.set_rows([], [])
            self.completeChanged.emit()
            return
        try:
            info = inspect_source(Path(text), self.read_options())
        except CaseDeskError as exc:
            self.status.setText(f"Cannot use this file: {exc}")
            self.status.setStyleSheet("color: #b00020")
            self.model.set_rows([], [])
            self.completeChanged.emit()
            return
        self.w.info = info
        self.status.setStyleSheet("")
        lines = [info.describe()]
        lines += [f"Note: {w}" for w in info.warnings[:5]]
        self.status.setText("\n".join(lines))
        if info.sheets and not self.sheet.isEnabled():
            self.sheet.blockSignals(True)
            self.sheet.clear()
            self.sheet.addItems(list(info.sheets))
            self.sheet.setCurrentText(info.sheet or "")
            self.sheet.setEnabled(True)
            self.sheet.blockSignals(False)
        elif not info.sheets:
            self.sheet.clear()
            self.sheet.setEnabled(False)
        self.model.set_rows(
            ["Row", *info.columns], [[str(n), *cells] for n, cells in info.sample[:100]]
        )
        _fit_columns(self.view)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.info is not None


# --- page 2: mapping -------------------------------------------------------------------------


class _LinkDialog(QDialog):
    """Asks for a link type and its two records."""

    def __init__(self, keys: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a link")
        vocab = default_vocabulary()
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


class MappingPage(QWizardPage):
    """Which columns fill which fields of which records, and the links between the records."""

    NOT_MAPPED, COLUMN, KEEP, CONSTANT = "none", "column", "keep", "constant"

    def __init__(self, wizard: ImportWizard):
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
        vocab = default_vocabulary()
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
        vocab = default_vocabulary()
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
                if spec.name != "share_pct" or default_vocabulary().link_types[lk.type].has_share:
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
        vocab = default_vocabulary()
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
        dialog = _LinkDialog(keys, self)
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

    def validatePage(self) -> bool:  # noqa: N802
        try:
            check_mapping(self.w.mapping)
            RowConverter(self.w.mapping, self.w.info.columns, default_vocabulary(), self.w.params)
        except CaseDeskError as exc:
            self.error.setText(str(exc))
            return False
        return True


# --- page 3: preview -------------------------------------------------------------------------


class PreviewPage(QWizardPage):
    """Reads the whole file under the mapping (nothing written): valid and rejected rows side by side."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Preview")
        self.setSubTitle(
            "Every row is checked before anything is written. Rejected rows are listed "
            "with their reasons; the valid ones will be imported."
        )
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.valid_model = RowsModel()
        self.rejected_model = RowsModel()
        self.valid_view = _table(self.valid_model)
        self.rejected_view = _table(self.rejected_model)
        left, right = QWidget(), QWidget()
        lv, rv = QVBoxLayout(left), QVBoxLayout(right)
        self.valid_label, self.rejected_label = QLabel("Valid rows"), QLabel("Rejected rows")
        lv.addWidget(self.valid_label)
        lv.addWidget(self.valid_view)
        rv.addWidget(self.rejected_label)
        rv.addWidget(self.rejected_view)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        self.job_id: int | None = None

    def initializePage(self) -> None:  # noqa: N802
        self.w.plan = None
        self.valid_model.set_rows([], [])
        self.rejected_model.set_rows([], [])
        self.progress.setRange(0, 0)
        self.status.setText("Checking every row…")
        w = self.w
        mapping, info, params = w.mapping, w.info, dict(w.params)
        self.job_id = w.runner.submit(
            lambda: analyse_import(
                w.workspace,
                w.case_id,
                info.path,
                mapping,
                options=ImportOptions(params=params, normalize=w.normalize),
                info=info,
            ),
            on_done=self._done,
            on_error=self._failed,
        )
        self.completeChanged.emit()

    def on_progress(self, job_id: int, step: Progress) -> None:
        """Show the analysis job's progress."""
        if job_id != self.job_id:
            return
        if step.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * (step.fraction or 0)))
        self.status.setText(step.message)

    def _done(self, plan: ImportPlan) -> None:
        self.job_id = None
        self.w.plan = plan
        self.w.decisions = plan.default_decisions()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        made = (
            ", ".join(
                f"{n:,} {default_vocabulary().record_kinds[k].plural.lower()}"
                for k, n in plan.new_records.items()
            )
            or "no new records"
        )
        lines = [
            f"{plan.rows:,} rows: {plan.valid:,} valid, {plan.rejected:,} rejected. "
            f"Would create {made}, {plan.links:,} links; {plan.matched:,} records already in the case."
        ]
        if plan.note_columns:
            lines.append("Kept as notes: " + ", ".join(plan.note_columns))
        if plan.missing_columns:
            lines.append("Not in this file (left empty): " + ", ".join(plan.missing_columns))
        if plan.valid == 0:
            lines.append(
                "No row can be imported: go back and change the mapping or the file options."
            )
        self.status.setText("\n".join(lines))
        self.valid_label.setText(
            f"Valid rows ({plan.valid:,}; first {len(plan.valid_sample):,} shown)"
        )
        self.rejected_label.setText(
            f"Rejected rows ({plan.rejected:,}; first {len(plan.rejects_sample):,} shown)"
        )
        self.valid_model.set_rows(
            ["Row", "Records", "Links"],
            [
                [
                    str(p.row),
                    "; ".join(f"{label} ({kind})" for _, kind, label in p.records),
                    "; ".join(p.links),
                ]
                for p in plan.valid_sample
            ],
        )
        self.rejected_model.set_rows(
            ["Row", "Reason", *plan.info.columns],
            [[str(r.row), r.reason, *r.cells] for r in plan.rejects_sample],
        )
        _fit_columns(self.valid_view)
        _fit_columns(self.rejected_view, 420)
        self.completeChanged.emit()

    def _failed(self, message: str) -> None:
        self.job_id = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(f"The file cannot be imported with this mapping: {message}")
        self.completeChanged.emit()

    def cleanupPage(self) -> None:  # noqa: N802
        if self.job_id is not None:
            self.w.runner.cancel(self.job_id)
            self.job_id = None

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.plan is not None and self.w.plan.valid > 0


# --- page 4: duplicates ----------------------------------------------------------------------


class DedupePage(QWizardPage):
    """Incoming records that may already be in the case: merge into the existing one or keep apart."""

    MERGE, SEPARATE = "Merge into the existing record", "Keep separate"

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Possible duplicates")
        self.setSubTitle(
            "Matches on identifiers and wallet addresses are merged unless you say otherwise; "
            "similar names are kept separate unless you choose to merge."
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["Incoming", "Rows", "Existing record", "Why", "Decision"]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Merge all exact matches", self.merge_exact),
            ("Merge identical names too", self.merge_identical),
            ("Keep all separate", self.keep_all),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.rows: list[Any] = []

    def initializePage(self) -> None:  # noqa: N802
        plan = self.w.plan
        self.rows = list(plan.suggestions) if plan else []
        self.table.setRowCount(len(self.rows))
        for n, sg in enumerate(self.rows):
            self.table.setItem(n, 0, QTableWidgetItem(f"{_short(sg.label)} ({sg.kind})"))
            self.table.setItem(n, 1, QTableWidgetItem(f"{sg.rows:,} (first {sg.first_row})"))
            existing = QComboBox()
            for c in sg.candidates:
                existing.addItem(f"#{c.record_id} {_short(c.label)}", c.record_id)
            self.table.setCellWidget(n, 2, existing)
            why = QTableWidgetItem(sg.candidates[0].reason if sg.candidates else "")
            self.table.setItem(n, 3, why)
            decision = QComboBox()
            decision.addItems([self.MERGE, self.SEPARATE])
            decided = self.w.decisions.get(sg.entity_key, sg.decision)
            if decided is not None:
                existing.setCurrentIndex(max(0, existing.findData(decided)))
            decision.setCurrentIndex(0 if decided is not None else 1)
            existing.currentIndexChanged.connect(lambda _=0, r=n: self._changed(r))
            existing.currentIndexChanged.connect(lambda _=0, r=n, e=existing: self._why(r, e))
            decision.currentIndexChanged.connect(lambda _=0, r=n: self._changed(r))
            self.table.setCellWidget(n, 4, decision)
            self._changed(n)
        self.table.resizeColumnsToContents()
        self.summary.setText(
            f"{len(self.rows):,} incoming records may already be in the case."
            if self.rows
            else "No incoming record looks like one already in the case."
        )

    def _why(self, row: int, combo: QComboBox) -> None:
        sg = self.rows[row]
        self.table.item(row, 3).setText(sg.candidates[combo.currentIndex()].reason)

    def _changed(self, row: int) -> None:
        sg = self.rows[row]
        existing: QComboBox = self.table.cellWidget(row, 2)
        decision: QComboBox = self.table.cellWidget(row, 4)
        self.w.decisions[sg.entity_key] = (
            existing.currentData() if decision.currentIndex() == 0 else None
        )

    def set_decision(self, row: int, merge: bool, candidate: int = 0) -> None:
        """Decide one suggestion: merge into its n-th candidate, or keep separate."""
        self.table.cellWidget(row, 2).setCurrentIndex(candidate)
        self.table.cellWidget(row, 4).setCurrentIndex(0 if merge else 1)

    def merge_exact(self) -> None:
        """Merge every suggestion whose best match is exact (identifier or address)."""
        for n, sg in enumerate(self.rows):
            self.set_decision(n, sg.exact)

    def merge_identical(self) -> None:
        """Also merge suggestions whose name is identical after normalising."""
        for n, sg in enumerate(self.rows):
            self.set_decision(n, sg.exact or sg.candidates[0].score >= 100)

    def keep_all(self) -> None:
        """Keep every incoming record separate."""
        for n in range(len(self.rows)):
            self.set_decision(n, False)


# --- page 5: grade ---------------------------------------------------------------------------


class GradePage(QWizardPage):
    """How reliable the file is as evidence, and where to put rejected rows."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Evidence")
        self.setSubTitle(
            "The file is stored as evidence and every imported record and link cites it. "
            "Grade the source (A–F) and the information (1–6)."
        )
        vocab = default_vocabulary()
        self.reliability, self.credibility = QComboBox(), QComboBox()
        for code, term in vocab.source_reliability.items():
            self.reliability.addItem(f"{code} — {term.label}", code)
        for code, term in vocab.information_credibility.items():
            self.credibility.addItem(f"{code} — {term.label}", code)
        self.reliability.setCurrentIndex(self.reliability.findData("F"))
        self.credibility.setCurrentIndex(self.credibility.findData("6"))
        self.title = QLineEdit()
        self.source = QLineEdit()
        self.source.setPlaceholderText("Where the file came from (registry, colleague, explorer…)")
        self.rejects_box = QCheckBox("Write rejected rows to")
        self.rejects_path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        rejects = QHBoxLayout()
        rejects.addWidget(self.rejects_box)
        rejects.addWidget(self.rejects_path, 1)
        rejects.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("Source reliability", self.reliability)
        form.addRow("Information credibility", self.credibility)
        form.addRow("Title", self.title)
        form.addRow("Source", self.source)
        form.addRow(rejects)

    def initializePage(self) -> None:  # noqa: N802
        info = self.w.info
        if not self.title.text():
            self.title.setText(f"Import of {info.path.name}")
        if not self.rejects_path.text():
            self.rejects_path.setText(str(info.path.with_name(info.path.stem + "-rejects.csv")))
        self.rejects_box.setChecked(bool(self.w.plan and self.w.plan.rejected))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Rejected rows", self.rejects_path.text(), "CSV (*.csv)"
        )
        if path:
            self.rejects_path.setText(path)
            self.rejects_box.setChecked(True)

    def grade(self) -> str:
        """The chosen Admiralty grade, e.g. 'F6'."""
        return f"{self.reliability.currentData()}{self.credibility.currentData()}"


# --- page 6: run -----------------------------------------------------------------------------


class RunPage(QWizardPage):
    """Runs the import in the background with progress and Cancel."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Import")
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.job_id: int | None = None
        self.outcome: str = ""

    def initializePage(self) -> None:  # noqa: N802
        w, grade_page = self.w, self.w.grade_page
        w.result = None
        self.outcome = "running"
        self.progress.setRange(0, 0)
        self.status.setText("Starting…")
        self.cancel_button.setEnabled(True)
        options = ImportOptions(
            grade=grade_page.grade(),
            params=dict(w.params),
            normalize=w.normalize,
            rejects_path=Path(grade_page.rejects_path.text())
            if grade_page.rejects_box.isChecked() and grade_page.rejects_path.text().strip()
            else None,
            title=grade_page.title.text().strip() or None,
            source=grade_page.source.text().strip(),
        )
        mapping, info, decisions = w.mapping, w.info, dict(w.decisions)
        self.job_id = w.runner.submit(
            lambda: run_import(
                w.workspace,
                w.case_id,
                info.path,
                mapping,
                options=options,
                decisions=decisions,
                info=info,
            ),
            on_done=self._done,
            on_error=self._failed,
        )
        w.running = True
        self.completeChanged.emit()

    def on_progress(self, job_id: int, step: Progress) -> None:
        """Show the import job's progress."""
        if job_id != self.job_id:
            return
        if step.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * (step.fraction or 0)))
        self.status.setText(step.message)

    def on_cancelled(self, job_id: int) -> None:
        """The runner stopped the job: its transaction was rolled back."""
        if job_id != self.job_id:
            return
        self.job_id = None
        self.outcome = "cancelled"
        self.w.running = False
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(
            "Import cancelled: nothing was written. Go back to change something, or close."
        )
        self.cancel_button.setEnabled(False)
        self.completeChanged.emit()
        self.w.job_ended()

    def cancel(self) -> None:
        """Ask the runner to stop the import (it rolls back at its next progress step)."""
        if self.job_id is not None:
            self.status.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self.w.runner.cancel(self.job_id)

    def _done(self, result: ImportResult) -> None:
        self.job_id = None
        self.outcome = "done"
        self.w.running = False
        self.w.result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.cancel_button.setEnabled(False)
        self.status.setText("Imported.")
        self.completeChanged.emit()
        self.w.import_finished.emit(result.batch_id)
        self.w.job_ended()
        self.w.next()

    def _failed(self, message: str) -> None:
        self.job_id = None
        self.outcome = "failed"
        self.w.running = False
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.cancel_button.setEnabled(False)
        self.status.setText(f"The import failed and nothing was written: {message}")
        self.completeChanged.emit()
        self.w.job_ended()

    def isComplete(self) -> bool:  # noqa: N802
        return self.outcome == "done"


# --- page 7: summary -------------------------------------------------------------------------


class SummaryPage(QWizardPage):
    """What the import did."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Done")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        r = self.w.result
        if r is None:
            return
        vocab = default_vocabulary()
        made = ", ".join(
            f"{n:,} {vocab.record_kinds[k].plural.lower()}" for k, n in r.created_by_kind.items()
        )
        lines = [
            f"Imported {r.filename} as batch {r.batch_id}.",
            f"{r.rows:,} rows read: {r.valid:,} imported, {r.rejected:,} rejected.",
            f"Created {made or 'no new records'} and {r.links:,} links.",
            f"{r.merged:,} incoming records were merged into records already in the case"
            + (f"; {r.links_matched:,} links were already there." if r.links_matched else "."),
            f"{r.citations:,} citations of the file (evidence #{r.evidence_id}, SHA-256 {r.sha256}).",
        ]
        kept = [s for s in r.suggestions if s.decision is None]
        if kept:
            lines.append(f"{len(kept):,} possible duplicates were kept separate.")
        if r.rejects_path:
            lines.append(f"Rejected rows were written to {r.rejects_path}.")
        self.text.setText("\n".join(lines))


# --- the wizard ------------------------------------------------------------------------------


class ImportWizard(QWizard):
    """Import a CSV, TSV or XLSX file into a case, with preview, duplicates and provenance."""

    import_finished = Signal(int)

    def __init__(
        self, workspace: Workspace, case_id: int, runner: TaskRunner, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.workspace, self.case_id, self.runner = workspace, case_id, runner
        self.setWindowTitle("Import CSV evidence")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(1000, 700)
        self.info: SourceInfo | None = None
        self.mapping: Mapping | None = None
        self.mapping_columns: tuple[str, ...] = ()
        self.params: dict[str, str] = {}
        self.plan: ImportPlan | None = None
        self.decisions: dict[str, int | None] = {}
        self.result: ImportResult | None = None
        self.running = False
        self._close_when_ended = False
        # The seam for the screening normaliser: any Callable[[str], str].
        from casedesk.services.importing.fuzzy_names import simple_normalize

        self.normalize = simple_normalize
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.dedupe_page = DedupePage(self)
        self.grade_page = GradePage(self)
        self.run_page = RunPage(self)
        self.summary_page = SummaryPage(self)
        for page in (
            self.file_page,
            self.mapping_page,
            self.preview_page,
            self.dedupe_page,
            self.grade_page,
            self.run_page,
            self.summary_page,
        ):
            self.addPage(page)
        runner.progress.connect(self.preview_page.on_progress)
        runner.progress.connect(self.run_page.on_progress)
        runner.cancelled.connect(self.run_page.on_cancelled)
        self._connected = True
        self.currentIdChanged.connect(self._page_changed)

    def _page_changed(self, _id: int) -> None:
        back = self.button(QWizard.WizardButton.BackButton)
        back.setEnabled(not self.running)

    def job_ended(self) -> None:
        """Called by the run page when its job ends: re-enable Back, close if the user asked to."""
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        if self._close_when_ended:
            super().reject()

    def reject(self) -> None:
        """Cancel: stops a running import first (it rolls back), then closes."""
        if self.running and self.run_page.job_id is not None:
            self._close_when_ended = True
            self.run_page.cancel()
            return
        self.preview_page.cleanupPage()
        super().reject()

    def disconnect_runner(self) -> None:
        """Stop listening to the runner (the wizard is going away; the runner stays)."""
        if not self._connected:
            return
        self._connected = False
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # already gone with its page: fine
            for signal, slot in (
                (self.runner.progress, self.preview_page.on_progress),
                (self.runner.progress, self.run_page.on_progress),
                (self.runner.cancelled, self.run_page.on_cancelled),
            ):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        self.disconnect_runner()
        super().done(result)
