"""The findings panel: run the analysis, list findings by severity, confirm or dismiss them.

Signals:
    path_requested(list, list): the record ids and link ids explaining the selected finding
        (the chart highlights them).
    record_selected(int): the finding's subject record (the inspector shows it), or a record
        chosen under an open question.
    question_record_chosen(int): a record chosen under an open question (the window selects it).
    analysis_finished(object): an AnalysisResult after a run (status bar, inspector refresh).
    findings_changed(): findings were added, decided or updated.
    context_requested(object, QPoint): right-click on a row (finding id or None), global position.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.analysis.engine import AnalysisResult
from casedesk.services.analysis.explain import describe_path, finding_rows
from casedesk.ui.models.finding_table import (
    FINDING_ID_ROLE,
    SEVERITY_COLOURS,
    STATUS_LABELS,
    FindingFilterProxyModel,
    FindingTableModel,
)
from casedesk.ui.operations import Operations
from casedesk.ui.operations import findings as finding_ops
from casedesk.ui.widgets.open_questions import OpenQuestionsView
from casedesk.ui.widgets.progress_dialog import JobProgressDialog
from casedesk.ui.widgets.tabs import menu_on_rows

# Filter choices: label -> statuses shown (None: every status).
STATUS_FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("Open and confirmed", frozenset({"open", "confirmed"})),
    ("Open", frozenset({"open"})),
    ("Confirmed", frozenset({"confirmed"})),
    ("Dismissed", frozenset({"dismissed"})),
    ("Resolved", frozenset({"resolved"})),
    ("All current", frozenset({"open", "confirmed", "dismissed"})),
    ("All", None),
)


class FindingsPanel(QWidget):
    """Lists a case's findings and runs the analysis in the background runner."""

    path_requested = Signal(list, list)
    record_selected = Signal(int)
    question_record_chosen = Signal(int)
    finding_chosen = Signal(int)
    analysis_finished = Signal(object)
    findings_changed = Signal()
    context_requested = Signal(object, QPoint)

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._runner = ops, ops.runner
        runner = ops.runner
        ops.workspace_changed.connect(self.set_workspace)
        self._case_id: int | None = None
        self._busy_job: int | None = None
        self._progress: JobProgressDialog | None = None

        self.model = FindingTableModel(self)
        self.proxy = FindingFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.sort(0)

        self.run_button = QPushButton("Run analysis")
        self.run_button.setToolTip("Compute totals and ECCN classes, then check every red-flag rule")
        self.filter_combo = QComboBox()
        for label, _ in STATUS_FILTERS:
            self.filter_combo.addItem(label)
        self.filter_combo.setToolTip("Which findings to list")
        self.count_label = QLabel()
        self.confirm_button = QPushButton("Confirm")
        self.dismiss_button = QPushButton("Dismiss…")
        self.reopen_button = QPushButton("Re-open")
        for b, tip in ((self.confirm_button, "Mark the selected finding as a confirmed red flag"),
                       (self.dismiss_button, "Dismiss the selected finding (a reason is required)"),
                       (self.reopen_button, "Put the selected finding back to open")):
            b.setToolTip(tip)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        menu_on_rows(self.view, self.context_requested.emit, FINDING_ID_ROLE)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        # What the last run could not decide, beside the findings: one item per data gap, its
        # records beneath it (selecting one jumps to it).
        self.questions_title = QLabel("Open questions")
        self.questions_title.setStyleSheet("font-weight: bold;")
        self.questions = OpenQuestionsView()
        self.questions.record_chosen.connect(self.record_selected)
        self.questions.record_chosen.connect(self.question_record_chosen)
        # The day the analysis describes (what existed then, the rules in force then).
        self.as_of_check = QCheckBox("As of")
        self.as_of_check.setToolTip("Analyse the case as it stood on a past day: fleets installed and "
                                    "not decommissioned, contracts and links in force, rules in force")
        self.as_of_edit = QDateEdit()
        self.as_of_edit.setObjectName("as_of_date")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setDate(QDate.currentDate())
        self.as_of_edit.setEnabled(False)
        self.as_of_check.toggled.connect(self.as_of_edit.setEnabled)
        # the inspector's figures follow the chosen day, so they agree with the findings
        self.as_of_check.toggled.connect(lambda _on: self._ops.set_analysis_day(self.as_of()))
        self.as_of_edit.dateChanged.connect(lambda _d: self._ops.set_analysis_day(self.as_of()))

        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.as_of_check)
        top.addWidget(self.as_of_edit)
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.filter_combo)
        top.addStretch(1)
        top.addWidget(self.count_label)
        actions = QHBoxLayout()
        actions.addWidget(self.confirm_button)
        actions.addWidget(self.dismiss_button)
        actions.addWidget(self.reopen_button)
        actions.addStretch(1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(actions)
        lower_layout.addWidget(self.detail)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.questions_title)
        side_layout.addWidget(self.questions, 1)
        self.questions_box = side
        side.hide()
        across = QSplitter(Qt.Orientation.Horizontal)
        across.addWidget(splitter)
        across.addWidget(side)
        across.setStretchFactor(0, 3)
        across.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(across, 1)
        layout.addWidget(self.message)

        self.run_button.clicked.connect(self._on_run_button_clicked)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_combo_changed)
        self.confirm_button.clicked.connect(lambda: self.decide_selected("confirmed"))
        self.dismiss_button.clicked.connect(lambda: self.dismiss_selected())
        self.reopen_button.clicked.connect(lambda: self.decide_selected("open"))
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        runner.cancelled.connect(self._on_runner_cancelled)
        self._on_filter_combo_changed(0)
        self._update_buttons()

    # --- public API ---

    def case_id(self) -> int | None:
        """The case whose findings are shown."""
        return self._case_id

    def set_case(self, case_id: int | None) -> None:
        """Show another case's findings (None: none)."""
        self._case_id = case_id
        self.model.set_rows(self._load() if case_id is not None else [])
        self.detail.clear()
        self.message.clear()
        self.show_questions([])
        self._update_buttons()

    def refresh(self) -> None:
        """Re-read the findings of the current case (precise row updates, selection kept)."""
        if self._case_id is None:
            return
        selected = self.selected_finding_id()
        self.model.update_rows(self._load())
        self._update_buttons()
        if selected is not None:
            self._show_detail(selected)

    def run_analysis(self) -> int | None:
        """Start the analysis of the current case in the background; returns the job id."""
        if self._case_id is None or self._busy_job is not None:
            return None
        self.message.setText("Analysing…")
        self._busy_job = finding_ops.analyse_case(self._ops, self._case_id, as_of=self.as_of(),
                                                  on_done=self._on_analysis_done,
                                                  on_error=self._on_job_failed)
        self._progress = JobProgressDialog(self._runner, self._busy_job, "Running analysis", self)
        self._update_buttons()
        return self._busy_job

    def as_of(self) -> date | None:
        """The analysis day chosen in the date control (None: today)."""
        if not self.as_of_check.isChecked():
            return None
        d = self.as_of_edit.date()
        return date(d.year(), d.month(), d.day())

    def set_as_of(self, day: date | None) -> None:
        """Choose the analysis day (None: today)."""
        self.as_of_check.setChecked(day is not None)
        if day is not None:
            self.as_of_edit.setDate(QDate(day.year, day.month, day.day))

    def selected_finding_id(self) -> int | None:
        """The id of the selected finding, or None."""
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        source = self.proxy.mapToSource(rows[0])
        return self.model.finding(source.row())["id"]

    def selected_finding(self) -> dict[str, Any] | None:
        """The selected finding's row (title, status, record_ids, link_ids, …), or None."""
        fid = self.selected_finding_id()
        return None if fid is None else self.model.finding(self.model.row_of(fid))

    def select_finding(self, finding_id: int | None) -> bool:
        """Select a finding's row if the filter shows it (None clears); emits nothing."""
        self._programmatic = True
        try:
            if finding_id is None:
                self.view.clearSelection()
                return True
            row = self.model.row_of(finding_id)
            if row is None:
                return False
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not index.isValid():
                return False
            self.view.selectRow(index.row())
            return True
        finally:
            self._programmatic = False

    def set_workspace(self, _workspace: object) -> None:
        """Show nothing until a case of the workspace the operations now run on is chosen."""
        self.set_case(None)

    def decide_selected(self, status: str, reason: str = "") -> int | None:
        """Confirm or re-open (or, with a reason, dismiss) the selected finding in the background."""
        fid = self.selected_finding_id()
        if fid is None:
            return None
        return finding_ops.decide(self._ops, fid, status, reason, on_done=self._on_decision_done,
                                  on_error=self._on_job_failed)

    def dismiss_selected(self, reason: str | None = None) -> int | None:
        """Dismiss the selected finding; asks for the reason when none is given (required)."""
        if self.selected_finding_id() is None:
            return None
        if reason is None:
            reason = self._ask_reason()
            if reason is None:
                return None
        if not reason.strip():
            self.message.setText("A dismissal needs a reason: say why this is not a red flag.")
            return None
        return self.decide_selected("dismissed", reason.strip())

    # --- internals ---

    def _ask_reason(self) -> str | None:
        text, ok = QInputDialog.getMultiLineText(
            self, "Dismiss finding", "Why is this finding not a red flag? (required, kept in the audit log)")
        return text if ok else None

    def _load(self, ids: list[int] | None = None) -> list[dict[str, Any]]:
        case_id = self._case_id
        return self._ops.read(lambda s: finding_rows(s, case_id, ids)) if case_id is not None else []

    def _path(self, record_ids: list[int], link_ids: list[int]) -> dict[str, Any]:
        return self._ops.read(lambda s: describe_path(s, record_ids[:500], link_ids[:500]))

    def _update_buttons(self) -> None:
        selected = self.selected_finding_id()
        status = None if selected is None else self.model.finding(self.model.row_of(selected))["status"]
        self.run_button.setEnabled(self._case_id is not None and self._busy_job is None)
        self.confirm_button.setEnabled(status in ("open", "dismissed"))
        self.dismiss_button.setEnabled(status in ("open", "confirmed"))
        self.reopen_button.setEnabled(status in ("confirmed", "dismissed"))
        counts = self.model.statuses()
        shown = self.proxy.rowCount()
        total = sum(counts.values())
        parts = [f"{counts[s]} {s}" for s in ("open", "confirmed", "dismissed", "resolved") if counts.get(s)]
        self.count_label.setText(f"{shown} of {total} shown" + (f" ({', '.join(parts)})" if parts else ""))

    def _show_detail(self, finding_id: int) -> None:
        row = self.model.row_of(finding_id)
        if row is None:
            self.detail.clear()
            return
        f = self.model.finding(row)
        path = self._path(f["record_ids"], f["link_ids"])
        esc = html.escape
        colour = SEVERITY_COLOURS.get(f["severity"], "#000000")
        parts = [(f"<p><b style='color:{colour}'>{esc(f['severity'].upper())}</b> · "
                  f"{esc(STATUS_LABELS.get(f['status'], f['status']))} · {esc(f['rule'])}</p>"),
                 f"<h3>{esc(f['title'])}</h3>", f"<p>{esc(f['explanation'])}</p>"]
        if f["status"] in ("dismissed", "confirmed") and f.get("reason"):
            parts.append(f"<p><i>{esc(f['status'].capitalize())} by {esc(f.get('decided_by') or '?')}: "
                         f"{esc(f['reason'])}</i></p>")
        details = f.get("details") or {}
        if details.get("reopened"):
            r = details["reopened"]
            parts.append(f"<p><i>Re-opened because {esc(r.get('why', 'it changed'))}; it had been "
                         f"dismissed: {esc(r.get('previous_reason', ''))}</i></p>")
        if details.get("path_changed_since_decision"):
            parts.append("<p><i>The explaining path changed since it was confirmed.</i></p>")
        if f["record_ids"]:
            items = "".join(f"<li>{esc(r['label'])}</li>" for r in path["records"])
            parts.append(f"<p>Path ({len(f['record_ids'])} records, {len(f['link_ids'])} links):</p>"
                         f"<ol>{items}</ol>")
            names = {r["id"]: r["label"] for r in path["records"]}
            links = "".join(_link_item(lk, names) for lk in path["links"])
            if links:
                parts.append(f"<ul>{links}</ul>")
        if details.get("undecided"):
            items = "".join(f"<li>{esc(q)}</li>" for q in details["undecided"])
            parts.append(f"<p>Could not decide:</p><ul>{items}</ul>")
        self.detail.setHtml("".join(parts))

    # --- slots ---

    def _on_run_button_clicked(self) -> None:
        self.run_analysis()

    def _on_filter_combo_changed(self, index: int) -> None:
        self.proxy.set_statuses(STATUS_FILTERS[index][1])
        self._update_buttons()

    def _on_view_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()
        fid = self.selected_finding_id()
        if fid is None:
            self.detail.clear()
            return
        self._show_detail(fid)
        if getattr(self, "_programmatic", False):
            return  # the selection came from elsewhere: do not echo it back
        self.finding_chosen.emit(fid)
        f = self.model.finding(self.model.row_of(fid))
        self.path_requested.emit(list(f["record_ids"]), list(f["link_ids"]))
        if f["record_ids"]:
            self.record_selected.emit(int(f["record_ids"][0]))

    def _on_analysis_done(self, result: AnalysisResult) -> None:
        self._end_job()
        c = result.counts
        groups = result.open_questions
        undecided = f"; {len(groups)} open question(s)" if groups else ""
        left = (result.left_out or {}).get("fleets") or []
        gone = f"; {len(left)} fleet(s) not in service that day left out" if left else ""
        self.message.setText(f"Analysis as of {result.as_of.isoformat()} done: {c['created']} new, "
                             f"{c['updated']} updated, {c['reopened']} re-opened, "
                             f"{c['resolved']} resolved{undecided}{gone}.")
        self.show_questions(groups)
        self.refresh()
        self.analysis_finished.emit(result)
        self.findings_changed.emit()

    def show_questions(self, groups: list[Any]) -> None:
        """List the last analysis's open questions, one item per data gap (hidden when none)."""
        n = self.questions.set_groups(groups)
        self.questions_title.setText(f"Open questions ({n}): data gaps, not red flags")
        self.questions_box.setVisible(bool(n))

    def _on_decision_done(self, finding_id: int) -> None:
        self.message.clear()
        for row in self._load([finding_id]):
            self.model.update_row(row)
        self._update_buttons()
        if self.selected_finding_id() == finding_id:
            self._show_detail(finding_id)
        self.findings_changed.emit()

    def _on_job_failed(self, message: str) -> None:
        self._end_job()
        self.message.setText(message)

    def _on_runner_cancelled(self, job_id: int) -> None:
        if job_id == self._busy_job:
            self._end_job()
            self.message.setText("Analysis cancelled: nothing was changed.")

    def _end_job(self) -> None:
        self._busy_job = None
        if self._progress is not None:
            self._progress.deleteLater()
            self._progress = None
        self._update_buttons()


def _link_item(link: dict[str, Any], names: dict[int, str]) -> str:
    """'<li>A → <i>owns</i> → B</li>' with every name escaped."""
    def name(rid: int | None) -> str:
        return html.escape(names.get(rid, f"#{rid}") if rid is not None else "?")
    kind = html.escape((link["type"] or "deleted link").replace("_", " "))
    return f"<li>{name(link['source_id'])} → <i>{kind}</i> → {name(link['target_id'])}</li>"
