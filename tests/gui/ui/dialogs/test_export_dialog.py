"""The Export dossier dialog: whole case or current view, in the background, cancel, then open."""

from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QUrl

from casedesk.services.progress import Progress
from casedesk.ui.dialogs.export_dialog import ExportDossierDialog
from casedesk.ui.operations import Operations
from casedesk.ui.tasks import TaskRunner


@pytest.fixture
def runner():  # noqa: ANN201
    r = TaskRunner()
    yield r
    r.shutdown()


def _text(path) -> str:  # noqa: ANN001
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_exports_the_whole_case_then_offers_to_open_it(qtbot, demo_ws, runner, tmp_path, monkeypatch):
    ws, case_id = demo_ws
    dialog = ExportDossierDialog(Operations(ws, runner), case_id)
    qtbot.addWidget(dialog)
    assert not dialog.current_view.isEnabled()
    assert f"case-{case_id}-Remote-H100" in dialog.path.text()
    target = tmp_path / "dossier.pdf"
    dialog.path.setText(str(target))
    dialog.marking.setCurrentText("TLP:AMBER")
    dialog.author.setText("Desk 7")
    dialog.redaction.setCurrentIndex(dialog.redaction.findData("external"))
    assert "person names" in dialog.redaction_help.text()
    with qtbot.waitSignal(dialog.exported, timeout=60000) as blocker:
        dialog.export_button.click()
        assert not dialog.export_button.isEnabled() and dialog.close_button.text() == "Cancel"
    result = blocker.args[0]
    assert result["path"] == str(target) and target.exists() and result["pages"] > 5
    text = _text(target)
    assert "TLP:AMBER" in text and "Desk 7" in text and "Derek Aw" not in text
    assert "Wrote" in dialog.status.text() and not dialog.open_button.isHidden()
    opened: list[QUrl] = []
    monkeypatch.setattr("casedesk.ui.dialogs.export_dialog.QDesktopServices.openUrl", opened.append)
    dialog.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(target))]
    assert dialog.export_button.isEnabled() and dialog.close_button.text() == "Close"


def test_exports_the_current_view(qtbot, demo_ws, runner, tmp_path):
    ws, case_id = demo_ws
    from casedesk.domain.models import Record
    from sqlalchemy import select

    with ws.read() as s:
        ids = dict(s.execute(select(Record.label, Record.id).where(Record.case_id == case_id)).all())
    shown = [ids["Derek Aw"], ids["Aw's GPU platform company (name not given)"]]
    view = lambda: (shown, None, {shown[0]: (0.0, 0.0), shown[1]: (120.0, 40.0)})  # noqa: E731
    dialog = ExportDossierDialog(Operations(ws, runner), case_id, view_provider=view)
    qtbot.addWidget(dialog)
    assert dialog.current_view.isEnabled() and "2 records" in dialog.current_view.text()
    dialog.current_view.setChecked(True)
    target = tmp_path / "view.pdf"
    dialog.path.setText(str(target))
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        dialog.export_button.click()
    text = " ".join(_text(target).split())
    assert "Current view: 2 of 32 records" in text and "Joseph Tse" not in text
    assert "Chart positions come from the current view" in text


def test_bad_folder_is_reported_in_the_dialog_without_starting_work(qtbot, demo_ws, runner, tmp_path):
    ws, case_id = demo_ws
    dialog = ExportDossierDialog(Operations(ws, runner), case_id)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "missing" / "d.pdf"))
    dialog.export_button.click()
    assert "does not exist" in dialog.status.text()
    assert runner.pending() == 0 and dialog.export_button.isEnabled()


def test_existing_file_is_replaced_only_after_a_second_press(qtbot, demo_ws, runner, tmp_path):
    ws, case_id = demo_ws
    target = tmp_path / "old.pdf"
    target.write_bytes(b"old")
    dialog = ExportDossierDialog(Operations(ws, runner), case_id)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(target))
    dialog.export_button.click()
    assert "exists" in dialog.status.text() and target.read_bytes() == b"old"
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        dialog.export_button.click()
    assert target.read_bytes().startswith(b"%PDF")


def test_cancel_stops_the_export_and_writes_nothing(qtbot, demo_ws, runner, tmp_path, monkeypatch):
    ws, case_id = demo_ws
    started = {"yes": False}

    def slow_report(session, case, out, options=None):  # noqa: ANN001, ANN202
        for i in range(10000):
            started["yes"] = True
            time.sleep(0.005)
            yield Progress(i, 10000, "Laying out pages")
        raise AssertionError("not cancelled")

    monkeypatch.setattr("casedesk.services.reporting.job.write_report", slow_report)
    dialog = ExportDossierDialog(Operations(ws, runner), case_id)
    qtbot.addWidget(dialog)
    target = tmp_path / "never.pdf"
    dialog.path.setText(str(target))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: started["yes"], timeout=10000)
    with qtbot.waitSignal(runner.cancelled, timeout=10000):
        dialog.close_button.click()
    assert "cancelled" in dialog.status.text() and not target.exists()
    assert dialog.export_button.isEnabled() and dialog.open_button.isHidden()
