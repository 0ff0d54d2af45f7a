"""At start-up, a workspace that disagrees with this install's head receipt shows a banner saying
what differs and how to inspect it; a matching one shows none."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt

from casedesk.services.demo import load_demo_case
from casedesk.storage.workspace import open_workspace


def _demo(path: Path) -> None:
    ws = open_workspace(str(path))
    with ws.write() as s:
        load_demo_case(s)
    ws.dispose()


def test_a_workspace_that_matches_its_receipt_shows_no_banner(open_window, tmp_path: Path):
    _demo(tmp_path / "fine.casedesk")
    ws = open_workspace(str(tmp_path / "fine.casedesk"))
    window = open_window(ws)
    assert not window.receipt_banner.isVisible()
    ws.dispose()


def test_a_cut_history_at_start_up_shows_what_differs_and_the_verify_command(open_window, qtbot,
                                                                            tmp_path: Path):
    path = tmp_path / "cut folder" / "cut.casedesk"
    path.parent.mkdir()
    _demo(path)
    con = sqlite3.connect(path)
    con.execute("DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)")
    con.commit()
    con.close()
    ws = open_workspace(str(path))
    window = open_window(ws)
    banner = window.receipt_banner
    assert banner.isVisible()
    shown = banner.label.text()
    assert "does not match the head receipt" in shown and "history was cut" in shown
    assert f'casedesk --db "{ws.target}" verify' in shown
    assert window.dialog is None  # a banner, not a dialog in the way of the window opening
    qtbot.mouseClick(banner.dismiss, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    ws.dispose()


def test_the_verify_command_never_shows_a_database_password():
    from casedesk.ui.window.receipt_banner import verify_command

    shown = verify_command("postgresql+psycopg://ana:s3cret@db.example/cases", False)
    assert "s3cret" not in shown and shown.startswith("casedesk --db postgresql+psycopg://ana:***@db")
    assert verify_command("/tmp/a b.casedesk", True) == 'CASEDESK_PASSPHRASE=… casedesk --db "/tmp/a b.casedesk" verify'
