"""The main window shell: case picker, a table of the case's records by kind, a read-only inspector."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.cases import list_cases
from casedesk.services.inspect import describe_record
from casedesk.services.queries import list_records
from casedesk.storage.workspace import Workspace

KIND_TITLES = {"party": "Parties", "wallet": "Wallets", "datacenter": "Data centers",
               "server": "Server fleets", "contract": "Contracts"}
_Index = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    """Rows of one record kind: holds ids and cached display values, never ORM objects."""

    def __init__(self, kind: str, columns: list[str], parent: Any = None):
        super().__init__(parent)
        self.kind = kind
        self._columns = ["id", "label"] + columns
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the rows (a case switch)."""
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def record_id(self, row: int) -> int:
        """The record id shown in a row."""
        return self._rows[row]["id"]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row, col = self._rows[index.row()], self._columns[index.column()]
        value = row.get(col, row["fields"].get(col))
        if isinstance(value, list):
            value = "; ".join(map(str, value))
        text = "" if value is None else str(value)
        return text if len(text) <= 300 else text[:300] + "…"

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].replace("_", " ").capitalize()
        return None


_COLUMNS = {
    "party": ["party_kind", "country", "hq_country"],
    "wallet": ["chain", "address", "illustrative"],
    "datacenter": ["city", "country", "operator_name"],
    "server": ["accelerator_model", "server_count", "count_qualifier", "accelerators_per_server", "status"],
    "contract": ["contract_type", "currency", "start_on", "chain"],
}


class MainWindow(QMainWindow):
    """Case picker on the toolbar, record tables by kind, inspector on the right."""

    def __init__(self, workspace: Workspace):
        super().__init__()
        self.ws = workspace
        self.setWindowTitle(f"CaseDesk — {workspace.describe()}")
        self.resize(1280, 800)
        toolbar = QToolBar("Case", self)
        toolbar.setObjectName("case_toolbar")
        toolbar.addWidget(QLabel(" Case: "))
        self.case_picker = QComboBox(self)
        self.case_picker.setMinimumWidth(480)
        toolbar.addWidget(self.case_picker)
        self.addToolBar(toolbar)

        self.tabs = QTabWidget(self)
        self.models: dict[str, RecordTableModel] = {}
        self.views: dict[str, QTableView] = {}
        for kind, title in KIND_TITLES.items():
            model = RecordTableModel(kind, _COLUMNS[kind], self)
            view = QTableView(self)
            view.setModel(model)
            view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
            view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
            view.verticalHeader().hide()
            view.horizontalHeader().setStretchLastSection(True)
            view.selectionModel().currentRowChanged.connect(
                lambda cur, _prev, m=model: self._on_row_changed(m, cur))
            self.models[kind], self.views[kind] = model, view
            self.tabs.addTab(view, title)
        self.inspector = QTextBrowser(self)
        self.inspector.setOpenLinks(False)
        splitter = QSplitter(self)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.inspector)
        splitter.setSizes([800, 480])
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(splitter)
        self.setCentralWidget(central)
        self.case_picker.currentIndexChanged.connect(self._on_case_picker_changed)
        self.reload_cases()

    def reload_cases(self) -> None:
        """Fill the case picker from the workspace."""
        with self.ws.read() as s:
            cases = list_cases(s)
        self.case_picker.blockSignals(True)
        self.case_picker.clear()
        for c in cases:
            self.case_picker.addItem(f"{c.title} ({c.records} records)", c.id)
        self.case_picker.blockSignals(False)
        if cases:
            self.case_picker.setCurrentIndex(0)
            self._on_case_picker_changed(0)

    def current_case_id(self) -> int | None:
        """The id of the case shown."""
        return self.case_picker.currentData()

    def _on_case_picker_changed(self, _index: int) -> None:
        case_id = self.current_case_id()
        if case_id is None:
            return
        with self.ws.read() as s:
            rows = list_records(s, case_id)
        for kind, model in self.models.items():
            kind_rows = [r for r in rows if r["kind"] == kind]
            model.set_rows(kind_rows)
            self.tabs.setTabText(list(KIND_TITLES).index(kind), f"{KIND_TITLES[kind]} ({len(kind_rows)})")
        self.inspector.setHtml("<p><i>Select a record to inspect it.</i></p>")

    def _on_row_changed(self, model: RecordTableModel, current: QModelIndex) -> None:
        if current.isValid():
            self.show_record(model.record_id(current.row()))

    def show_record(self, record_id: int) -> None:
        """Show a record in the inspector (read-only)."""
        with self.ws.read() as s:
            info = describe_record(s, record_id)
        self.inspector.setHtml(render_record_html(info))


def render_record_html(info: dict[str, Any]) -> str:
    """The inspector's HTML for a described record; every user string is escaped."""
    e = html.escape
    parts = [f"<h2>{e(info['label'][:2000])}</h2>", f"<p><b>{e(info['kind'])}</b> #{info['id']} "
             f"· version {info['version']}</p>", "<table cellspacing='4'>"]
    for name, label, value in info["fields"]:
        if value in (None, "", [], False) or name == "label":
            continue
        text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"<tr><td><b>{e(label)}</b></td><td>{e(text[:5000])}</td></tr>")
    parts.append("</table>")
    for title, key in (("Aliases", "aliases"), ("Identifiers", "identifiers"),
                       ("Addresses", "addresses"), ("Links", "links"), ("Citations", "citations"),
                       ("Events", "events")):
        if info[key]:
            parts.append(f"<h3>{title}</h3><ul>")
            parts.extend(f"<li>{e(str(item)[:2000])}</li>" for item in info[key])
            parts.append("</ul>")
    return "".join(parts)
