"""File › Encrypt workspace… / Decrypt workspace…: passphrase twice, the conversion in the
background, the window on the converted file; clear messages on a mismatch or a wrong passphrase."""

from __future__ import annotations

from pathlib import Path

from casedesk.storage import sqlcipher
from casedesk.ui.dialogs.passphrase_dialog import PassphraseDialog

KNOWN = "Derek Aw".encode()  # a demo name: it must not be readable anywhere in the folder


def _folder_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())


def test_encrypt_then_decrypt_from_the_file_menu(driver):
    w, qtbot = driver.window, driver.qtbot
    path = Path(w.ws.target)
    assert w.actions_by_name["encrypt_workspace"].isEnabled()
    assert not w.actions_by_name["decrypt_workspace"].isEnabled()
    file_menu = [a.objectName() for a in w.menus["File"].actions()]
    assert "action_encrypt_workspace" in file_menu and "action_decrypt_workspace" in file_menu

    w.actions_by_name["encrypt_workspace"].trigger()
    dialog = w.dialog
    assert isinstance(dialog, PassphraseDialog) and dialog.second.isVisibleTo(dialog)
    dialog.first.setText("correct horse")
    dialog.second.setText("correct hose")
    assert not dialog.try_accept()
    assert "differ" in dialog.error.text() and dialog.isVisible()
    assert sqlcipher.file_state(path) == "plain"
    dialog.second.setText("correct horse")
    assert dialog.try_accept()
    qtbot.waitUntil(lambda: w.ws.encrypted, timeout=60000)
    driver.idle()
    assert sqlcipher.file_state(path) == "encrypted"
    assert KNOWN not in _folder_bytes(path.parent)
    assert "Encrypted" in w.statusBar().currentMessage()
    assert len(w.chart.scene.nodes) == 32  # the same case, read through the passphrase
    assert w.actions_by_name["decrypt_workspace"].isEnabled()
    assert not w.actions_by_name["encrypt_workspace"].isEnabled()

    w.actions_by_name["decrypt_workspace"].trigger()
    first = w.dialog
    assert not first.second.isVisibleTo(first)  # one field: decrypting asks once
    first.first.setText("wrong horse")
    first.try_accept()
    qtbot.waitUntil(lambda: w.dialog is not first and isinstance(w.dialog, PassphraseDialog), timeout=60000)
    again = w.dialog
    assert "does not open this workspace; nothing was changed" in again.error.text()
    assert w.ws.encrypted and sqlcipher.file_state(path) == "encrypted"
    again.first.setText("correct horse")
    again.try_accept()
    qtbot.waitUntil(lambda: not w.ws.encrypted, timeout=60000)
    driver.idle()
    assert sqlcipher.file_state(path) == "plain"
    assert "encrypted backup" in w.statusBar().currentMessage()
    assert len(w.chart.scene.nodes) == 32


def test_an_empty_passphrase_is_refused_in_the_dialog(driver):
    w = driver.window
    w.actions_by_name["encrypt_workspace"].trigger()
    dialog = w.dialog
    assert not dialog.try_accept()
    assert "Type a passphrase" in dialog.error.text()
    dialog.reject()
    assert not w.ws.encrypted
