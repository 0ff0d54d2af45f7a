"""The screening review flow in the GUI: load a list, screen a case, compare, decide."""

from __future__ import annotations

from pathlib import Path

import pytest
from casedesk.domain.models import Finding
from casedesk.domain.watchlists import ScreeningHit, Watchlist
from casedesk.services.cases import create_case
from casedesk.services.records import RecordIn, create_record
from casedesk.ui.dialogs.watchlist_dialog import WatchlistImportDialog
from casedesk.ui.operations import Operations
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.widgets.hits_panel import ScreeningHitsPanel
from PySide6.QtCore import Qt
from sqlalchemy import select

LISTS = Path(__file__).resolve().parents[3] / "data" / "screening-lists"


@pytest.fixture
def runner(inline_runner):  # noqa: ANN001, ANN201
    """The review flow needs the jobs' results, not the worker thread (cancel below uses the real one)."""
    return inline_runner


@pytest.fixture
def threaded_runner(qtbot):  # noqa: ANN001, ANN201
    r = TaskRunner()
    yield r
    r.shutdown()


def import_with_dialog(qtbot, ws, runner, path, *, consent=False):
    dialog = WatchlistImportDialog(Operations(ws, runner))
    qtbot.addWidget(dialog)
    dialog.set_file(path)
    with qtbot.waitSignal(runner.finished, timeout=30000):
        dialog.check_file()
    return dialog


def test_dialog_reports_bad_rows_by_line_and_imports_nothing_without_consent(qtbot, sqlite_ws, runner):
    dialog = import_with_dialog(qtbot, sqlite_ws, runner, LISTS / "csl" / "csl_invalid_2019.csv")
    lines = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert lines[0] == "line 2: row has 2 fields, the header has 28" and len(lines) == 4
    assert dialog.problems.isVisible() or not dialog.isVisible()
    assert not dialog.import_button.isEnabled()
    dialog.skip_box.setChecked(True)
    assert dialog.import_button.isEnabled()
    # more malformed rows than readable ones: still refused, with the reason shown
    assert dialog.start_import() is None
    assert "looks damaged" in dialog.summary.text()
    with sqlite_ws.read() as s:
        assert s.scalar(select(Watchlist.id)) is None


def test_dialog_refuses_an_unknown_format_with_the_reason(qtbot, sqlite_ws, runner, tmp_path):
    p = tmp_path / "servers.csv"
    p.write_text("serial,model\n1,H100\n", encoding="utf-8")
    dialog = WatchlistImportDialog(Operations(sqlite_ws, runner))
    qtbot.addWidget(dialog)
    dialog.set_file(p)
    with qtbot.waitSignal(runner.failed, timeout=30000):
        dialog.check_file()
    assert "unknown list format" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()


def test_dialog_imports_a_real_list(qtbot, sqlite_ws, runner):
    dialog = import_with_dialog(qtbot, sqlite_ws, runner, LISTS / "ofac-sdn-2021" / "sdn.csv")
    assert "8,976 entries" in dialog.summary.text()
    dialog.name_edit.setText("OFAC SDN 2021-07")
    with qtbot.waitSignal(dialog.imported, timeout=60000) as blocker:
        dialog.import_button.click()
    with sqlite_ws.read() as s:
        wl = s.get(Watchlist, blocker.args[0])
        assert wl.name == "OFAC SDN 2021-07" and wl.entry_count == 8976


@pytest.fixture
def screened_case(qtbot, sqlite_ws, runner):
    dialog = import_with_dialog(qtbot, sqlite_ws, runner, LISTS / "ftm" / "zala_cluster.ftm.jsonl")
    with qtbot.waitSignal(dialog.imported, timeout=60000):
        dialog.import_button.click()
    with sqlite_ws.write() as s:
        case_id = create_case(s, "drones").id
        zala = create_record(s, case_id, RecordIn("party", {"label": "АО «Зала Аэро»", "country": "RU"})).id
        create_record(s, case_id, RecordIn("party", {"label": "Acme Bakery GmbH"}))
        zakharov = create_record(s, case_id, RecordIn("party", {
            "label": "Aleksandr Zakharov", "party_kind": "person"})).id
    panel = ScreeningHitsPanel(Operations(sqlite_ws, runner))
    qtbot.addWidget(panel)
    panel.resize(1300, 700)
    panel.set_case(case_id)
    with qtbot.waitSignal(runner.finished, timeout=60000):
        panel.screen_action.trigger()
    return panel, case_id, zala, zakharov


