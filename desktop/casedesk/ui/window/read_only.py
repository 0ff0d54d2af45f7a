"""A workspace this user may only read: a banner that says so, and no action that would write."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from casedesk.ui import text as ui_text

# Actions that change the workspace; greyed out while it is read-only.
WRITE_ACTIONS = ("encrypt_workspace", "decrypt_workspace", "new_case", "load_demo", "import_csv", "import_case_pack", "run_analysis", "load_watchlist",
                 "screen_case", "delete", "merge", "attach", "link_tool", "undo", "redo",
                 "new_party", "new_wallet", "new_datacenter", "new_server", "new_contract")


class ReadOnlyBanner(QFrame):
    """A strip above the chart: 'Read-only: <reason>'; hidden while the workspace can be changed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("read_only_banner")
        self.setStyleSheet("#read_only_banner { background: #E8F0FE; border: 1px solid #8AB4F8; }")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # the reason names a role or a path
        self.label.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        self.hide()

    def show_reason(self, reason: str | None) -> None:
        """Say why nothing can be changed, or hide when reason is None."""
        if reason is None:
            self.hide()
            return
        self.label.setText(ui_text.plain(
            f"Read-only: {reason}. You can look, search, filter and export; to change the case, "
            "ask for write access or open a copy.", 400))
        self.show()


class ReadOnlyMode:
    """MainWindow's part: the banner and the greyed-out write actions of a read-only workspace."""

    write_blocked: str | None = None

    def apply_write_access(self) -> None:
        """Ask the workspace whether this user may write, and show the window accordingly."""
        self.write_blocked = self.ops.write_block()
        self.read_only_banner.show_reason(self.write_blocked)
        self.inspector.set_read_only(self.write_blocked is not None)
        self._update_action_states()

    def grey_out_writes(self) -> None:
        """Disable every action that writes, when the workspace is read-only."""
        if self.write_blocked is None:
            return
        tip = f"Read-only: {self.write_blocked}"
        for name in WRITE_ACTIONS:
            action = self.actions_by_name.get(name)
            if action is not None:
                action.setEnabled(False)
                action.setStatusTip(tip)
