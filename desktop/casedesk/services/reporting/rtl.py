"""Right-to-left text for ReportLab: Arabic letters joined and every line put in visual order.

ReportLab draws characters left to right, one glyph each, so "شركة" would come out as four
unjoined letters in the wrong order. Arabic is first reshaped into its contextual forms (the
presentation forms DejaVu Sans draws; lam-alef joined, as it must be), then the Unicode
bidirectional algorithm orders the line for display (mirroring brackets inside right-to-left runs).
The text layer of the PDF then holds the presentation forms in display order; NFKC of it, read
right to left, is the original name.

One line at a time: the bidi algorithm orders a line, never a paragraph that is still to be
wrapped. Paragraphs of record text that hold right-to-left letters are broken into lines in
logical order first and each line is ordered on its own (rtl_paragraph.py).
"""

from __future__ import annotations

import functools
import re

# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic Extended, the presentation
# forms, and the historic right-to-left blocks beyond the BMP.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")


_RTL_SPACE = re.compile(f"(?<={_RTL.pattern}) (?={_RTL.pattern})")


def has_rtl(text: str) -> bool:
    """True if the text holds a right-to-left letter."""
    return _RTL.search(text) is not None


def is_rtl_line(text: str) -> bool:
    """True if the text's first strong letter is right-to-left (it then reads from the right)."""
    from bidi import get_base_level

    return has_rtl(text) and get_base_level(text) == 1


def unbreakable(drawn: str, *, whole: bool) -> str:
    """Display-order text whose right-to-left stretches must not wrap, with no-break spaces there.

    A wrapped display-order line would put its last words first. `whole`: the line reads from
    the right, so none of its spaces may break; else only spaces between right-to-left letters.
    """
    return drawn.replace(" ", "\u00a0") if whole else _RTL_SPACE.sub("\u00a0", drawn)


@functools.cache
def _reshaper(ligatures: bool):  # type: ignore[no-untyped-def]
    from arabic_reshaper import ArabicReshaper

    # Keep the vowel marks (they are part of the name); no decorative ligatures such as ﷲ, which
    # would also read as one character in the text layer. Lam-alef is joined when ligatures are on.
    return ArabicReshaper(configuration={
        "delete_harakat": False, "support_ligatures": ligatures, "arabic ligature allah": False})


def shaped(line: str, drawable: frozenset[int] | None = None) -> str:
    """Arabic letters of the text in their joined presentation forms, still in logical order.

    `drawable`: code points some font can draw; if shaping produced a ligature none can, the
    text is shaped again without optional ligatures. Joining never crosses a space, so a word
    has the same forms and width whether shaped alone or in its line.
    """
    if not has_rtl(line):
        return line
    out = _reshaper(True).reshape(line)
    if drawable is not None and any(ord(ch) not in drawable for ch in out if ch not in line):
        out = _reshaper(False).reshape(line)
    return out


def ordered(line: str, *, rtl: bool | None = None) -> str:
    """One shaped line in left-to-right display order; `rtl` the paragraph's base direction
    (None: the line's own first strong letter decides)."""
    if not has_rtl(line):
        return line
    from bidi.algorithm import get_display

    return get_display(line, base_dir=None if rtl is None else ("R" if rtl else "L"))


def visual(line: str, drawable: frozenset[int] | None = None) -> str:
    """One line of text shaped and in left-to-right display order (unchanged without RTL letters).

    `drawable`: code points some font can draw; if shaping produced a ligature none can, the
    line is shaped again without optional ligatures.
    """
    return ordered(shaped(line, drawable))
