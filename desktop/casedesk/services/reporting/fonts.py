"""The dossier's fonts: DejaVu for Latin and most scripts, WenQuanYi Micro Hei for CJK, Symbola for
emoji and symbols; all embedded as subsets.

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
EMOJI = "CaseDesk-Emoji"

_FILES = {
    SANS: ("DejaVuSans.ttf", 0),
    SANS_BOLD: ("DejaVuSans-Bold.ttf", 0),
    MONO: ("DejaVuSansMono.ttf", 0),
    CJK: ("wqy-microhei.ttc", 0),
    EMOJI: ("Symbola-subset.ttf", 0),
}
_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class FontSet:
    """Registered font names and the code points each one can draw."""

    sans: str
    bold: str
    mono: str
    cjk: str
    emoji: str
    coverage: dict[str, frozenset[int]]

    @functools.cached_property
    def drawable(self) -> frozenset[int]:
        """Every code point some shipped font has a glyph for."""
        return frozenset().union(*self.coverage.values())

    def covers(self, font: str, ch: str) -> bool:
        """True if the font has a glyph for the character."""
        return ord(ch) in self.coverage[font]

    def fallbacks(self, base: str) -> tuple[str, ...]:
        """The fonts tried in order for a character, starting with `base`."""
        return (base, *(f for f in (self.sans, self.cjk, self.emoji) if f != base))


def fonts_dir() -> Path:
    """Where the shipped font files live."""
    return resources_dir() / "fonts"


@functools.cache
def _register() -> FontSet:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics, ttfonts
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
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
            addMapping(EMOJI, bold, italic, EMOJI)
    return FontSet(SANS, SANS_BOLD, MONO, CJK, EMOJI, coverage)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap of a font subset, with characters beyond the BMP as UTF-16.

    ReportLab writes every code point as <%04X>, so 😀 became the odd-length <1F600>, which
    readers reject (pypdf and pdftotext extract nothing for it); a CMap destination is UTF-16BE,
    so a character beyond the BMP is its surrogate pair.
    """
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
             f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
             f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange",
             f"<00> <{len(subset) - 1:02X}>", "endcodespacerange", f"{len(subset)} beginbfchar"]
    lines += [f"<{i:02X}> <{chr(cp).encode('utf-16-be').hex().upper()}>" for i, cp in enumerate(subset)]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def dossier_fonts() -> FontSet:
    """Register the shipped fonts with ReportLab (once) and return them."""
    with _lock:
        return _register()
