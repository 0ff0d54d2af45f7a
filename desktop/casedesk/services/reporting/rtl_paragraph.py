"""Paragraphs of record text holding right-to-left letters: wrapped in logical order, then each line ordered.

The bidi algorithm must see one line at a time: a paragraph put in display order before it is
wrapped reads its lines bottom up. So the text's placeholders are decided (text.sentinels), its
Arabic shaped in logical order (rtl.shaped), its words measured in the fonts that will draw
them and broken into lines for the width the frame or cell offers, and only then is each line
ordered (rtl.ordered, with its text line's base direction) and its spaces made unbreakable, so
ReportLab draws the lines exactly as laid out: the first logical line on top. A paragraph whose
base direction is right to left is right-aligned. A text that fits on one line gets the very
markup text.markup gives it.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from casedesk.services.reporting.fonts import dossier_fonts
from casedesk.services.reporting.model import Redacted, Scrubbed, Text
from casedesk.services.reporting.rtl import has_rtl, is_rtl_line, ordered, shaped
from casedesk.services.reporting.text import (
    _BOX_MARKUP,
    _KEEP_RTL,
    _SENTINEL,
    REDACTION_SPACES,
    font_runs,
    lines,
    markup,
    more_markup,
    run_markup,
    sentinels,
    truncated,
)

_BOX = "\x00box"  # the name of the sentinel standing for a withheld part (no placeholder has it)
_NBSP = "\u00a0"


def holds_rtl(value: Text | None) -> bool:
    """True if the value has text (not withheld) with a right-to-left letter."""
    if isinstance(value, str):
        return has_rtl(value)
    if isinstance(value, Scrubbed):
        return any(isinstance(p, str) and has_rtl(p) for p in value.parts)
    return False


def _logical(value: Text, limit: int | None) -> tuple[list[str], dict[str, str], int]:
    """The value's text lines with sentinels (withheld parts one sentinel each), their names,
    and how many characters `limit` cut."""
    parts = value.parts if isinstance(value, Scrubbed) else (value,)
    names: dict[str, str] = {}
    out: list[str] = []
    budget, cut = limit, 0
    for part in parts:
        if isinstance(part, Redacted):
            box = chr(_SENTINEL + len(names))
            names[box] = _BOX
            out.append(box)
            continue
        text, more = truncated(part, budget)
        if budget is not None:
            budget = max(0, budget - len(text))
        cut += more
        out.append("\n".join(sentinels(line, names)[0] for line in lines(text)))
    return "".join(out).split("\n"), names, cut


class _Measure:
    """Widths of shaped logical words in the paragraph's fonts (placeholders and boxes included)."""

    def __init__(self, names: dict[str, str], base: str, size: float):
        self.names, self.base, self.size = names, base, size
        self.box = REDACTION_SPACES * stringWidth(_NBSP, base, size)
        self.space = stringWidth(_NBSP, base, size)

    def word(self, word: str) -> float:
        total = 0.0
        for segment, box in self.segments(word):
            total += self.box if box else sum(
                stringWidth(t, f, self.size) for f, t, _ph in font_runs(segment, self.names, self.base))
        return total

    def segments(self, text: str) -> list[tuple[str, bool]]:
        """The text cut at its withheld-part sentinels: (text, False) stretches and (box, True)."""
        out: list[tuple[str, bool]] = []
        start = 0
        for i, ch in enumerate(text):
            if self.names.get(ch) == _BOX:
                if i > start:
                    out.append((text[start:i], False))
                out.append((ch, True))
                start = i + 1
        if start < len(text):
            out.append((text[start:], False))
        return out


def _words(line: str) -> list[str]:
    """The line's words: cut at spaces only (a no-break space stays inside its word)."""
    return [w for w in line.split(" ") if w]


