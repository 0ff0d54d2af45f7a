"""Literal text for ReportLab: user and imported strings become safe paragraph markup or plain runs.

Any string that came from a user or an import goes through here before ReportLab sees it:
markup characters are escaped; control characters, zero-width and bidi characters (named by
domain.invisible, shared with the inspector) and characters no shipped font can draw become
visible placeholders such as ⟨NUL⟩, ⟨ZWSP⟩ or ⟨U+1F98A⟩ (so a hostile name shows
what it really contains and cannot reorder the text around it); the rest is cut into runs,
each in the first shipped font that has its glyphs. ReportLab has no font fallback of its own,
hence this module. Withheld text (`Redacted`) becomes a black box of fixed width whose text
layer holds only no-break spaces.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from xml.sax.saxutils import escape

from casedesk.domain.invisible import hidden_name
from casedesk.domain.invisible import marker as _placeholder_text
from casedesk.services.reporting.fonts import FontSet, dossier_fonts
from casedesk.services.reporting.model import Redacted, Scrubbed, Text

_NEWLINES = {"\n", "\r", "\u2028", "\u2029", "\x85"}
PLACEHOLDER_COLOR = "#8a5a00"
REDACTION_SPACES = 12  # fixed width: the box must not reveal the withheld text's length
_BOX_MARKUP = '<span backColor="#000000">' + "&nbsp;" * REDACTION_SPACES + "</span>"


def placeholder(ch: str) -> str | None:
    """The visible stand-in for a character that must not be drawn as is, or None if it may be."""
    cp = ord(ch)
    name = hidden_name(ch)  # controls and format characters (zero-width, bidi): domain.invisible
    if name is not None:
        return name
    if cp > 0xFFFF:
        # ReportLab writes an invalid ToUnicode entry for characters beyond the BMP, so they
        # would break text extraction; no shipped font has emoji either.
        return f"U+{cp:04X}"
    category = unicodedata.category(ch)
    if category == "Cs" or category == "Co":
        return f"U+{cp:04X}"
    return None


def pieces(text: str, base: str) -> Iterator[tuple[str, str, bool]]:
    """Cut text into (font, text, is_placeholder) runs; newlines come through as '\\n' runs."""
    if text.isascii() and text.isprintable():
        if text:
            yield base, text, False
        return
    yield from _pieces(text, base)


@functools.lru_cache(maxsize=32768)
def _pieces(text: str, base: str) -> tuple[tuple[str, str, bool], ...]:
    # Cached: a dossier refers to the same names again and again (profiles, tables, chart).
    fonts = dossier_fonts()
    order = (base, fonts.sans, fonts.cjk) if base != fonts.sans else (base, fonts.cjk)
    covers = [fonts.coverage[f] for f in order]
    out: list[tuple[str, str, bool]] = []
    run_font, run = base, []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        i += 1
        if ch in _NEWLINES:
            if ch == "\r" and i < n and text[i] == "\n":
                i += 1
            if run:
                out.append((run_font, "".join(run), False))
                run = []
            out.append((base, "\n", False))
            continue
        if ch == "\t":
            ch = " "
        cp = ord(ch)
        # Every character placeholder() names is unprintable or beyond the BMP: skip the
        # Unicode database lookup for the rest.
        name = None if cp <= 0xFFFF and ch.isprintable() else placeholder(ch)
        font = None
        if name is None:
            for candidate, cover in zip(order, covers):
                if cp in cover:
                    font = candidate
                    break
            else:
                name = f"U+{cp:04X}"
        if name is not None:
            if run:
                out.append((run_font, "".join(run), False))
                run = []
            out.append((fonts.sans, _placeholder_text(name), True))
            continue
        if font != run_font and run:
            out.append((run_font, "".join(run), False))
            run = []
        run_font = font
        run.append(ch)
    if run:
        out.append((run_font, "".join(run), False))
    return tuple(out)


def _markup_str(text: str, base: str, fonts: FontSet) -> str:
    if text.isascii() and text.isprintable():
        return escape(text)
    out = []
    for font, run, is_placeholder in pieces(text, base):
        if run == "\n" and not is_placeholder:
            out.append("<br/>")
        elif is_placeholder:
            out.append(f'<font face="{font}" color="{PLACEHOLDER_COLOR}">{escape(run)}</font>')
        elif font != base:
            out.append(f'<font face="{font}">{escape(run)}</font>')
        else:
            out.append(escape(run))
    return "".join(out)


def truncated(text: str, limit: int | None) -> tuple[str, int]:
    """The text cut to `limit` characters and how many were cut (0 if none)."""
    if limit is None or len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


def markup(value: Text | None, base: str | None = None, *, limit: int | None = None) -> str:
    """Paragraph markup that shows the value literally (None and '' give '')."""
    fonts = dossier_fonts()
    base = base or fonts.sans
    if value is None or value == "":
        return ""
    if isinstance(value, Redacted):
        return _BOX_MARKUP
    parts = value.parts if isinstance(value, Scrubbed) else (value,)
    out = []
    budget = limit
    cut = 0
    for part in parts:
        if isinstance(part, Redacted):
            out.append(_BOX_MARKUP)
            continue
        text, more = truncated(part, budget)
        out.append(_markup_str(text, base, fonts))
        if budget is not None:
            budget = max(0, budget - len(text))
        cut += more
    if cut:
        out.append(f' <font color="#777777">… [{cut:,} more characters]</font>')
    return "".join(out)


def plain(value: Text | None, *, withheld: str = "[withheld]", limit: int | None = 200) -> str:
    """Plain one-line text for outlines and metadata: placeholders kept, withheld parts named."""
    if value is None:
        return ""
    if isinstance(value, Redacted):
        return withheld
    parts = value.parts if isinstance(value, Scrubbed) else (value,)
    fonts = dossier_fonts()
    out = []
    for part in parts:
        if isinstance(part, Redacted):
            out.append(withheld)
            continue
        for _font, run, _ph in pieces(part, fonts.sans):
            out.append(" " if run == "\n" else run)
    text = "".join(out)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def fits_plain(value: Text | None, font: str) -> bool:
    """True if the value can be drawn as a plain table-cell string in `font` (one line, no fallback)."""
    if value is None or value == "":
        return True
    if not isinstance(value, str):
        return False
    if value.isascii() and value.isprintable():
        return True
    runs = list(pieces(value, font))
    return len(runs) == 1 and runs[0][0] == font and not runs[0][2] and runs[0][1] != "\n"
