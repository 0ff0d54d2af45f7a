"""The QApplication: names, the bundled CJK font, one place to create it."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from casedesk.paths import resources_dir


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
    load_bundled_fonts()
    return app  # type: ignore[return-value]
