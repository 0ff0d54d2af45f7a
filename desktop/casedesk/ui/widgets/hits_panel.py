"""The screening hits panel: screen a case in the background, review each hit side by side.

Signals:
    record_selected(int): the record of the selected hit (the linked view selects it everywhere).
    hits_changed(int): hits of this case changed (a screening run or a decision); carries case id.
    context_requested(object, QPoint): right-click on a row (hit id or None), global position.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QItemSelection, QPoint, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.screening.hits import hit_comparison, list_hits
from casedesk.services.screening.name_scoring import default_weights
from casedesk.ui.dialogs.list_entry import ListEntryDialog
from casedesk.ui.models.hit_table import HIT_ID_ROLE, SORT_ROLE, HitTableModel
from casedesk.ui.operations import Operations
from casedesk.ui.operations import screening as screening_ops
from casedesk.ui.widgets.progress_dialog import JobProgressDialog
from casedesk.ui.widgets.tabs import menu_on_rows

_STATUS_FILTERS = (("All hits", ""), ("Open", "open"), ("Confirmed", "confirmed"),
                   ("Dismissed", "dismissed"))


def _e(value: Any) -> str:
    """User or list text, escaped: names are data, never markup."""
    return html.escape(str(value if value is not None else ""))


class _StatusFilter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.status = ""

    def filterAcceptsRow(self, source_row: int, source_parent: Any) -> bool:  # noqa: N802
        if not self.status:
            return True
        return self.sourceModel().hit(source_row)["status"] == self.status


class ScreeningHitsPanel(QWidget):
    """Hits of one case: screen, filter, compare both sides, confirm or dismiss with a reason."""

    record_selected = Signal(int)
    hits_changed = Signal(int)
    context_requested = Signal(object, QPoint)

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._runner = ops, ops.runner
        runner = ops.runner
        ops.workspace_changed.connect(self.set_workspace)
        self._case_id: int | None = None
        self._job: int | None = None
        self._progress: JobProgressDialog | None = None
        self.model = HitTableModel(self)
        self.proxy = _StatusFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)

        bar = QToolBar("Screening", self)
        self.screen_action = QAction("Screen case", self)
        self.screen_action.setToolTip("Screen every party and wallet of the case against all loaded lists")
        self.screen_action.triggered.connect(self._on_screen_triggered)
        bar.addAction(self.screen_action)
        bar.addWidget(QLabel(" Threshold "))
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0, 100)
        self.threshold.setDecimals(0)
        self.threshold.setValue(default_weights().threshold)
        self.threshold.setToolTip("Minimum score of a hit (0–100)")
        bar.addWidget(self.threshold)
        bar.addWidget(QLabel("  Show "))
        self.status_filter = QComboBox(self)
        for label, value in _STATUS_FILTERS:
            self.status_filter.addItem(label, value)
        self.status_filter.currentIndexChanged.connect(self._on_filter_changed)
        bar.addWidget(self.status_filter)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((60, 90, 220, 240, 170, 200)):
            self.table.setColumnWidth(col, width)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # the strongest match first
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        menu_on_rows(self.table, self.context_requested.emit, HIT_ID_ROLE)
        self.entry_dialog: ListEntryDialog | None = None

        self.case_side = QTextBrowser(self)
        self.list_side = QTextBrowser(self)
        self.why = QTextBrowser(self)
        for browser in (self.case_side, self.list_side, self.why):
            browser.setOpenLinks(False)
        sides = QSplitter(Qt.Orientation.Horizontal, self)
        sides.addWidget(self._titled("In the case", self.case_side))
        sides.addWidget(self._titled("On the list", self.list_side))
        compare = QSplitter(Qt.Orientation.Vertical, self)
        compare.addWidget(sides)
        compare.addWidget(self._titled("Why they match", self.why))
        compare.setSizes([300, 160])

        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Reason (required to dismiss): e.g. different date of birth")
        self.confirm_button = QPushButton("Confirm", self)
        self.confirm_button.setToolTip("Same party: records a finding on the record")
        self.dismiss_button = QPushButton("Dismiss", self)
        self.dismiss_button.setToolTip("Not the same party (say why)")
        self.reopen_button = QPushButton("Re-open", self)
        self.confirm_button.clicked.connect(lambda: self.decide_selected("confirmed"))
        self.dismiss_button.clicked.connect(lambda: self.decide_selected("dismissed"))
        self.reopen_button.clicked.connect(lambda: self.decide_selected("open"))
        self.reason.textChanged.connect(self._update_buttons)
        decide = QHBoxLayout()
        decide.addWidget(self.reason, 1)
        for b in (self.confirm_button, self.dismiss_button, self.reopen_button):
            decide.addWidget(b)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(compare, 1)
        rl.addLayout(decide)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setSizes([560, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        runner.finished.connect(self._on_runner_finished)
        runner.failed.connect(self._on_runner_failed)
        runner.cancelled.connect(self._on_runner_cancelled)
        self._show_comparison(None)
        self._update_buttons()

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"<b>{_e(title)}</b>")
        lay.addWidget(label)
        lay.addWidget(widget, 1)
        return box

    # --- public -------------------------------------------------------------------------------

    def set_workspace(self, _workspace: object) -> None:
        """Show nothing until a case of the workspace the operations now run on is chosen."""
        self.set_case(None)

    def set_case(self, case_id: int | None) -> None:
        """Show the stored hits of a case (None: nothing)."""
        self._case_id = case_id
        self.reload()

    def case_id(self) -> int | None:
        """The case shown."""
        return self._case_id

    def reload(self) -> None:
        """Re-read the case's hits from the workspace."""
        hits: list[dict[str, Any]] = []
        if self._case_id is not None:
            case_id = self._case_id
            hits = self._ops.read(lambda s: list_hits(s, case_id))
        self.model.set_hits(hits)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self._show_comparison(None)
        self._update_buttons()
        self._set_message(f"{len(hits)} hits" if self._case_id is not None else "")

    def selected_hit(self) -> dict[str, Any] | None:
        """The hit selected in the table, or None."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.hit(self.proxy.mapToSource(rows[0]).row())

    def select_hit(self, hit_id: int) -> None:
        """Select a hit's row."""
        row = self.model.row_of(hit_id)
        if row >= 0:
            self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())

    def start_screening(self) -> int | None:
        """Run "Screen case" in the background runner; returns the job id."""
        if self._case_id is None or self._job is not None:
            return None
        self._job = screening_ops.screen_case(self._ops, self._case_id, float(self.threshold.value()))
        self._progress = JobProgressDialog(self._runner, self._job, "Screening the case", self)
        self._update_buttons()
        self._set_message("Screening…")
        return self._job

    def cancel_screening(self) -> None:
        """Ask the running screening to stop (nothing is written)."""
        if self._job is not None:
            self._runner.cancel(self._job)

    def decide_selected(self, status: str) -> None:
        """Confirm, dismiss (the reason box must say why) or re-open the selected hit in the background."""
        hit = self.selected_hit()
        if hit is None:
            return
        reason = self.reason.text().strip()
        if status == "dismissed" and not reason:
            self._set_message("Say why the hit is dismissed before dismissing it.", error=True)
            self.reason.setFocus()
            return
        screening_ops.decide(self._ops, hit["hit_id"], status, reason, hit["record_label"],
                             on_done=lambda updated: self._on_decided(updated, status),
                             on_error=lambda message: self._set_message(message, error=True))

    def dismiss_selected(self, reason: str | None = None) -> None:
        """Dismiss the selected hit with this reason, else the box's, else one asked for (cancel: nothing)."""
        if self.selected_hit() is None:
            return
        text = reason if reason is not None else (self.reason.text().strip() or self._ask_reason())
        if text is None:
            return
        self.reason.setText(text)
        self.decide_selected("dismissed")

    def show_list_entry(self) -> ListEntryDialog | None:
        """Open the selected hit's list entry in full (names, identifiers, programs, remarks) in a window."""
        hit = self.selected_hit()
        if hit is None:
            return None
        comp = self._ops.read(lambda s: hit_comparison(s, hit["hit_id"]))
        body = self._side_html(comp["list"], case=False, program=hit.get("program") or "")
        dialog = ListEntryDialog(comp["list"].get("name") or "", body, self)
        self.entry_dialog = dialog
        dialog.show()
        return dialog

    def _ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(self, "Dismiss hit", "Why is this not the same party? (kept in the audit log)")
        return (text.strip() or None) if ok else None

    # --- slots ----------------------------------------------------------------------------------

    def _on_screen_triggered(self) -> None:
        self.start_screening()

    def _on_filter_changed(self) -> None:
        self.proxy.status = self.status_filter.currentData() or ""
        self.proxy.invalidate()

    def _on_table_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        hit = self.selected_hit()
        self._show_comparison(hit)
        self._update_buttons()
        if hit is not None:
            self.record_selected.emit(int(hit["record_id"]))

    def _on_runner_finished(self, job_id: int, result: object) -> None:
        if job_id == self._job:
            self._job = None
            self._update_buttons()
            _tag, case_id, payload = result  # type: ignore[misc]
            if case_id == self._case_id:
                self.reload()
                self._set_message(f"Screened {payload['screened']} records: {len(payload['hits'])} hits "
                                  f"({payload['created']} new, {payload['reopened']} re-opened)")
            self.hits_changed.emit(case_id)

    def _on_runner_failed(self, job_id: int, message: str) -> None:
        if job_id == self._job:
            self._job = None
            self.screen_action.setEnabled(True)
            self._set_message(f"Screening failed: {message}", error=True)

    def _on_runner_cancelled(self, job_id: int) -> None:
        if job_id == self._job:
            self._job = None
            self.screen_action.setEnabled(True)
            self._set_message("Screening cancelled; nothing was changed.")

    # --- helpers -------------------------------------------------------------------------------

    def _on_decided(self, updated: dict[str, Any], status: str) -> None:
        self.model.update_hit(updated)
        self.proxy.invalidate()
        self.reason.clear()
        self.select_hit(updated["hit_id"])
        self._show_comparison(self.selected_hit())
        self._update_buttons()
        what = {"confirmed": "confirmed: a finding was recorded", "dismissed": "dismissed",
                "open": "re-opened"}[status]
        self._set_message(f"Hit {what}.")
        if self._case_id is not None:
            self.hits_changed.emit(self._case_id)

    def _update_buttons(self) -> None:
        hit = self.selected_hit()
        # Decisions queue behind a running screening on the one runner: not offered meanwhile.
        has = hit is not None and self._job is None
        self.confirm_button.setEnabled(has and hit["status"] != "confirmed")
        self.dismiss_button.setEnabled(has and hit["status"] != "dismissed")
        self.reopen_button.setEnabled(has and hit["status"] != "open")
        self.reason.setEnabled(has)
        self.screen_action.setEnabled(self._case_id is not None and self._job is None)

    def _set_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "")

    def _show_comparison(self, hit: dict[str, Any] | None) -> None:
        if hit is None:
            self.case_side.setHtml("<i>Select a hit to compare both sides.</i>")
            self.list_side.clear()
            self.why.clear()
            return
        comp = self._ops.read(lambda s: hit_comparison(s, hit["hit_id"]))
        self.case_side.setHtml(self._side_html(comp["case"], case=True))
        self.list_side.setHtml(self._side_html(comp["list"], case=False, program=hit.get("program") or ""))
        h = comp["hit"]
        parts = [f"<p><b>Score {h['score']:.1f}</b> — status <b>{_e(h['status'])}</b>"
                 + (f": {_e(h['reason'])}" if h["reason"] else "") + "</p><ul>"]
        for f in h["features"]:
            if f.get("feature") == "name":
                parts.append(f"<li>Name {f['score']:g}: {_e(f['rule'])} — compared as "
                             f"<code>{_e(f['case_form'])}</code> and <code>{_e(f['list_form'])}</code></li>")
            elif f.get("feature") in ("identifier", "wallet"):
                parts.append(f"<li>{_e(f['feature']).capitalize()}: {_e(f['case_scheme'])} "
                             f"{_e(f['case_value'])} = {_e(f['list_scheme'])} {_e(f['list_value'])}</li>")
            else:
                parts.append(f"<li>{_e(f['feature']).capitalize()} {f['adjust']:+g}: {_e(f['detail'])}</li>")
        parts.append("</ul>")
        if h["steps"]:
            parts.append("<p><b>Normalisation</b></p><ul>" + "".join(
                f"<li>{_e(step)}</li>" for step in h["steps"]) + "</ul>")
        self.why.setHtml("".join(parts))

    @staticmethod
    def _side_html(side: dict[str, Any], *, case: bool, program: str = "") -> str:
        title = side.get("label") if case else side.get("name")
        out = [f"<h3>{_e(title)}</h3>"]
        if not case:
            out.append(f"<p>{_e(side.get('list'))} · entry {_e(side.get('entry_key'))}"
                       + (f" · {_e(side.get('entity_type'))}" if side.get("entity_type") else "") + "</p>")
            if program:  # the program it is listed under (Entity List, SDN …), not only the list's name
                out.append(f"<p><b>Listed under</b>: {_e(program)}</p>")
            if side.get("removed"):
                out.append("<p><i>No longer on the list.</i></p>")
            elif side.get("changed"):
                out.append("<p><i>The entry changed since this hit was made.</i></p>")
        out.append("<p><b>Names</b></p><ul>")
        for n in side.get("names", []):
            forms = ", ".join(f"<code>{_e(f)}</code>" for f in n.get("forms", [])[:4])
            out.append(f"<li>{_e(n['name'])} <small>({_e(n.get('kind', ''))})</small>"
                       + (f"<br><small>{forms}</small>" if forms else "") + "</li>")
        out.append("</ul>")
        if side.get("identifiers"):
            out.append("<p><b>Identifiers</b></p><ul>" + "".join(
                f"<li>{_e(i['scheme'])}: {_e(i['value'])}"
                + (f" ({_e(i['country'])})" if i.get("country") else "") + "</li>"
                for i in side["identifiers"]) + "</ul>")
        out.append(f"<p><b>Countries</b>: {_e(', '.join(side.get('countries') or []) or '—')}</p>")
        if not case and side.get("programs"):
            out.append(f"<p><b>Programs</b>: {_e('; '.join(side['programs'][:12]))}</p>")
        if not case and side.get("remarks"):
            out.append(f"<p><b>Remarks</b>: {_e(side['remarks'][:1500])}</p>")
        return "".join(out)
