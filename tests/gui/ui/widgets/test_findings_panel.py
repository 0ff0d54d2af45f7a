"""The findings flow: run the analysis, select a finding (path emitted), dismiss, re-run, re-open."""

from __future__ import annotations

import pytest
from casedesk.services.findings import list_findings
from casedesk.services.links import add_link
from casedesk.services.records import RecordIn, create_record
from casedesk.ui.models.finding_table import FindingFilterProxyModel, FindingTableModel
from casedesk.ui.operations import Operations
from casedesk.ui.widgets.compute_summary import ComputeSummaryWidget
from casedesk.ui.widgets.findings_panel import STATUS_FILTERS, FindingsPanel

# The progress dialog appears when a run takes over 300 ms (a busy machine); Qt's offscreen
# platform then warns that it cannot propagate size hints, which says nothing about CaseDesk.
pytestmark = pytest.mark.qt_log_ignore(r".*propagateSizeHints.*")


@pytest.fixture
def runner(inline_runner):  # noqa: ANN001, ANN201
    """These tests need the panel's results, not the worker thread."""
    return inline_runner


@pytest.fixture
def panel(qtbot, demo_ws, runner):
    ws, case_id = demo_ws
    p = FindingsPanel(Operations(ws, runner))
    qtbot.addWidget(p)
    p.set_case(case_id)
    return p


def _run(qtbot, panel):
    with qtbot.waitSignal(panel.analysis_finished, timeout=30000) as blocker:
        panel.run_button.click()
    return blocker.args[0]


def _select_rule(panel, rule, subject_label=None):
    for row in range(panel.proxy.rowCount()):
        f = panel.model.finding(panel.proxy.mapToSource(panel.proxy.index(row, 0)).row())
        if f["rule"] == rule and (subject_label is None or subject_label in f["explanation"]):
            panel.view.selectRow(row)
            return f
    raise AssertionError(f"no {rule} finding shown")


def _wait_status(qtbot, panel, fid, status):
    qtbot.waitUntil(lambda: panel.model.finding(panel.model.row_of(fid))["status"] == status, timeout=10000)


def test_findings_flow(qtbot, panel, demo_ws):
    ws, case_id = demo_ws
    assert panel.model.rowCount() == 0
    result = _run(qtbot, panel)
    assert result.counts["created"] == panel.model.rowCount() >= 10
    # Most severe first.
    first = panel.model.finding(panel.proxy.mapToSource(panel.proxy.index(0, 0)).row())
    assert first["severity"] == "critical"

    # Selecting a finding asks for its path and selects its subject.
    with qtbot.waitSignal(panel.path_requested) as path, qtbot.waitSignal(panel.record_selected) as rec:
        f = _select_rule(panel, "hq_controlled_compute", "Beijing")
    assert path.args == [f["record_ids"], f["link_ids"]] and len(f["link_ids"]) >= 2
    assert rec.args == [f["record_ids"][0]]
    assert "Beijing AI company" in panel.detail.toPlainText()
    assert "remotely from a data center in Australia" in panel.detail.toPlainText()

    # Dismissing needs a reason.
    assert panel.dismiss_selected("   ") is None and "reason" in panel.message.text()
    panel.dismiss_selected("Licence seen for this customer")
    _wait_status(qtbot, panel, f["id"], "dismissed")
    assert panel.proxy.rowCount() == panel.model.rowCount() - 1   # default filter hides it

    # A re-run keeps the dismissal.
    again = _run(qtbot, panel)
    assert again.counts["created"] == 0
    row = panel.model.finding(panel.model.row_of(f["id"]))
    assert (row["status"], row["reason"]) == ("dismissed", "Licence seen for this customer")

    # A new link on its path re-opens it.
    with ws.write() as s:
        fleet = next(x for x in f["record_ids"] if "fleet" in _label(s, x).lower())
        extra = create_record(s, case_id, RecordIn("datacenter", {"label": "Second site", "country": "AU"})).id
        add_link(s, case_id, "hosted_at", fleet, extra)
    _run(qtbot, panel)
    row = panel.model.finding(panel.model.row_of(f["id"]))
    assert row["status"] == "open" and row["details"]["reopened"]["previous_reason"].startswith("Licence")
    assert extra in row["record_ids"]


