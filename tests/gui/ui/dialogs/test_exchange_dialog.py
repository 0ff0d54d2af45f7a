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


def _pack_using_a_workspace_model(tmp_path, tpp: float):  # noqa: ANN001, ANN202
    from casedesk.services.analysis.workspace_catalog import NewModel, add_model
    from casedesk.services.cases import create_case
    from casedesk.services.exchange import export_case
    from casedesk.services.progress import run_to_end
    from casedesk.services.records import RecordIn, create_record
    from casedesk.storage.workspace import open_workspace

    a = open_workspace(str(tmp_path / "a.casedesk"))
    try:
        with a.write() as s:
            add_model(s, NewModel(name="Ascend 910D", vendor="Huawei", tpp=tpp, source="briefing"))
            cid = create_case(s, "Shenzhen").id
            create_record(s, cid, RecordIn("server", {"label": "Shenzhen cluster",
                                                      "accelerator_model": "Ascend 910D",
                                                      "server_count": 10, "accelerators_per_server": 8}))
        pack = tmp_path / "a.casepack"
        run_to_end(export_case(a, cid, "casepack", pack))
    finally:
        a.dispose()
    return pack


def test_a_pack_whose_catalog_model_differs_here_warns_and_keeps_this_workspaces(driver, qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from casedesk.domain.catalog_entries import CatalogEntry
    from casedesk.services.analysis.workspace_catalog import NewModel, add_model

    pack = _pack_using_a_workspace_model(tmp_path, 20000.0)
    with driver.ws.write() as s:
        add_model(s, NewModel(name="Ascend 910D", vendor="Huawei", tpp=9000.0, source="our sheet"))
    w = driver.window
    w.import_case_pack(str(pack))
    qtbot.waitUntil(lambda: w.findChild(QMessageBox, "catalog_conflict_dialog") is not None, timeout=60000)
    box = w.findChild(QMessageBox, "catalog_conflict_dialog")
    assert "tpp 20,000 in the pack, 9,000 here" in box.informativeText()
    assert "kept" in box.text()
    with driver.ws.read() as s:
        assert [e.tpp for e in s.scalars(select(CatalogEntry))] == [9000.0]
    box.accept()
    driver.idle()  # the import's follow-up jobs (views refreshed) end before the window closes