def _break(words: list[str], measure: _Measure, first: float, width: float) -> list[list[str]]:
    """Greedy line breaking in logical order; a word wider than a line is cut between characters."""
    out: list[list[str]] = []
    line: list[str] = []
    used = 0.0
    for word in words:
        w = measure.word(word)
        room = first if not out else width
        if line and used + measure.space + w > room:
            out.append(line)
            line, used, room = [], 0.0, width
        if not line and w > room and len(word) > 1:
            # Cut into the longest heads that fit (at least one character each); a text's width
            # is the sum of its characters' (no kerning), so one pass over the word will do.
            head, used = 0, 0.0
            for i, ch in enumerate(word):
                cw = measure.word(ch)
                if i > head and used + cw > room:
                    out.append([word[head:i]])
                    head, used, room = i, 0.0, width
                used += cw
            word, w = word[head:], used
        used = used + measure.space + w if line else w
        line.append(word)
    if line or not out:
        out.append(line)
    return out


def layout(value: Text, style: ParagraphStyle, width: float, limit: int | None = None) -> tuple[str, bool]:
    """Paragraph markup of the value as display-order lines for `width` points, and whether the
    paragraph reads from the right (its first text line's base direction)."""
    fonts = dossier_fonts()
    base = style.fontName if style.fontName in fonts.coverage else fonts.sans
    text_lines, names, cut = _logical(value, limit)
    measure = _Measure(names, base, style.fontSize)
    shaped_lines = [shaped(line, fonts.drawable) for line in text_lines]
    first_text = next((line for line in shaped_lines if line.strip()), "")
    rtl = is_rtl_line(first_text)
    first = width - style.firstLineIndent
    plain_text = "".join(p for p in (value.parts if isinstance(value, Scrubbed) else (value,))
                         if isinstance(p, str))
    if len(shaped_lines) == 1 and len(plain_text) <= _KEEP_RTL and \
            len(_break(_words(shaped_lines[0]), measure, first, width)) == 1:
        return markup(value, base, limit=limit), rtl  # one line: as every short text is drawn
    out: list[str] = []
    for n, line in enumerate(shaped_lines):
        line_rtl = is_rtl_line(line) if has_rtl(line) else rtl
        broken = _break(_words(line), measure, first if n == 0 else width, width)
        for words in broken:
            drawn = ordered(" ".join(words), rtl=line_rtl) if has_rtl(line) else " ".join(words)
            parts = []
            for segment, box in measure.segments(drawn):
                if box:
                    parts.append(_BOX_MARKUP)
                    continue
                for font, run, ph in font_runs(segment, names, base):
                    parts.append(run_markup(font, run if ph else run.replace(" ", _NBSP), ph, base))
            out.append("".join(parts))
    return "<br/>".join(out) + more_markup(cut), rtl


class RtlParagraph(Flowable):
    """A paragraph of one record text laid out by `layout` for the width it is offered."""

    def __init__(self, value: Text, style: ParagraphStyle, limit: int | None = None):
        super().__init__()
        self.value, self.style, self.limit = value, style, limit
        self._para: Paragraph | None = None
        self._width: float | None = None

    def laid_out(self, avail_width: float) -> Paragraph:
        """The Paragraph of display-order lines for this width (laid out again if it changes)."""
        if self._para is None or self._width != avail_width:
            st = self.style
            text, rtl = layout(self.value, st, avail_width - st.leftIndent - st.rightIndent, self.limit)
            if rtl:
                st = ParagraphStyle(f"{st.name}-rtl", parent=st, alignment=TA_RIGHT)
            self._para, self._width = Paragraph(text, st), avail_width
        return self._para

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = self.laid_out(avail_width).wrap(avail_width, avail_height)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        # The pieces are plain Paragraphs of lines already laid out for this width.
        return self.laid_out(avail_width).split(avail_width, avail_height)

    def draw(self) -> None:
        assert self._para is not None, "drawn before wrap"
        self._para.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self.style.spaceAfter)


def record_paragraph(value: Text, style: ParagraphStyle, limit: int | None = None) -> Flowable:
    """A paragraph of record text: an RtlParagraph if it holds right-to-left letters."""
    if holds_rtl(value):
        return RtlParagraph(value, style, limit)
    return Paragraph(markup(value, limit=limit), style)
