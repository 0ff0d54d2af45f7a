"""Possible duplicates and "Also appears in", driven as an investigator would."""

from __future__ import annotations

from factories import make_case, make_party
from PySide6.QtWidgets import QGroupBox
from sqlalchemy import select

from casedesk.domain.watchlists import DuplicateDecision
from casedesk.services.listings import list_records


def _window_on(sqlite_ws, open_window, qtbot, labels_by_case):  # noqa: ANN001, ANN202
    ids = {}
    with sqlite_ws.write() as s:
        cases = []
        for title, labels in labels_by_case:
            case_id = make_case(s, title)
            cases.append(case_id)
            for label in labels:
                ids[(title, label)] = make_party(s, case_id, label, party_kind="company", country="SG")
    w = open_window(sqlite_ws)
    w.set_case(cases[0])
    qtbot.waitUntil(w.is_idle)
    return w, cases, ids


def test_pairs_are_found_then_one_is_not_the_same_and_the_other_merged(sqlite_ws, open_window, qtbot):
    w, (case_id,), ids = _window_on(sqlite_ws, open_window, qtbot, [(
        "Case", ["Harbor Compute Pte. Ltd.", "Harbor Compute Pte Ltd", "Jade Systems International",
                 "Jade Systems Intl", "Acme Bakery"])])
    panel = w.duplicates
    panel.find_button.click()
    qtbot.waitUntil(lambda: panel.job_id is None and panel.model.rowCount() >= 2, timeout=20000)
    pairs = {frozenset((p["label_a"], p["label_b"])) for p in panel.model.rows()}
    assert frozenset(("Jade Systems International", "Jade Systems Intl")) in pairs
    assert all("Acme Bakery" not in pair for pair in pairs)
    jade = next(r for r in range(panel.model.rowCount()) if "Jade" in panel.model.row_at(r)["label_a"])
    panel.table.selectRow(jade)
    panel.reason.setText("different registration numbers")
    panel.distinct_button.click()
    qtbot.waitUntil(lambda: "not the same" in panel.status.text(), timeout=10000)
    with sqlite_ws.read() as s:
        decision = s.scalars(select(DuplicateDecision)).one()
    assert decision.reason == "different registration numbers"
    harbor = next(r for r in range(panel.model.rowCount()) if "Harbor" in panel.model.row_at(r)["label_a"])
    panel.table.selectRow(harbor)
    panel.merge_button.click()
    box = w.dialog
    assert box.objectName() == "merge_dialog"
    next(iter(box.keep_buttons.values())).click()
    qtbot.waitUntil(w.is_idle, timeout=10000)
    with sqlite_ws.read() as s:
        labels = sorted(r["label"] for r in list_records(s, case_id))
    assert len([x for x in labels if x.startswith("Harbor")]) == 1
    assert all("Harbor" not in p["label_a"] + p["label_b"] for p in panel.model.rows())
    panel.find_button.click()  # the decided pair is not suggested again
    qtbot.waitUntil(lambda: panel.job_id is None, timeout=20000)
    assert not panel.model.rows()


def test_also_appears_in_opens_the_other_case_on_that_record(sqlite_ws, open_window, qtbot):
    w, (first, second), ids = _window_on(sqlite_ws, open_window, qtbot, [
        ("Brisbane rentals", ["Harbor Compute Pte. Ltd."]), ("California rentals", ["Harbor Compute Pte Ltd"])])
    w.select_record(ids[("Brisbane rentals", "Harbor Compute Pte. Ltd.")])
    qtbot.waitUntil(lambda: w.inspector.current() is not None)
    titles = [box.title() for box in w.inspector.findChildren(QGroupBox)]
    assert any(t.startswith("Also appears in (1)") for t in titles), titles
    other = ids[("California rentals", "Harbor Compute Pte Ltd")]
    w.inspector.other_case_chosen.emit(second, other)
    qtbot.waitUntil(lambda: w.current_case_id() == second and w.inspector.current() == ("record", other),
                    timeout=10000)
