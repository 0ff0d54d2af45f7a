"""File › Export case and Import case pack, driven as a user would: progress, cancel, round trip."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from casedesk.domain.models import AuditEntry
from casedesk.services.listings import list_records
from casedesk.services.progress import Progress
from casedesk.ui.dialogs.exchange_dialog import ExportCaseDialog
from casedesk.ui.operations import Operations


def test_exports_ftm_with_progress_and_an_audit_entry(qtbot, demo_ws, inline_runner, tmp_path):
    ws, case_id = demo_ws
    dialog = ExportCaseDialog(Operations(ws, inline_runner), case_id)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("ftm"))
    assert dialog.path.text().endswith(".ftm.json")
    dialog.path.setText(str(tmp_path / "demo.ftm.json"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
    lines = (tmp_path / "demo.ftm.json").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= dialog.result.records and all(json.loads(line)["schema"] for line in lines)
    assert "SHA-256" in dialog.status.text() and dialog.close_button.text() == "Close"
    with ws.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert json.loads(entry.after)["format"] == "ftm"


def test_a_case_pack_has_no_view_scope_and_cancel_writes_nothing(qtbot, demo_ws, inline_runner, tmp_path,
                                                                  monkeypatch):
    ws, case_id = demo_ws

    def slow(rows, out_path):  # noqa: ANN001, ANN202
        for i in range(10000):
            time.sleep(0.002)
            yield Progress(i, 10000, "Writing")
        raise AssertionError("not cancelled")

    monkeypatch.setattr("casedesk.services.exchange.jobs._exporter", lambda fmt: {"casepack": slow}[fmt])
    dialog = ExportCaseDialog(Operations(ws, inline_runner), case_id, view_records=lambda: [1])
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("casepack"))
    assert not dialog.current_view.isEnabled() and dialog.whole_case.isChecked()
    dialog.path.setText(str(tmp_path / "never.casepack"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=10000)
    dialog.close_button.click()
    qtbot.waitUntil(lambda: "cancelled" in dialog.status.text(), timeout=10000)
    assert not (tmp_path / "never.casepack").exists() and dialog.export_button.isEnabled()


def test_a_case_pack_exported_from_the_window_comes_back_as_a_new_case(driver, qtbot, tmp_path):
    w = driver.window
    dialog = w.export_case()
    dialog.format.setCurrentIndex(dialog.format.findData("casepack"))
    target = tmp_path / "demo.casepack"
    dialog.path.setText(str(target))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60000)
    dialog.close_button.click()
    w.import_case_pack(str(target))
    qtbot.waitUntil(lambda: w.current_case_id() != driver.case_id, timeout=60000)
    driver.idle()
    with driver.ws.read() as s:
        before = sorted(r["label"] for r in list_records(s, driver.case_id))
        after = sorted(r["label"] for r in list_records(s, w.current_case_id()))
    assert after == before and "every part's hash checked" in w.statusBar().currentMessage()
