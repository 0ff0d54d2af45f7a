"""File menu: new and open workspaces, recent workspaces, new case, demo case."""

from __future__ import annotations

from pathlib import Path

import pytest
from casedesk.services.cases import list_cases
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox


def test_open_another_workspace_create_a_case_and_come_back_through_recent(driver, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    w = driver.window
    first = driver.ws.target
    other = tmp_path / "other.casedesk"
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    w.open_workspace_target(str(other))
    driver.qtbot.waitUntil(lambda: w.ws.target == str(other.resolve()), timeout=15000)
    driver.idle()
    assert len(asked) == 1 and "There is no workspace at" in asked[0] and str(other) in asked[0]
    assert w.current_case_id() is None
    assert "No case open" in w.totals_label.text()
    dialog = w.new_case()
    dialog.title.setText("Second investigation")
    dialog.accept()
    driver.idle()
    with w.ws.read() as s:
        cases = list_cases(s)
    assert [c.title for c in cases] == ["Second investigation"]
    assert w.current_case_id() == cases[0].id
    assert "Second investigation" in w.windowTitle()
    w.actions_by_name["new_party"].trigger()
    w.dialog.editor("label").set_raw("Only party")
    assert w.dialog.try_accept()
    driver.idle()
    assert list(w.chart.scene.nodes) and w.tables["party"].model.rowCount() == 1
    w._fill_recent_menu()
    entries = [a.text() for a in w.recent_menu.actions()]
    assert "other.casedesk" in entries[0] and Path(first).name in entries[1]
    w.recent_menu.actions()[1].trigger()
    driver.idle()
    assert w.ws.target == first
    assert w.current_case_id() == driver.case_id  # the case last open in that workspace


def test_load_the_demo_case_again_from_the_file_menu(driver):
    w = driver.window
    w.actions_by_name["load_demo"].trigger()
    driver.idle()
    assert w.current_case_id() != driver.case_id
    nav = w.navigator.model
    assert nav.rowCount() == 2
    assert len(w.chart.scene.nodes) == 32


def test_an_unreadable_workspace_is_refused_in_one_line(driver, tmp_path: Path):
    w = driver.window
    folder = tmp_path / "a folder"
    folder.mkdir()
    w.open_workspace_target(str(folder))
    driver.idle()
    assert w.ws.target == driver.ws.target
    assert "folder" in w.dialog.text()


def test_opening_a_workspace_whose_history_was_cut_says_so(driver, tmp_path: Path):
    import sqlite3

    from casedesk.services.demo import load_demo_case
    from casedesk.storage.workspace import open_workspace

    w = driver.window
    cut = tmp_path / "cut.casedesk"
    ws = open_workspace(str(cut))
    with ws.write() as s:
        load_demo_case(s)
    ws.dispose()
    con = sqlite3.connect(cut)
    con.execute("DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)")
    con.commit()
    con.close()
    w.open_workspace_target(str(cut))
    driver.idle()
    assert w.ws.target == str(cut.resolve())
    assert "Warning" in w.dialog.text() and "history was cut" in w.dialog.text()


def test_a_workspace_carrying_a_foreign_trigger_refuses_an_edit_with_a_clear_message(driver):
    from sqlalchemy import text

    w = driver.window
    with driver.ws.engine.begin() as conn:
        conn.execute(text("CREATE TRIGGER scrub AFTER INSERT ON party BEGIN "
                          "UPDATE party SET country = NULL WHERE id = NEW.id; END"))
    w.actions_by_name["new_party"].trigger()
    w.dialog.editor("label").set_raw("Refused party")
    w.dialog.try_accept()
    driver.idle()
    assert "scrub" in w.dialog.text() and "will not write" in w.dialog.text()
def test_a_missing_workspace_is_not_created_when_the_user_says_no(driver, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    w = driver.window
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    w.open_workspace_target(str(tmp_path / "typo.casedesk"))
    driver.qtbot.waitUntil(lambda: "No workspace created" in w.statusBar().currentMessage(), timeout=15000)
    assert w.ws.target == driver.ws.target
    assert not (tmp_path / "typo.casedesk").exists()


def _encrypted_demo(tmp_path: Path, passphrase: str) -> Path:
    from casedesk.services.demo import load_demo_case
    from casedesk.services.encryption import encrypt_workspace
    from casedesk.storage.workspace import open_workspace

    path = tmp_path / "locked" / "secret.casedesk"
    path.parent.mkdir()
    ws = open_workspace(str(path))
    with ws.write() as s:
        load_demo_case(s)
    ws.dispose()
    encrypt_workspace(str(path), passphrase)
    return path


def test_an_encrypted_workspace_asks_for_its_passphrase_again_after_a_wrong_one(
        driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    w = driver.window
    path = _encrypted_demo(tmp_path, "open sesame")
    answers = iter([("not it", True), ("open sesame", True)])
    asked = []

    def get_text(parent, title, label, echo=QLineEdit.EchoMode.Normal, *rest, **kw):  # noqa: ANN001, ANN202
        asked.append((label, echo))
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    w.open_workspace_target(str(path))
    driver.qtbot.waitUntil(lambda: w.ws.target == str(path.resolve()), timeout=30000)
    driver.idle()
    assert [echo for _, echo in asked] == [QLineEdit.EchoMode.Password] * 2
    assert "This workspace is encrypted" in asked[0][0]
    assert "does not open this workspace; try again" in asked[1][0]
    assert w.ws.encrypted and len(w.chart.scene.nodes) == 32


def test_cancelling_the_passphrase_keeps_the_workspace_that_was_open(driver, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    w = driver.window
    path = _encrypted_demo(tmp_path, "open sesame")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    w.open_workspace_target(str(path))
    driver.qtbot.waitUntil(lambda: "was not opened" in w.statusBar().currentMessage(), timeout=15000)
    assert w.ws.target == driver.ws.target
