"""The QApplication: names, the bundled CJK font, one place to create it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from casedesk.paths import app_icon_path, resources_dir

APP_ID = "org.casedesk.CaseDesk"  # the desktop entry's name, so docks match the window to it


def load_bundled_fonts() -> list[str]:
    """Register the fonts shipped in resources/fonts so CJK names never show as boxes."""
    families: list[str] = []
    fonts = resources_dir() / "fonts"
    for path in sorted(fonts.glob("*.tt[cf]")) if fonts.is_dir() else []:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def create_application(argv: list[str]) -> QApplication:
    """Create (or return) the QApplication with CaseDesk's identity and fonts."""
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("CaseDesk")
    app.setOrganizationName("CaseDesk")
    app.setDesktopFileName(APP_ID)
    if app_icon_path().is_file():
        app.setWindowIcon(QIcon(str(app_icon_path())))
    load_bundled_fonts()
    return app  # type: ignore[return-value]


def quit_later(app: QApplication, seconds: float) -> None:
    """Close every window and quit after `seconds` of the event loop (`gui --quit-after`)."""

    def close() -> None:
        print("casedesk: window shown; closing (--quit-after)", file=sys.stderr)
        app.closeAllWindows()
        app.quit()

    QTimer.singleShot(max(0, round(seconds * 1000)), close)