def _label(session, record_id):
    from casedesk.services.records import get_record

    return get_record(session, record_id).label


def test_confirm_and_reopen_and_status_filter(qtbot, panel):
    _run(qtbot, panel)
    f = _select_rule(panel, "quick_stand_up")
    assert panel.confirm_button.isEnabled() and not panel.reopen_button.isEnabled()
    panel.confirm_button.click()
    _wait_status(qtbot, panel, f["id"], "confirmed")
    panel.filter_combo.setCurrentIndex([label for label, _ in STATUS_FILTERS].index("Confirmed"))
    assert panel.proxy.rowCount() == 1
    panel.select_finding(f["id"])
    assert panel.reopen_button.isEnabled()
    panel.reopen_button.click()
    _wait_status(qtbot, panel, f["id"], "open")
    assert panel.proxy.rowCount() == 0


def test_dismiss_dialog_cancel_changes_nothing(qtbot, panel, monkeypatch):
    _run(qtbot, panel)
    f = _select_rule(panel, "crypto_payment")
    monkeypatch.setattr(panel, "_ask_reason", lambda: None)
    assert panel.dismiss_selected() is None
    monkeypatch.setattr(panel, "_ask_reason", lambda: "Illustrative wallet only")
    panel.dismiss_button.click()
    _wait_status(qtbot, panel, f["id"], "dismissed")


def test_models_pass_qtmodeltester(qtbot, qtmodeltester, panel):
    _run(qtbot, panel)
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.proxy)
    rows = [panel.model.finding(r) for r in range(panel.model.rowCount())]
    model = FindingTableModel()
    model.set_rows(rows[:5])
    qtmodeltester.check(model)
    changed = [dict(rows[1], status="dismissed")] + rows[3:8]
    model.update_rows(changed)
    assert [model.finding(r)["id"] for r in range(model.rowCount())] == [r["id"] for r in changed]
    assert model.finding(0)["status"] == "dismissed"
    proxy = FindingFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.set_statuses(frozenset({"dismissed"}))
    assert proxy.rowCount() == 1
    qtmodeltester.check(proxy)


def test_markup_in_labels_is_shown_literally(qtbot, panel, demo_ws):
    ws, case_id = demo_ws
    with ws.write() as s:
        fleet = create_record(s, case_id, RecordIn("server", {
            "label": "<b>bold</b> & <script>x</script>", "accelerator_model": "Ascend 910B",
            "server_count": 2, "accelerators_per_server": 8})).id
    _run(qtbot, panel)
    _select_rule(panel, "prc_advanced_ic")
    assert "<b>bold</b> & <script>x</script>" in panel.detail.toPlainText()
    del fleet


def test_compute_summary_widget(qtbot, demo_ws, inline_runner):
    ws, case_id = demo_ws
    from casedesk.services.listings import list_records

    with ws.read() as s:
        ids = {r["label"]: r["id"] for r in list_records(s, case_id)}
    from PySide6.QtWidgets import QWidget

    inspector = QWidget()   # as in the inspector: a child, not a window of its own
    qtbot.addWidget(inspector)
    w = ComputeSummaryWidget(Operations(ws, inline_runner), inspector)
    w.set_record(ids["Brisbane H100 fleet"])
    assert not w.isHidden()
    text = w.label.text()
    assert "at least 2,400 H100 SXM" in text and "4A090.a" in text and "2,400 H100-equivalents" in text
    w.set_record(ids["Beijing AI company (unnamed)"])
    assert "As end user: at least 2,400 H100 SXM" in w.label.text()
    w.set_record(ids["Derek Aw"])
    assert w.isHidden()
    w.set_record(None)
    assert w.isHidden()


