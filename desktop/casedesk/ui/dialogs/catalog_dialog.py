"""Accelerator catalog: the models the analysis classifies by, and a form to add a missing one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.errors import CaseDeskError, ValidationError
from casedesk.services.analysis.workspace_catalog import NewModel
from casedesk.ui.operations.catalog import add_catalog_model, catalog_rows
from casedesk.ui.operations.core import Operations

COLUMNS = (("name", "Model"), ("vendor", "Vendor"), ("tpp", "TPP"), ("performance_density", "Density"),
           ("prc_made", "PRC-made"), ("origin", "Catalog"), ("aliases", "Also written"))


class CatalogDialog(QDialog):
    """Lists the merged catalog (filterable); "Add model" stores one in the workspace's catalog."""

    model_added = Signal(dict)

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.setObjectName("catalog_dialog")
        self.setWindowTitle("Accelerator catalog")
        self.resize(980, 760)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("catalog_filter")
        self.filter.setPlaceholderText("Find a model, vendor or spelling (H100, 昇腾, MI300…)")
        self.table_model = QStandardItemModel(0, len(COLUMNS), self)
        self.table_model.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.table_model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(lambda _t: self._update_count())
        self.table = QTableView(self)
        self.table.setObjectName("catalog_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line per model: the tooltip and the filter show the rest
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.count = QLabel(self)
        self.count.setObjectName("catalog_count")

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The analysis classifies fleets by these models (TPP in bit-TOPS, "
                                "performance density per mm²). Add a model the catalog lacks; every "
                                "case of this workspace uses it at once.", self, wordWrap=True))
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(self._build_form())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def _build_form(self) -> QGroupBox:
        box = QGroupBox("Add a model to this workspace's catalog", self)
        form = QFormLayout(box)
        self.name = QLineEdit(box, objectName="catalog_name", placeholderText="e.g. Ascend 910D")
        self.vendor = QLineEdit(box, objectName="catalog_vendor", placeholderText="e.g. Huawei")
        self.tpp = self._number(box, "catalog_tpp", 10_000_000, "dense TOPS × bit length, at its maximum")
        self.die_area = self._number(box, "catalog_die_area", 50_000, "mm² (optional: for performance density)")
        self.io = self._number(box, "catalog_io", 1_000_000, "GB/s aggregate I/O (optional)")
        self.aliases = QLineEdit(box, objectName="catalog_aliases",
                                 placeholderText="other spellings, separated by ; (e.g. 昇腾910D; 910D)")
        self.prc_made = QCheckBox("Designed or made in the PRC", box, objectName="catalog_prc_made")
        self.datacenter = QCheckBox("Datacenter part", box, objectName="catalog_datacenter", checked=True)
        self.source = QLineEdit(box, objectName="catalog_source",
                                placeholderText="where the figures come from: datasheet, page, URL")
        self.source_file = QLineEdit(box, objectName="catalog_source_file", readOnly=True,
                                     placeholderText="optional: a copy of the source, stored hashed")
        browse = QPushButton("Browse…", box)
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.source_file, 1)
        file_row.addWidget(browse)
        flags = QHBoxLayout()
        flags.addWidget(self.prc_made)
        flags.addWidget(self.datacenter)
        flags.addStretch(1)
        form.addRow("Name*", self.name)
        form.addRow("Vendor*", self.vendor)
        form.addRow("TPP*", self.tpp)
        form.addRow("Die area", self.die_area)
        form.addRow("I/O", self.io)
        form.addRow("Also written", self.aliases)
        form.addRow("", flags)
        form.addRow("Source*", self.source)
        form.addRow("Source file", file_row)
        self.error = QLabel(box, objectName="catalog_error", wordWrap=True)
        self.error.setStyleSheet("color: #C62828;")
        self.error.hide()
        self.add_button = QPushButton("Add model", box, objectName="catalog_add")
        self.add_button.clicked.connect(self.add_model)
        form.addRow(self.error)
        form.addRow("", self.add_button)
        return box

    @staticmethod
    def _number(parent: QWidget, name: str, top: float, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox(parent, objectName=name)
        box.setRange(0.0, top)
        box.setDecimals(1)
        box.setSpecialValueText("—")  # 0 means not given
        box.setToolTip(tip)
        box.setGroupSeparatorShown(True)
        box.setMaximumWidth(220)
        return box

    def reload(self) -> None:
        """Show the catalog as the workspace holds it now."""
        self.table_model.removeRows(0, self.table_model.rowCount())
        rows = catalog_rows(self.ops)
        for row in rows:
            self.table_model.appendRow([self._item(row, key) for key, _ in COLUMNS])
        self._workspace_count = sum(r["origin"] == "workspace" for r in rows)
        self.table.resizeColumnsToContents()
        for col in range(len(COLUMNS) - 1):  # long vendor names must not push the spellings out of view
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 260))
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.table_model.rowCount(), self.proxy.rowCount()
        where = f"{total:,} models" if shown == total else f"{shown:,} of {total:,} models shown"
        self.count.setText(f"{where} ({self._workspace_count:,} added to this workspace)")

    @staticmethod
    def _item(row: dict[str, Any], key: str) -> QStandardItem:
        value = row[key]
        if key == "tpp":
            text = f"{value:,.0f}"
        elif key == "performance_density":
            text = "—" if value is None else f"{value:.2f}"
        elif key == "prc_made":
            text = "yes" if value else ""
        elif key == "origin":
            text = "this workspace" if value == "workspace" else "shipped"
        elif key == "aliases":
            text = ", ".join(value)
        else:
            text = str(value or "")
        item = QStandardItem(text)
        item.setData(value if isinstance(value, int | float) else text.casefold(), Qt.ItemDataRole.UserRole)
        item.setData(row["code"], Qt.ItemDataRole.UserRole + 1)
        if key == "name":
            item.setToolTip(row["source"])
        return item

    def new_model(self) -> NewModel:
        """The model the form describes (the service checks every figure)."""
        def opt(box: QDoubleSpinBox) -> float | None:
            return box.value() or None
        return NewModel(name=self.name.text(), vendor=self.vendor.text(), tpp=opt(self.tpp),
                        source=self.source.text(), die_area_mm2=opt(self.die_area), io_gbps=opt(self.io),
                        aliases=tuple(a.strip() for a in self.aliases.text().split(";") if a.strip()),
                        prc_made=self.prc_made.isChecked(), datacenter=self.datacenter.isChecked())

    def add_model(self) -> int:
        """Store the form's model (one transaction); the table shows it, or the error says why not."""
        from pathlib import Path

        self.error.hide()
        self.add_button.setEnabled(False)
        path = Path(self.source_file.text()) if self.source_file.text() else None
        return add_catalog_model(self.ops, self.new_model(), source_file=path,
                                 on_done=self._added, on_error=self._failed)

    def _added(self, entry: dict[str, Any]) -> None:
        self.add_button.setEnabled(True)
        for w in (self.name, self.vendor, self.aliases, self.source, self.source_file):
            w.clear()
        for box in (self.tpp, self.die_area, self.io):
            box.setValue(0.0)
        self.reload()
        self.filter.setText(entry["name"])
        self.model_added.emit(entry)

    def _failed(self, error: CaseDeskError | str) -> None:
        self.add_button.setEnabled(True)
        text = str(error)
        if isinstance(error, ValidationError):
            labels = {"tpp": "TPP", "die_area_mm2": "Die area", "io_gbps": "I/O", "aliases": "Also written"}
            text = f"{labels.get(error.field, error.field.replace('_', ' ').capitalize())}: {error.reason}"
            target = {"name": self.name, "vendor": self.vendor, "tpp": self.tpp, "die_area_mm2": self.die_area,
                      "io_gbps": self.io, "aliases": self.aliases, "source": self.source}.get(error.field)
            if target is not None:
                target.setFocus()
        self.error.setText(text)
        self.error.show()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Source of the figures")
        if path:
            self.source_file.setText(path)
