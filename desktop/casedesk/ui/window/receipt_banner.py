"""A workspace whose history disagrees with this install's head receipt: a banner that says what
differs and how to inspect it (`casedesk verify`), shown from start-up on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from casedesk.ui import text as ui_text


def verify_command(target: str, encrypted: bool) -> str:
    """The command line that checks this workspace in full (a database URL without its password)."""
    if "://" in target:
        from sqlalchemy.engine import make_url  # noqa: PLC0415 - only for database URLs

        try:
            target = make_url(target).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: show no part of it
            target = "DATABASE-URL"
    quoted = f'"{target}"' if any(c in target for c in ' \'"') else target
    prefix = "CASEDESK_PASSPHRASE=… " if encrypted else ""
    return f"{prefix}casedesk --db {quoted} verify"


class ReceiptBanner(QFrame):
    """A red strip above the chart naming each receipt problem; Dismiss hides it until the next open."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("receipt_banner")
        self.setStyleSheet("#receipt_banner { background: #FDECEA; border: 1px solid #E57373; }")
        self.label = QLabel(self)
        self.label.setObjectName("receipt_banner_text")
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # problems quote a path and hashes
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # copy the command
        self.dismiss = QPushButton("Dismiss", self)
        self.dismiss.setObjectName("receipt_banner_dismiss")
        self.dismiss.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_problems(self, problems: list[str], command: str) -> None:
        """Name what differs and the command to inspect it; hide when there is nothing."""
        if not problems:
            self.hide()
            return
        listed = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        self.label.setText(ui_text.plain(
            "This workspace does not match the head receipt this install kept of it: "
            f"{listed}. Its history may have been cut or rewritten since this install last wrote "
            f"to it. To see every difference, run: {command} (docs/integrity.md says what each "
            "problem means).", 1200))
        self.show()
