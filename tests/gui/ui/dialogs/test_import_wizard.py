"""The import wizard, driven like a user: file, mapping, preview, duplicates, grade, progress, cancel."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.domain.models import AuditEntry, Evidence, ImportBatch, Record
from casedesk.services.cases import create_case
from casedesk.services.records import RecordIn, create_record
from casedesk.ui.dialogs.import_wizard import mapping_page as wizard_module
from casedesk.ui.dialogs.import_wizard import ImportWizard
from casedesk.ui.operations import Operations
from casedesk.ui.tasks import TaskRunner


@pytest.fixture
def setup(qtbot, sqlite_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(wizard_module, "saved_mappings_dir", lambda: tmp_path / "mappings")
    monkeypatch.setattr(
        wizard_module,
        "list_saved_mappings",
        lambda folder=None: sorted((tmp_path / "mappings").glob("*.yaml")),
    )
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Wizard case").id
        existing = create_record(
            s, case_id, RecordIn("party", {"label": "Aurora Compute Holdings Limited"})
        ).id
    runner = TaskRunner()
    wizard = ImportWizard(Operations(sqlite_ws, runner), case_id)
    qtbot.addWidget(wizard)
    wizard.restart()
    yield wizard, case_id, existing
    wizard.disconnect_runner()
    runner.shutdown()


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _choose(combo, text_part: str) -> None:
    index = next(i for i in range(combo.count()) if text_part in combo.itemText(i))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def _target_combo(page, key: str, field_label: str):
    table = page.targets
    row = next(
        r
        for r in range(table.rowCount())
        if table.item(r, 0).text() == key and table.item(r, 1).text() == field_label
    )
    return table.cellWidget(row, 2)


def test_full_flow_with_mapping_preview_rejects_and_a_merge(qtbot, setup, tmp_path):
    wizard, case_id, existing = setup
    path = _write(
        tmp_path / "registry.csv",
        [
            ["name", "Jurisdiction", "notes"],
            ["Aurora Compute Holdings Ltd", "KY", "parent"],
            ["Bad Co", "Narnia", ""],
            ["New Co Pte. Ltd.", "Singapore", "=cmd|' /C calc'!A0"],
        ],
    )
    wizard.file_page.set_path(path)
    assert wizard.info is not None and wizard.file_page.isComplete()
    assert wizard.file_page.model.rowCount() == 3
    wizard.next()
    page = wizard.mapping_page
    assert wizard.currentPage() is page
    assert "Preset: Parties" in page.source.currentText()
    # The preset has no "Jurisdiction": it is left over (kept as notes) until mapped to Country.
    assert [page.leftover.item(i).text() for i in range(page.leftover.count())] == ["Jurisdiction"]
    _choose(_target_combo(page, "party", "Jurisdiction"), "column: Jurisdiction")
    assert page.leftover.count() == 0
    assert wizard.mapping.records[0].fields["country"][0].columns == ("Jurisdiction",)
    wizard.next()
    preview = wizard.preview_page
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=20000)
    assert preview.valid_model.rowCount() == 2 and preview.rejected_model.rowCount() == 1
    assert preview.rejected_model.cell(0, 0) == "3" and "Narnia" in preview.rejected_model.cell(
        0, 1
    )
    assert "2 valid, 1 rejected" in preview.status.text()
    wizard.next()
    dedupe = wizard.dedupe_page
    assert dedupe.table.rowCount() == 1
    assert "similar" in dedupe.table.item(0, 3).text()
    assert (
        dedupe.table.cellWidget(0, 4).currentText() == dedupe.SEPARATE
    )  # names are not merged unasked
    dedupe.set_decision(0, merge=True)
    assert list(wizard.decisions.values()) == [existing]
    wizard.next()
    grade = wizard.grade_page
    grade.reliability.setCurrentIndex(grade.reliability.findData("B"))
    grade.credibility.setCurrentIndex(grade.credibility.findData("2"))
    assert grade.rejects_box.isChecked()
    wizard.next()
    review = wizard.review_page
    assert wizard.currentPage() is review
    assert wizard.button(wizard.WizardButton.NextButton).text().replace("&", "") == "Import"
    # the merge chosen on the duplicates page counts as a merge, not a new record
    assert review.lines()[:4] == [
        "3 rows in registry.csv: 2 will be imported, 1 rejected.",
        "New records: 1 parties.",
        "Merged into records already in the case: 1.",
        "Links: 0.",
    ]
    assert "graded B2" in review.text.text()
    with wizard.ops.reading() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 0  # nothing written yet
    with qtbot.waitSignal(wizard.import_finished, timeout=30000) as blocker:
        wizard.next()
    batch_id = blocker.args[0]
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.summary_page, timeout=5000)
    assert f"batch {batch_id}" in wizard.summary_page.text.text()
    assert Path(grade.rejects_path.text()).exists()
    with wizard.ops.reading() as s:
        aurora = s.get(Record, existing)
        assert aurora.country == "KY" and [a.name for a in aurora.aliases] == [
            "Aurora Compute Holdings Ltd"
        ]
        labels = sorted(s.scalars(select(Record.label).where(Record.case_id == case_id)))
        ev = s.scalar(select(Evidence).where(Evidence.case_id == case_id))
        new = s.scalar(select(Record).where(Record.label == "New Co Pte. Ltd."))
        assert new.notes == "=cmd|' /C calc'!A0" and new.country == "SG"
    assert labels == ["Aurora Compute Holdings Limited", "New Co Pte. Ltd."]
    assert (ev.reliability, ev.credibility) == ("B", "2")


def test_mapping_page_adds_records_and_links_and_saves(qtbot, setup, tmp_path):
    wizard, case_id, _ = setup
    path = _write(
        tmp_path / "fleet.csv",
        [["name", "site", "site city"], ["Aurora", "Brisbane DC1", "Brisbane"]],
    )
    wizard.file_page.set_path(path)
    wizard.next()
    page = wizard.mapping_page
    key = page.add_record("datacenter", "site")
    _choose(_target_combo(page, key, "City"), "column: site city")
    page.add_link("operates", "party", key)
    assert [lk.type for lk in wizard.mapping.links] == ["operates"]
    page.add_link("hosted_at", "party", key)  # not allowed: a party is not hosted at a data center
    assert "cannot be linked" in page.error.text() and len(wizard.mapping.links) == 1
    page.save_to(tmp_path / "mappings" / "fleet_sites.yaml")
    assert (tmp_path / "mappings" / "fleet_sites.yaml").exists()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=20000)
    assert wizard.plan.new_records == {"party": 1, "datacenter": 1} and wizard.plan.links == 1
    wizard.back()
    wizard.back()
    wizard.next()  # the saved mapping is offered next time
    assert any("Saved: fleet_sites" in page.source.itemText(i) for i in range(page.source.count()))


def test_cancel_during_the_import_writes_nothing(qtbot, setup, tmp_path):
    wizard, case_id, _ = setup
    rows = [["name", "country"]] + [[f"Company {i} Ltd", "SG"] for i in range(60_000)]
    path = _write(tmp_path / "big.csv", rows)
    with wizard.ops.reading() as s:
        before = [
            s.scalar(select(func.count()).select_from(m))
            for m in (Record, Evidence, ImportBatch, AuditEntry)
        ]
    wizard.file_page.set_path(path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=60000)
    for _ in range(4):  # duplicates, evidence, review, Import
        wizard.next()
    run = wizard.run_page
    assert wizard.currentPage() is run and run.cancel_button.isEnabled()

    def progressed() -> bool:
        text = run.status.text()
        return (
            "Importing:" in text
            and int(text.split("Importing:")[1].split("rows")[0].replace(",", "")) >= 10_000
        )

    qtbot.waitUntil(progressed, timeout=60000)
    assert run.progress.value() > 0
    run.cancel_button.click()
    qtbot.waitUntil(lambda: run.outcome == "cancelled", timeout=30000)
    assert "nothing was written" in run.status.text()
    assert wizard.currentPage() is run and not run.isComplete()
    with wizard.ops.reading() as s:
        after = [
            s.scalar(select(func.count()).select_from(m))
            for m in (Record, Evidence, ImportBatch, AuditEntry)
        ]
    assert after == before


def test_an_unusable_file_is_explained_on_the_first_page(qtbot, setup, tmp_path):
    wizard, _, _ = setup
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    wizard.file_page.set_path(path)
    assert not wizard.file_page.isComplete()
    assert "is empty" in wizard.file_page.status.text()


def test_closing_the_wizard_during_an_import_cancels_it_first(qtbot, setup, tmp_path):
    wizard, case_id, _ = setup
    path = _write(tmp_path / "big.csv", [["name"]] + [[f"Company {i} Ltd"] for i in range(40_000)])
    wizard.file_page.set_path(path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=60000)
    for _ in range(4):
        wizard.next()
    run = wizard.run_page
    qtbot.waitUntil(lambda: "Importing:" in run.status.text(), timeout=60000)
    with qtbot.waitSignal(wizard.rejected, timeout=30000):
        wizard.reject()
    assert run.outcome == "cancelled"
    with wizard.ops.reading() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 0
        assert (
            s.scalar(select(func.count()).select_from(Record).where(Record.case_id == case_id)) == 1
        )


def test_a_followthemoney_file_skips_the_mapping_and_arrives_as_records_and_links(qtbot, setup):
    from casedesk.domain.models import Link

    wizard, case_id, _existing = setup
    ftm = Path(__file__).resolve().parents[3] / "data" / "ftm" / "zala_cluster.ftm.jsonl"
    wizard.file_page.set_path(ftm)
    assert "FollowTheMoney" in wizard.file_page.status.text() and wizard.file_page.isComplete()
    wizard.next()
    assert wizard.currentPage() is wizard.grade_page
    assert wizard.grade_page.title.text() == f"Import of {ftm.name}"
    wizard.next()
    assert wizard.currentPage() is wizard.review_page and "FollowTheMoney" in wizard.review_page.text.text()
    with qtbot.waitSignal(wizard.import_finished, timeout=60000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.summary_page, timeout=5000)
    with wizard.ops.reading() as s:
        types = [t for (t,) in s.execute(select(Link.link_type).where(Link.case_id == case_id))]
    assert types.count("owns") == 14 and types.count("officer_of") == 3


def test_preview_and_duplicates_pages_agree_on_what_is_already_in_the_case(qtbot, setup, tmp_path):
    wizard, _, _ = setup
    path = _write(tmp_path / "p.csv", [["name"], ["Aurora Compute Holdings Ltd"], ["Other Co"]])
    wizard.file_page.set_path(path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=20000)
    status = wizard.preview_page.status.text()
    assert "0 incoming records match one already in the case" in status
    assert "1 more may be (you decide on the next page)" in status
    wizard.next()
    assert wizard.dedupe_page.summary.text().startswith(
        "1 incoming records may already be in the case: 0 merged by default, 1 kept separate")


def test_undo_import_on_the_summary_page_removes_what_was_written(qtbot, setup, tmp_path):
    wizard, case_id, existing = setup
    with wizard.ops.reading() as s:
        before = [s.scalar(select(func.count()).select_from(m)) for m in (Record, Evidence, ImportBatch)]
        aurora_country = s.get(Record, existing).country
    path = _write(tmp_path / "p.csv", [["name", "country"], ["Aurora Compute Holdings Ltd", "KY"],
                                       ["Fresh Co Ltd", "SG"]])
    wizard.file_page.set_path(path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=20000)
    wizard.next()
    wizard.dedupe_page.set_decision(0, merge=True)
    wizard.next()
    wizard.next()
    with qtbot.waitSignal(wizard.import_finished, timeout=30000):
        wizard.next()
    summary = wizard.summary_page
    qtbot.waitUntil(lambda: wizard.currentPage() is summary, timeout=5000)
    assert summary.undo_button.isEnabled()
    with wizard.ops.reading() as s:
        assert s.get(Record, existing).country == "KY"  # filled by the merge
    with qtbot.waitSignal(wizard.import_undone, timeout=30000):
        summary.undo_button.click()
    assert "Import undone: removed 1 records" in summary.undo_status.text()
    assert "1 merged records are back" in summary.undo_status.text()
    assert not summary.undo_button.isEnabled()
    with wizard.ops.reading() as s:
        after = [s.scalar(select(func.count()).select_from(m)) for m in (Record, Evidence, ImportBatch)]
        assert s.get(Record, existing).country == aurora_country
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "import_batch", AuditEntry.action == "undo")) == 1
    assert after == before