def test_screen_case_fills_the_table_and_selecting_a_hit_compares_both_sides(qtbot, screened_case):
    panel, case_id, zala, zakharov = screened_case
    hits = [panel.model.hit(r) for r in range(panel.model.rowCount())]
    assert {h["record_id"] for h in hits} == {zala, zakharov}
    row = next(r for r in range(panel.proxy.rowCount())
               if panel.proxy.index(r, 2).data() == "Aleksandr Zakharov")
    with qtbot.waitSignal(panel.record_selected) as blocker:
        panel.table.selectRow(row)
    assert blocker.args == [zakharov]
    assert "Aleksandr Zakharov" in panel.case_side.toPlainText()
    assert "Александр" in panel.list_side.toPlainText()  # the list's names in every script
    assert "RU" in panel.list_side.toPlainText()
    assert "Score" in panel.why.toPlainText()


def test_dismiss_needs_a_reason_confirm_records_a_finding(qtbot, sqlite_ws, screened_case):
    panel, case_id, zala, zakharov = screened_case
    def row_of(label):
        return next(r for r in range(panel.proxy.rowCount()) if panel.proxy.index(r, 2).data() == label)

    panel.table.selectRow(row_of("Aleksandr Zakharov"))
    qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    assert "Say why" in panel.message.text()
    assert panel.selected_hit()["status"] == "open"
    panel.reason.setText("different person: born 1971, listed one born 1988")
    with qtbot.waitSignal(panel.hits_changed):
        panel.dismiss_button.click()
    assert panel.selected_hit()["status"] == "dismissed"
    panel.table.selectRow(row_of("АО «Зала Аэро»"))
    with qtbot.waitSignal(panel.hits_changed):  # the decision runs on the one runner
        panel.confirm_button.click()
    with sqlite_ws.read() as s:
        statuses = {h.id: (h.record_id, h.status) for h in s.scalars(select(ScreeningHit))}
        finding = s.scalar(select(Finding).where(Finding.rule == "screening_hit"))
    assert (zakharov, "dismissed") in statuses.values() and (zala, "confirmed") in statuses.values()
    assert finding.record_ids == [zala]
    # the filter shows only the hits still open
    panel.status_filter.setCurrentIndex(1)
    still_open = sum(1 for _r, st in statuses.values() if st == "open")
    assert panel.proxy.rowCount() == still_open
    panel.status_filter.setCurrentIndex(0)
    # re-screening keeps the decisions
    with qtbot.waitSignal(panel._runner.finished, timeout=60000):
        panel.start_screening()
    after = {panel.model.hit(r)["hit_id"]: panel.model.hit(r)["status"] for r in range(panel.model.rowCount())}
    assert after == {hid: st for hid, (_r, st) in statuses.items()}


def test_hits_sort_by_score_as_numbers(qtbot, sqlite_ws, runner):
    panel = ScreeningHitsPanel(Operations(sqlite_ws, runner))
    qtbot.addWidget(panel)
    panel.model.set_hits([
        {"hit_id": i, "record_id": i, "record_label": f"r{i}", "entry_name": "e", "list": "l",
         "score": score, "status": "open", "features": [], "explanation": ""}
        for i, score in enumerate([86.0, 100.0, 91.5])])
    panel.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert [panel.proxy.index(r, 0).data() for r in range(3)] == ["100.0", "91.5", "86.0"]


def test_cancel_leaves_nothing_written(qtbot, sqlite_ws, threaded_runner):
    runner = threaded_runner
    with sqlite_ws.write() as s:
        case_id = create_case(s, "empty").id
    panel = ScreeningHitsPanel(Operations(sqlite_ws, runner))
    qtbot.addWidget(panel)
    panel.set_case(case_id)
    job = panel.start_screening()
    runner.cancel(job)
    with qtbot.waitSignal(runner.cancelled, timeout=30000, raising=False):
        pass
    qtbot.waitUntil(lambda: panel.screen_action.isEnabled(), timeout=30000)
    with sqlite_ws.read() as s:
        assert s.scalar(select(ScreeningHit.id)) is None


def test_screening_from_the_panel_re_reads_a_list_an_older_version_stored(qtbot, sqlite_ws, runner,
                                                                          tmp_path):
    from casedesk.services.screening.list_forms import outdated_lists
    from tests.unit.services.screening.test_list_forms import ROWS, _age_the_list
    from tests.unit.services.screening.test_screen import MAPPING, load, party, write_list

    res = load(sqlite_ws, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    _age_the_list(sqlite_ws, res.list_id)
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Dalian").id
    party(sqlite_ws, case_id, "大连正华贸易有限公司", country="CN")
    panel = ScreeningHitsPanel(Operations(sqlite_ws, runner))
    qtbot.addWidget(panel)
    panel.set_case(case_id)
    with qtbot.waitSignal(runner.finished, timeout=60000):
        panel.screen_action.trigger()
    assert [panel.model.hit(r)["entry_name"] for r in range(panel.model.rowCount())] \
        == ["DALIAN ZHENGHUA MAOYI YOUXIAN GONGSI"]
    with sqlite_ws.read() as s:
        assert outdated_lists(s) == []
