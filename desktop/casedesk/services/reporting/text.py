"""Literal text for ReportLab: user and imported strings become safe paragraph markup or plain runs.

Any string that came from a user or an import goes through here before ReportLab sees it:
markup characters are escaped; control characters, zero-width and bidi characters (named by
domain.invisible, shared with the inspector) and characters no shipped font can draw become
visible placeholders such as ⟨NUL⟩, ⟨ZWSP⟩ or ⟨U+E000⟩ (so a hostile name shows what it
really contains and cannot reorder the text around it); right-to-left lines are shaped and put in
display order (rtl.py); the rest is cut into runs, each in the first shipped font that has its
glyphs (emoji included). ReportLab has no font fallback of its own, hence this module. Withheld
text (`Redacted`) becomes a black box of fixed width whose text layer holds only no-break spaces.
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
from casedesk.services.reporting.rtl import has_rtl, is_rtl_line, unbreakable, visual

_NEWLINES = {"\n", "\r", "\u2028", "\u2029", "\x85"}
PLACEHOLDER_COLOR = "#8a5a00"
# Characters: up to this, right-to-left words in markup() are kept on one line (no-break
# spaces); a paragraph of record text that must wrap is laid out by rtl_paragraph.py instead.
_KEEP_RTL = 120
REDACTION_SPACES = 12  # fixed width: the box must not reveal the withheld text's length
_BOX_MARKUP = '<span backColor="#000000">' + "&nbsp;" * REDACTION_SPACES + "</span>"


def placeholder(ch: str) -> str | None:
    """The visible stand-in for a character that must not be drawn as is, or None if it may be."""
    cp = ord(ch)
    name = hidden_name(ch)  # controls and format characters (zero-width, bidi): domain.invisible
    if name is not None:
        return name
    category = unicodedata.category(ch)
    if category == "Cs" or category == "Co":
        return f"U+{cp:04X}"
    return None


def pieces(text: str, base: str, *, display: bool = True) -> Iterator[tuple[str, str, bool]]:
    """Cut text into (font, text, is_placeholder) runs; newlines come through as '\\n' runs.

    `display`: right-to-left lines shaped and in display order, for drawing; False keeps the
    logical order, for strings a PDF viewer lays out itself (bookmarks, metadata).
    """
    if text.isascii() and text.isprintable():
        if text:
            yield base, text, False
        return
    yield from _pieces(text, base, display and has_rtl(text))


_SENTINEL = 0xF0000  # supplementary private use: strong left-to-right, never in drawn text


@functools.lru_cache(maxsize=32768)
def _pieces(text: str, base: str, display: bool) -> tuple[tuple[str, str, bool], ...]:
    # Cached: a dossier refers to the same names again and again (profiles, tables, chart).
    fonts = dossier_fonts()
    out: list[tuple[str, str, bool]] = []
    for n, line in enumerate(lines(text)):
        if n:
            out.append((base, "\n", False))
        drawn, names = sentinels(line)
        if display:
            drawn = visual(drawn, fonts.drawable)
        out += font_runs(drawn, names, base)
    return tuple(out)


def sentinels(line: str, names: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """The line with every character placeholder() names as one private-use sentinel, and the
    sentinels' names (added to `names` if given)."""
    # Placeholders are decided on the logical text and stand in the line as one private-use
    # character each while it is shaped and ordered, so a bidi control cannot reorder anything.
    names = {} if names is None else names
    chars = []
    for ch in line:
        cp = ord(ch)
        # Every character placeholder() names is unprintable, private use or a surrogate:
        # skip the Unicode database lookup for the rest.
        name = None if ch.isprintable() and not 0xE000 <= cp <= 0xF8FF and cp < _SENTINEL \
            else placeholder(ch)
        if name is not None and len(names) < 0xFFFE:
            sentinel = chr(_SENTINEL + len(names))
            names[sentinel] = name
            ch = sentinel
        chars.append(ch)
    return "".join(chars), names


def font_runs(drawn: str, names: dict[str, str], base: str) -> list[tuple[str, str, bool]]:
    """(font, text, is_placeholder) runs of a line holding sentinels: each run in the first font
    that has its glyphs, each sentinel (and each character no font has) a placeholder run."""
    fonts = dossier_fonts()
    order = fonts.fallbacks(base)
    covers = [fonts.coverage[f] for f in order]
    out: list[tuple[str, str, bool]] = []
    run_font = base
    run: list[str] = []

    def flush() -> None:
        nonlocal run
        if run:
            out.append((run_font, "".join(run), False))
            run = []

    for ch in drawn:
        name = names.get(ch)
        font = None
        if name is None:
            cp = ord(ch)
            for candidate, cover in zip(order, covers):
                if cp in cover:
                    font = candidate
                    break
            else:
                name = f"U+{cp:04X}"
        if name is not None:
            flush()
            out.append((fonts.sans, _placeholder_text(name), True))
            continue
        if font != run_font:
            flush()
        run_font = font
        run.append(ch)
    flush()
    return out


def display_line(runs: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """One laid-out line of logical (font, text, is_box) runs in display order: right-to-left text
    shaped and ordered, each stretch between boxes (withheld text) on its own."""
    if not any(has_rtl(text) for _f, text, box in runs if not box):
        return runs
    shown: list[tuple[str, str, bool]] = []
    segment = ""
    for font, text, box in [*runs, ("", "", True)]:
        if not box:
            segment += text
            continue
        if segment:
            shown += [(f, t, False) for f, t, _ph in pieces(segment, dossier_fonts().sans)]
        segment = ""
        if text:
            shown.append((font, text, True))
    return shown


def lines(text: str) -> list[str]:
    """The text's lines (any line end; a tab is a space)."""
    lines: list[str] = []
    line: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        i += 1
        if ch in _NEWLINES:
            if ch == "\r" and i < n and text[i] == "\n":
                i += 1
            lines.append("".join(line))
            line = []
        else:
            line.append(" " if ch == "\t" else ch)
    lines.append("".join(line))
    return lines


def _markup_str(text: str, base: str, fonts: FontSet) -> str:
    if text.isascii() and text.isprintable():
        return escape(text)
    out = []
    # Right-to-left words are in display order for one line: a short text keeps them unbroken.
    keep = len(text) <= _KEEP_RTL and has_rtl(text)
    whole = keep and is_rtl_line(text)
    for font, run, is_placeholder in pieces(text, base):
        if keep and not is_placeholder:
            run = unbreakable(run, whole=whole)
        out.append(run_markup(font, run, is_placeholder, base))
    return "".join(out)


def run_markup(font: str, run: str, is_placeholder: bool, base: str) -> str:
    """Paragraph markup of one (font, text, is_placeholder) run ('\\n' a line break)."""
    if run == "\n" and not is_placeholder:
        return "<br/>"
    if is_placeholder:
        return f'<font face="{font}" color="{PLACEHOLDER_COLOR}">{escape(run)}</font>'
    if font != base:
        return f'<font face="{font}">{escape(run)}</font>'
    return escape(run)


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
    out.append(more_markup(cut))
    return "".join(out)


def more_markup(cut: int) -> str:
    """The note that `cut` characters were left off ('' if none)."""
    return f' <font color="#777777">… [{cut:,} more characters]</font>' if cut else ""


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
        for _font, run, _ph in pieces(part, fonts.sans, display=False):
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
    if has_rtl(value):
        return False  # drawn as shaped runs in display order, not as the stored string
    runs = list(pieces(value, font))
    return len(runs) == 1 and runs[0][0] == font and not runs[0][2] and runs[0][1] != "\n"
