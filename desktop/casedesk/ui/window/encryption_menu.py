"""File › Encrypt workspace… and Decrypt workspace…: a passphrase dialog, then the conversion in the
background (services.encryption through ui/operations), then the window on the converted file."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from casedesk.domain.errors import WrongPassphraseError
from casedesk.storage.engine import is_url
from casedesk.storage.workspace import Workspace
from casedesk.ui import text as ui_text
from casedesk.ui.dialogs.passphrase_dialog import PassphraseDialog
from casedesk.ui.operations.workspace import convert_in_background

_ENCRYPT_INTRO = ("Encrypt {path} with a passphrase (SQLCipher). Evidence files are inside the "
                  "workspace, so they are encrypted too, and so are the backups beside it. The "
                  "plain file is replaced only after the encrypted copy verifies.\n\nThere is no "
                  "way back without the passphrase: keep it somewhere safe.")
_DECRYPT_INTRO = ("Decrypt {path} back into a plain file anyone with the file can read. An "
                  "encrypted backup is kept beside it.")


class WorkspaceEncryption:
    """MainWindow's part: encrypting and decrypting the open workspace file."""

    def update_encryption_actions(self) -> None:
        """Offer Encrypt on a plain SQLite file and Decrypt on an encrypted one."""
        sqlite = not is_url(self.ws.target) and self.write_blocked is None
        self.actions_by_name["encrypt_workspace"].setEnabled(sqlite and not self.ws.encrypted)
        self.actions_by_name["decrypt_workspace"].setEnabled(sqlite and self.ws.encrypted)

    def encrypt_current_workspace(self) -> PassphraseDialog | None:
        """Ask for a passphrase twice, then encrypt the open workspace."""
        return self._ask_conversion(encrypt=True)

    def decrypt_current_workspace(self) -> PassphraseDialog | None:
        """Ask for the passphrase, then decrypt the open workspace."""
        return self._ask_conversion(encrypt=False)

    def _ask_conversion(self, *, encrypt: bool, wrong: bool = False) -> PassphraseDialog | None:
        verb = "Encrypt" if encrypt else "Decrypt"
        if is_url(self.ws.target):
            self.show_error("a PostgreSQL database is protected by its server (disk encryption, TLS), "
                            "not by CaseDesk", f"{verb} workspace")
            return None
        if encrypt == self.ws.encrypted:
            self.show_error(f"the workspace is {'already' if encrypt else 'not'} encrypted", f"{verb} workspace")
            return None
        intro = (_ENCRYPT_INTRO if encrypt else _DECRYPT_INTRO).format(path=ui_text.plain(self.ws.target, 300))
        dialog = PassphraseDialog(self, title=f"{verb} workspace", intro=intro, confirm=encrypt)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if wrong:
            dialog.say("That passphrase does not open this workspace; nothing was changed. Try again.")
        dialog.passphrase_given.connect(lambda p: self._convert(encrypt, p))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _convert(self, encrypt: bool, passphrase: str) -> None:
        if not self.is_idle():
            self.statusBar().showMessage("Wait for the current edit to finish", 5000)
            return
        self.live.stop()  # its polling would open the file again while it is being converted
        self.statusBar().showMessage(("Encrypting" if encrypt else "Decrypting")
                                     + " the workspace and checking the converted copy…")
        convert_in_background(self.runner, self.ws, encrypt=encrypt, passphrase=passphrase,
                              on_done=lambda ws, done: self._converted(ws, done),
                              on_error=lambda error: self._conversion_refused(error, encrypt))

    def _converted(self, ws: Workspace, done: Any) -> None:
        self.set_workspace(ws)
        self.live.start()
        self.update_encryption_actions()
        backups = len(getattr(done, "backups_encrypted", []) or [])
        if ws.encrypted:
            note = f"; {backups} backup{'s' if backups != 1 else ''} beside it encrypted too" if backups else ""
            message = f"Encrypted {ui_text.plain(str(done.path), 120)}{note}"
        else:
            message = (f"Decrypted {ui_text.plain(str(done.path), 120)} (encrypted backup: "
                       f"{ui_text.plain(str(done.backup), 120)})")
        self.statusBar().showMessage(message, 10000)

    def _conversion_refused(self, error: object, encrypt: bool) -> None:
        self.live.start()
        if isinstance(error, WrongPassphraseError) and not encrypt:
            self._ask_conversion(encrypt=False, wrong=True)
            return
        self.show_error(f"{error}; the workspace is unchanged" if "unchanged" not in str(error) else str(error),
                        "Encrypt workspace" if encrypt else "Decrypt workspace")
