"""The dossier's fonts: DejaVu for Latin and most scripts, WenQuanYi Micro Hei for CJK, all embedded.

ReportLab has no font fallback, so text is cut into runs, each drawn in the first shipped font
that has its characters (see text.py). Fonts are registered once per process.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

from casedesk.domain.errors import CaseDeskError
from casedesk.paths import resources_dir

SANS = "CaseDesk-Sans"
SANS_BOLD = "CaseDesk-Sans-Bold"
MONO = "CaseDesk-Mono"
CJK = "CaseDesk-CJK"

_FILES = {
    SANS: ("DejaVuSans.ttf", 0),
    SANS_BOLD: ("DejaVuSans-Bold.ttf", 0),
    MONO: ("DejaVuSansMono.ttf", 0),
    CJK: ("wqy-microhei.ttc", 0),
}
_lock = threading.Lock()


@dataclass(frozen=True)
class FontSet:
    """Registered font names and the code points each one can draw."""

    sans: str
    bold: str
    mono: str
    cjk: str
    coverage: dict[str, frozenset[int]]

    def covers(self, font: str, ch: str) -> bool:
        """True if the font has a glyph for the character."""
        return ord(ch) in self.coverage[font]


def fonts_dir() -> Path:
    """Where the shipped font files live."""
    return resources_dir() / "fonts"


@functools.cache
def _register() -> FontSet:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    coverage: dict[str, frozenset[int]] = {}
    for name, (file, index) in _FILES.items():
        path = fonts_dir() / file
        if not path.is_file():
            raise CaseDeskError(f"the dossier font {path} is missing; reinstall CaseDesk")
        try:
            font = TTFont(name, str(path), subfontIndex=index)
        except TTFError as exc:
            raise CaseDeskError(f"the dossier font {path} cannot be used: {exc}") from None
        pdfmetrics.registerFont(font)
        coverage[name] = frozenset(font.face.charToGlyph)
    # <b> around CJK text must not look for a bold face that does not exist.
    for bold, italic, face in ((0, 0, SANS), (1, 0, SANS_BOLD), (0, 1, SANS), (1, 1, SANS_BOLD)):
        addMapping(SANS, bold, italic, face)
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(CJK, bold, italic, CJK)
            addMapping(MONO, bold, italic, MONO)
    return FontSet(SANS, SANS_BOLD, MONO, CJK, coverage)


def dossier_fonts() -> FontSet:
    """Register the shipped fonts with ReportLab (once) and return them."""
    with _lock:
        return _register()