def test_the_inspector_figures_follow_the_findings_as_of_day(qtbot, demo_ws, inline_runner):
    from datetime import date

    from casedesk.services.listings import list_records
    from PySide6.QtWidgets import QWidget

    ws, case_id = demo_ws
    with ws.read() as s:
        ids = {r["label"]: r["id"] for r in list_records(s, case_id)}
    ops = Operations(ws, inline_runner)
    parent = QWidget()
    qtbot.addWidget(parent)
    panel = FindingsPanel(ops, parent)
    box = ComputeSummaryWidget(ops, parent)
    box.set_record(ids["Beijing AI company (unnamed)"])
    assert "As end user: at least 2,400 H100 SXM" in box.label.text() and box.title() == "Compute"
    panel.set_as_of(date(2024, 5, 15))  # before the Brisbane fleet was installed (June 2024)
    assert ops.analysis_day == date(2024, 5, 15)
    assert box.title() == "Compute as of 2024-05-15"
    assert "As end user" not in box.label.text()  # nothing it used existed yet
    box.set_record(ids["Brisbane H100 fleet"])
    assert "Not counted as of 2024-05-15: installed" in box.label.text()
    panel.set_as_of(None)
    assert box.title() == "Compute" and "Not counted" not in box.label.text()


def test_cancel_leaves_nothing_written(qtbot, panel, runner, demo_ws):
    ws, case_id = demo_ws
    with qtbot.waitSignal(runner.cancelled, timeout=30000):
        job = panel.run_analysis()
        assert not panel.run_button.isEnabled()
        runner.cancel(job)
    assert "cancelled" in panel.message.text() and panel.run_button.isEnabled()
    with ws.read() as s:
        assert list_findings(s, case_id) == []


def test_open_questions_are_listed_beside_the_findings_and_open_their_record(qtbot, panel):
    result = _run(qtbot, panel)
    assert result.open_questions, "the demo case has questions analysis cannot decide"
    assert panel.questions.group_count() == len(result.open_questions)
    assert f"Open questions ({len(result.open_questions)})" in panel.questions_title.text()
    assert not panel.questions_box.isHidden()
    records = panel.questions.records_of(0)
    assert records == result.open_questions[0]["record_ids"]
    with qtbot.waitSignal(panel.record_selected) as chosen:
        panel.questions.choose(0, 0)
    assert chosen.args[0] == records[0]


def test_data_gaps_of_many_parties_are_one_item_each_openable(qtbot, panel, demo_ws):
    ws, case_id = demo_ws
    with ws.write() as s:
        owners = []
        for i in range(12):
            owner = create_record(s, case_id, RecordIn("party", {"label": f"Cluster owner {i}", "party_kind": "company"})).id
            fleet = create_record(s, case_id, RecordIn("server", {"label": f"Cluster {i}",
                                                                 "accelerator_model": "H100 SXM"})).id
            add_link(s, case_id, "owns_asset", owner, fleet)
            owners.append(owner)
    result = _run(qtbot, panel)
    assert not [f for f in list_findings_of(ws, case_id) if f["rule"] == "intermediary_without_owner"
                and f["details"]["party_id"] in owners]
    gaps = [q["gap"] for q in result.open_questions]
    assert len(gaps) == len(set(gaps)), "one item per kind of gap"
    g = gaps.index("owner_unknown")
    assert set(owners) <= set(panel.questions.records_of(g))
    row = panel.questions.records_of(g).index(owners[5])
    with qtbot.waitSignal(panel.record_selected) as chosen:
        panel.questions.choose(g, row)
    assert chosen.args[0] == owners[5]


def test_the_date_control_analyses_as_of_a_day(qtbot, panel):
    from datetime import date

    panel.set_as_of(date(2024, 5, 15))
    assert panel.as_of() == date(2024, 5, 15)
    result = _run(qtbot, panel)
    assert result.as_of == date(2024, 5, 15)
    assert "Brisbane H100 fleet" in [f["label"] for f in result.left_out["fleets"]]
    assert "as of 2024-05-15" in panel.message.text()
    panel.set_as_of(None)
    assert panel.as_of() is None


def test_rows_sort_by_severity_then_controlled_compute(qtbot, panel):
    _run(qtbot, panel)
    keys = []
    for r in range(panel.proxy.rowCount()):
        src = panel.proxy.mapToSource(panel.proxy.index(r, 0))
        f = panel.model.finding(src.row())
        keys.append((f["severity"], f["details"]["compute_touched"]["controlled_tpp"]))
    from casedesk.services.findings import severity_rank
    assert keys == sorted(keys, key=lambda k: (severity_rank(k[0]), -k[1]))
    assert keys[0][1] > 0


def list_findings_of(ws, case_id):
    with ws.read() as s:
        return list_findings(s, case_id)
