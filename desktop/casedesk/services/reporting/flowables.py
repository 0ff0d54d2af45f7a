"""The dossier's page furniture: document template, canvas, headings, contents, rules and styles"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
)

from casedesk.services.reporting.fonts import FontSet, dossier_fonts
from casedesk.services.reporting.page_style import (
    GRID,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE,
    Run,
)


@dataclass
class _Section:
    key: str
    title: str
    page: int | None = None


@dataclass
class _State:
    """What the canvas needs at save time: contents entries, their pages, the page count."""

    sections: list[_Section] = field(default_factory=list)
    pages: int = 0
    marking: str = ""
    marking_runs: list[tuple[str, str]] = field(default_factory=list)
    footer_left: str = ""
    header_left: str = ""
    created: str = "D:20000101000000+00'00'"


class _DossierCanvas(Canvas):
    """A canvas that defines the deferred page-count and contents forms just before saving."""

    state: _State

    def save(self) -> None:
        fonts = dossier_fonts()
        self.state.pages = self.getPageNumber() - 1
        self.beginForm("pagecount")
        self.setFont(fonts.sans, 7.5)
        self.drawString(0, 0, str(self.state.pages))
        self.endForm()
        for section in self.state.sections:
            # Right-aligned at the form's origin, so the bounding box reaches left of it.
            self.beginForm(f"toc{section.key}", lowerx=-60, lowery=-4, upperx=2, uppery=14)
            self.setFont(fonts.sans, 10)
            self.drawRightString(0, 0, str(section.page) if section.page else "–")
            self.endForm()
        super().save()


class _Heading(Paragraph):
    """A heading that becomes a bookmark (outline entry) and, at level 0, a contents line."""

    def __init__(self, text: str, style: ParagraphStyle, key: str, outline: str, level: int):
        super().__init__(text, style)
        self.outline_key, self.outline_title, self.outline_level = key, outline, level


class _Contents(Flowable):
    """The contents page: section titles with dot leaders and page numbers (forms filled at save)."""

    def __init__(self, sections: Sequence[_Section], fonts: FontSet):
        super().__init__()
        self.sections, self.fonts = sections, fonts
        self.line = 17.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.line * len(self.sections)

    def draw(self) -> None:
        canv = self.canv
        for i, section in enumerate(self.sections):
            y = self.line * (len(self.sections) - i - 1) + 4
            canv.setFont(self.fonts.sans, 10)
            canv.setFillColor(INK)
            canv.drawString(0, y, section.title)
            start = stringWidth(section.title, self.fonts.sans, 10) + 6
            canv.setFillColor(colors.HexColor("#9aa0a6"))
            dots = "." * max(0, int((self.width - start - 30) / stringWidth(". ", self.fonts.sans, 10)))
            canv.drawString(start, y, " ".join(dots))
            canv.setFillColor(INK)
            canv.saveState()
            canv.translate(self.width, y)
            canv.doForm(f"toc{section.key}")
            canv.restoreState()
            canv.linkRect("", f"sec-{section.key}", (0, y - 3, self.width, y + 11), relative=1, thickness=0)


class _Line(Flowable):
    """One line of pre-measured text runs in a table cell: per-run fonts, colours and links.

    Most table cells hold one short line; a Paragraph would parse markup and break lines again
    at every table pass (three wraps per cell), which dominated the time of long tables.
    """

    def __init__(self, runs: list[Run], size: float, leading: float, width: float):
        super().__init__()
        self.runs, self.size, self.leading, self.text_width = runs, size, leading, width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.text_width, self.leading

    def draw(self) -> None:
        # One text object for the whole line, so a PDF reader extracts it as one line of text.
        canv, x, y = self.canv, 0.0, self.leading - self.size
        text = canv.beginText(0, y)
        for font, run, colour, target in self.runs:
            if font is None:
                w = float(run)
                canv.setFillColor(colors.black)
                canv.rect(x, y - self.size * 0.2, w, self.size * 1.05, stroke=0, fill=1)
                x += w
                text.setTextOrigin(x, y)
                continue
            w = stringWidth(run, font, self.size)
            text.setFont(font, self.size)
            text.setFillColor(colors.HexColor(colour))
            text.textOut(run)
            if target:
                canv.linkRect("", target, (x, y - 2, x + w, y + self.size), relative=1, thickness=0)
            x += w
        canv.drawText(text)


class _DocTemplate(BaseDocTemplate):
    """Page templates (cover, portrait, landscape chart) and bookmarks for headings."""

    def __init__(self, stream: Any, state: _State, fonts: FontSet, **kw: Any):
        super().__init__(stream, pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1,
                         initialFontName=fonts.sans, initialFontSize=9, **kw)
        self.state, self.fonts = state, fonts
        self.sections = {s.key: s for s in state.sections}
        portrait = Frame(MARGIN_X, MARGIN_BOTTOM, PAGE[0] - 2 * MARGIN_X, PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM,
                         id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        land = landscape(PAGE)
        wide = Frame(MARGIN_X, MARGIN_BOTTOM, land[0] - 2 * MARGIN_X, land[1] - MARGIN_TOP - MARGIN_BOTTOM,
                     id="wide", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate("cover", [portrait], onPage=self._cover_page, pagesize=PAGE),
            PageTemplate("portrait", [portrait], onPage=self._page, pagesize=PAGE),
            PageTemplate("landscape", [wide], onPage=self._page, pagesize=land),
        ])

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading):
            key = flowable.outline_key
            self.canv.bookmarkPage(key, fit="XYZ", top=self.frame._y + flowable.height + 6)
            self.canv.addOutlineEntry(flowable.outline_title, key, level=flowable.outline_level,
                                      closed=flowable.outline_level > 0)
            section = self.sections.get(key[4:]) if key.startswith("sec-") else None
            if section is not None and section.page is None:
                section.page = self.canv.getPageNumber()

    def _marking(self, canv: Canvas, width: float, y: float) -> None:
        canv.setFillColor(colors.HexColor("#8b0000"))
        runs = self.state.marking_runs
        total = sum(stringWidth(text, font, 8) for font, text in runs)
        self._draw_runs(canv, (width - total) / 2, y, runs, 8)

    def _cover_page(self, canv: Canvas, doc: Any) -> None:
        width, height = canv._pagesize
        self._marking(canv, width, height - 12 * mm)
        self._marking(canv, width, 9 * mm)
        self._footer_numbers(canv, width)

    def _page(self, canv: Canvas, doc: Any) -> None:
        width, height = canv._pagesize
        canv.saveState()
        self._marking(canv, width, height - 9 * mm)
        canv.setFont(self.fonts.sans, 7)
        canv.setFillColor(colors.HexColor("#555555"))
        header = self.state.header_left
        self._draw_runs(canv, MARGIN_X, height - 14 * mm, header, 7)
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.5)
        canv.line(MARGIN_X, height - 15.5 * mm, width - MARGIN_X, height - 15.5 * mm)
        canv.line(MARGIN_X, 12.5 * mm, width - MARGIN_X, 12.5 * mm)
        canv.setFont(self.fonts.sans, 7)
        canv.drawString(MARGIN_X, 9 * mm, self.state.footer_left)
        self._marking(canv, width, 5 * mm)
        self._footer_numbers(canv, width)
        canv.restoreState()

    def _draw_runs(self, canv: Canvas, x: float, y: float, runs: Any, size: float) -> None:
        for font, text in runs:
            canv.setFont(font, size)
            canv.drawString(x, y, text)
            x += stringWidth(text, font, size)

    def _footer_numbers(self, canv: Canvas, width: float) -> None:
        canv.saveState()
        canv.setFont(self.fonts.sans, 7.5)
        canv.setFillColor(colors.HexColor("#333333"))
        text = f"Page {canv.getPageNumber()} of "
        x = width - MARGIN_X - 22 - stringWidth(text, self.fonts.sans, 7.5)
        canv.drawString(x, 9 * mm, text)
        canv.translate(x + stringWidth(text, self.fonts.sans, 7.5), 9 * mm)
        canv.doForm("pagecount")
        canv.restoreState()


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    mono: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    title: ParagraphStyle
    caption: ParagraphStyle
    note: ParagraphStyle


def _styles(f: FontSet) -> _Styles:
    base = dict(fontName=f.sans, textColor=INK, splitLongWords=1, bulletFontName=f.sans)
    return _Styles(
        body=ParagraphStyle("body", fontSize=9, leading=12.5, spaceAfter=4, **base),
        small=ParagraphStyle("small", fontSize=7.5, leading=9.8, **base),
        cell=ParagraphStyle("cell", fontSize=7.5, leading=9.4, **base),
        cell_head=ParagraphStyle("cell_head", fontSize=7.5, leading=9.4, **{**base, "fontName": f.bold}),
        mono=ParagraphStyle("mono", fontSize=7.2, leading=9.4, **{**base, "fontName": f.mono}),
        h1=ParagraphStyle("h1", fontSize=16, leading=20, spaceBefore=4, spaceAfter=8,
                          **{**base, "fontName": f.bold, "textColor": colors.HexColor("#14365d")}),
        h2=ParagraphStyle("h2", fontSize=11.5, leading=14.5, spaceBefore=10, spaceAfter=4,
                          keepWithNext=1, **{**base, "fontName": f.bold}),
        h3=ParagraphStyle("h3", fontSize=9, leading=12, spaceBefore=6, spaceAfter=2, keepWithNext=1,
                          **{**base, "fontName": f.bold, "textColor": colors.HexColor("#3b4650")}),
        title=ParagraphStyle("title", fontSize=22, leading=28, spaceAfter=10,
                             **{**base, "fontName": f.bold, "textColor": colors.HexColor("#14365d")}),
        caption=ParagraphStyle("caption", fontSize=7.5, leading=9.5, alignment=TA_LEFT,
                               **{**base, "textColor": colors.HexColor("#555555")}),
        note=ParagraphStyle("note", fontSize=8, leading=10.5, spaceAfter=3,
                            **{**base, "textColor": colors.HexColor("#444444")}),
    )
