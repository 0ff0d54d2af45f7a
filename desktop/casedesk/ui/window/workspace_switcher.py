"""New and open workspace, database URL, recent workspaces, switching the window to another workspace"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
)

from casedesk.domain.errors import EncryptedWorkspaceError, NoWorkspaceError, WrongPassphraseError
from casedesk.storage.workspace import Workspace
from casedesk.ui import text as ui_text
from casedesk.ui.dialogs.workspace_prompts import ask_passphrase, ask_to_create
from casedesk.ui.operations.workspace import open_in_background

RECENT_MAX = 8  # recent workspaces kept in the File menu


class WorkspaceSwitcher:
    """MainWindow's part: New and open workspace, database URL, recent workspaces, switching the window to another workspace."""

    # ==== workspaces =================================================================================
    def _remember_workspace(self, ws: Workspace) -> None:
        recent = [r for r in self._recent() if r != ws.target]
        self.settings.setValue("recent_workspaces", ([ws.target] + recent)[:RECENT_MAX])

    def _recent(self) -> list[str]:
        value = self.settings.value("recent_workspaces") or []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        for n, target in enumerate(recent, start=1):
            shown = target if "://" not in target else target.split("@")[-1]
            act = self.recent_menu.addAction(f"&{n} {ui_text.plain(shown, 80)}")
            act.triggered.connect(lambda _=False, t=target: self.open_workspace_target(t))

    def new_workspace(self) -> None:
        """Create a new workspace file and open it."""
        path, _ = QFileDialog.getSaveFileName(self, "New workspace", str(Path.home() / "case.casedesk"),
                                              "CaseDesk workspace (*.casedesk)")
        if path:
            if not path.endswith(".casedesk"):
                path += ".casedesk"
            self.open_workspace_target(path, create=True)

    def open_workspace(self) -> None:
        """Open an existing workspace file."""
        path, _ = QFileDialog.getOpenFileName(self, "Open workspace", str(Path.home()),
                                              "CaseDesk workspace (*.casedesk);;All files (*)")
        if path:
            self.open_workspace_target(path)

    def open_database_url(self) -> None:
        """Open a team workspace on a PostgreSQL server."""
        url, ok = QInputDialog.getText(self, "Open database", "PostgreSQL URL (postgresql+psycopg://user@host/db):")
        if ok and url.strip():
            self.open_workspace_target(url.strip())

    def open_workspace_target(self, target: str, *, create: bool = False, passphrase: str | None = None) -> None:
        """Open (and upgrade) a workspace in the background, then show it.

        A missing file is created only with create=True or after the user says yes; an encrypted one
        opens after the user gives its passphrase (asked again after a wrong one).
        """
        if not self.is_idle():
            self.statusBar().showMessage("Wait for the current edit to finish", 5000)
            return
        self.statusBar().showMessage(f"Opening {ui_text.plain(target, 80)}…")
        open_in_background(self.runner, target, create=create, passphrase=passphrase,
                           on_done=self.set_workspace,
                           on_error=lambda error: self._open_refused(error, target, create))

    def _open_refused(self, error: object, target: str, create: bool) -> None:
        """Ask what the open needs (create the file? the passphrase?) and try again, or say why not."""
        if isinstance(error, NoWorkspaceError):
            if ask_to_create(self, target):
                QTimer.singleShot(0, self, lambda: self.open_workspace_target(target, create=True))
            else:
                self.statusBar().showMessage("No workspace created", 5000)
            return
        if isinstance(error, EncryptedWorkspaceError):
            passphrase = ask_passphrase(self, target, wrong=isinstance(error, WrongPassphraseError))
            if passphrase is None:
                self.statusBar().showMessage("The encrypted workspace was not opened", 5000)
                return
            QTimer.singleShot(0, self, lambda: self.open_workspace_target(target, create=create,
                                                                          passphrase=passphrase))
            return
        self.show_error(error, "Open workspace")

    def set_workspace(self, ws: Workspace) -> None:
        """Show another workspace (the previous one is closed)."""
        old = self.ws
        self.ws = ws
        self.ops.set_workspace(ws)
        self.undo_stack.clear()
        self._remember_workspace(ws)
        self._load_initial_case()
        self.apply_write_access()
        self.workspace_changed.emit(ws)
        if old is not ws:
            old.dispose()
        self.statusBar().showMessage(f"Opened {ui_text.plain(ws.describe(), 80)}", 5000)
        self.show_receipt_state()
        self.update_encryption_actions()
        if ws.receipt_problems:  # the history this install last saw was cut or rewritten since
            self.show_error("Warning: this workspace does not match the head receipt this install "
                            f"kept of it: {'; '.join(ws.receipt_problems)}. Check it with "
                            "`casedesk verify` before relying on it (docs/integrity.md).", "Open workspace")
