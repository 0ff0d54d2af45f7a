"""The render step: a Dossier becomes a PDF with ReportLab platypus, without touching the database.

One build pass: "Page x of y" and the page numbers on the contents page are PDF form XObjects
referenced while pages are drawn and defined when the document is saved, when every page
number is known (ReportLab resolves forms by name at save time). A two-pass multiBuild would
double the time of a long dossier. The output is byte-for-byte reproducible: invariant mode,
a creation date taken from the audit head, and deterministic content order.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from casedesk import __version__
from casedesk.services.progress import Progress
from casedesk.services.reporting.chart import link_chart
from casedesk.services.reporting.fonts import FontSet, dossier_fonts
from casedesk.services.reporting.model import Cite, Dossier, LinkEntry, Redacted, Scrubbed, Text
from casedesk.services.reporting.text import PLACEHOLDER_COLOR, fits_plain, markup, pieces, plain

PAGE = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 18 * mm
CHUNK_ROWS = 250  # long tables are cut into Tables of this many rows (platform-notes §6e)
CELL_LIMIT = 1200  # characters of free text shown in a table cell (full text is shown elsewhere)
REF_LIMIT = 160  # characters of a record's name where it is only referred to
REDACTION_BOX = 34.0  # width in points of a withheld value's black box (never the text's width)
SEVERITY_COLOURS = {"critical": "#7b0d0d", "high": "#c0392b", "medium": "#b7770a",
                    "low": "#2e6fa3", "info": "#667079"}
GRID = colors.HexColor("#c9cdd2")
HEAD_BG = colors.HexColor("#e8ebef")
INK = colors.HexColor("#1a1a1a")

ProgressCallback = Callable[[Progress], None]


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


Run = tuple[str | None, str, str, str | None]  # font (None: black box), text, colour, link target


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


# --- styles ----------------------------------------------------------------------------------

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


# --- the story -------------------------------------------------------------------------------

SECTIONS = (("summary", "Executive summary"), ("findings", "Findings"), ("chart", "Link chart"),
            ("parties", "Party profiles"), ("compute", "Compute inventory"),
            ("contracts", "Contracts and payments"), ("timeline", "Timeline"),
            ("screening", "Screening hits and decisions"), ("evidence", "Evidence register"),
            ("appendix", "Appendix: verifying this dossier"))


class _Story:
    """Builds the flowables of a dossier, section by section."""

    def __init__(self, d: Dossier, fonts: FontSet, state: _State):
        self.d, self.f, self.state = d, fonts, state
        self.st = _styles(fonts)
        self.width = PAGE[0] - 2 * MARGIN_X
        # Every record the dossier shows has a home that references link to: parties and
        # contracts a bookmarked heading, fleets, data centers and wallets an anchor in their table.
        self.out: list[Flowable] = []

    # --- small pieces ---------------------------------------------------------------------
    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(text, style or self.st.body)

    def t(self, value: Text | None, limit: int | None = CELL_LIMIT) -> str:
        return markup(value, limit=limit)

    def cites(self, cites: Sequence[Cite], *, locators: bool = False) -> str:
        """Citation markers like [E1][E3] linking into the evidence register."""
        if not cites:
            return ""
        out = []
        for c in cites:
            tag = f'<a href="#ev-{c.marker}" color="#1f5fa8">[E{c.marker}]</a>'
            if locators and c.locator:
                loc = self.t(c.locator, 200)
                tag += f' <font color="#666666">{loc}</font>'
            out.append(tag)
        return ("; " if locators else "").join(out)

    def ref(self, rid: int) -> str:
        """A record's name as a link to its home in the dossier."""
        entry = self.d.records.get(rid)
        if entry is None:
            return f"record {rid}"
        text = self.t(entry.label, REF_LIMIT) or f"record {rid}"
        return f'<a href="#rec-{rid}" color="#14365d">{text}</a>'

    def anchor(self, rid: int) -> str:
        """Markup naming the spot a record's references link to."""
        return f'<a name="rec-{rid}"/>'

    def cell(self, value: Any, width: float, *, style: ParagraphStyle | None = None,
             limit: int | None = CELL_LIMIT) -> Any:
        """A table cell: a plain string or one _Line when it fits one line, else a Paragraph."""
        style = style or self.st.cell
        if value is None or value == "":
            return ""
        if isinstance(value, (int, float)):
            value = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
        if isinstance(value, str) and len(value) < 120 and fits_plain(value, style.fontName) and \
                stringWidth(value, style.fontName, style.fontSize) <= width - 6:
            return value
        line = self.line(self.runs(value, style.fontName), width, style)
        return line if line is not None else Paragraph(self.t(value, limit), style)

    def runs(self, value: Text, font: str, colour: str = "#1a1a1a", target: str | None = None) -> list[Run] | None:
        """Text as one line of runs, or None if it has line breaks or is long."""
        parts = value.parts if isinstance(value, Scrubbed) else (value,)
        if sum(len(p) for p in parts if isinstance(p, str)) > 160:
            return None
        out: list[Run] = []
        for part in parts:
            if isinstance(part, Redacted):
                out.append((None, str(REDACTION_BOX), colour, None))
                continue
            for run_font, text, placeholder in pieces(part, font):
                if text == "\n" and not placeholder:
                    return None
                out.append((run_font, text, PLACEHOLDER_COLOR if placeholder else colour, target))
        return out

    def line(self, runs: list[Run] | None, width: float, style: ParagraphStyle | None = None) -> _Line | None:
        """A _Line of the runs if they fit the cell width (padding included), else None."""
        if runs is None:
            return None
        style = style or self.st.cell
        size = style.fontSize
        total = sum(float(t) if f is None else stringWidth(t, f, size) for f, t, _c, _l in runs)
        if total > width - 6:
            return None
        return _Line(runs, size, style.leading, total)

    def ref_cell(self, rid: int, width: float) -> Any:
        """A record's name in a table, linked to its home in the dossier."""
        entry = self.d.records.get(rid)
        if entry is None:
            return f"record {rid}"
        line = self.line(self.runs(entry.label, self.f.sans, "#14365d", f"rec-{rid}"), width)
        return line if line is not None else Paragraph(self.ref(rid), self.st.cell)

    def cites_cell(self, cites: Sequence[Cite], width: float) -> Any:
        """Citation markers in a table cell, each linked to the evidence register."""
        if not cites:
            return ""
        runs: list[Run] = [(self.f.sans, f"[E{c.marker}]", "#1f5fa8", f"ev-{c.marker}") for c in cites]
        line = self.line(runs, width)
        return line if line is not None else Paragraph(self.cites(cites), self.st.cell)

    def link_cell(self, lk: LinkEntry, width: float) -> Any:
        """A link's label (with the share of an ownership link)."""
        text = lk.label + (f" ({lk.share_pct:g} %)" if lk.share_pct is not None else "")
        return self.cell(text, width)

    def heading(self, key: str, title: str, *, level: int = 0, style: ParagraphStyle | None = None,
                text: str | None = None) -> _Heading:
        return _Heading(text if text is not None else markup(title, self.f.bold), style or self.st.h1,
                        key, plain(title, limit=120) if isinstance(title, str) else title, level)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], *,
              extra: Sequence[tuple] = (), zebra: bool = True) -> list[Flowable]:
        """Tables of at most CHUNK_ROWS rows each, every one repeating the header row."""
        # Header texts are ours (short, Latin): plain strings in bold, not Paragraphs, which would
        # cost thousands of parses in a dossier with a table per party.
        head = list(header)
        out: list[Flowable] = []
        for start in range(0, max(len(rows), 1), CHUNK_ROWS):
            chunk = list(rows[start:start + CHUNK_ROWS])
            if not chunk:
                break
            style = [
                ("FONT", (0, 0), (-1, -1), self.f.sans, 7.5, 9.4),
                ("FONT", (0, 0), (-1, 0), self.f.bold, 7.5, 9.4),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#8a939c")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                *extra,
            ]
            table = Table([head, *chunk], colWidths=list(widths), repeatRows=1, splitInRow=1,
                          hAlign="LEFT", spaceAfter=6)
            table.setStyle(TableStyle(style))
            out.append(table)
        return out

    def facts(self, pairs: Sequence[tuple[str, Any]], key_width: float = 95) -> Table:
        """A two-column key/value table (values are markup strings or flowables)."""
        rows = []
        for key, value in pairs:
            if value in (None, ""):
                continue
            cell = value if not isinstance(value, str) else Paragraph(value, self.st.cell)
            rows.append([Paragraph(markup(key, self.f.bold), self.st.cell_head), cell])
        if not rows:
            return Spacer(1, 0)
        table = Table(rows, colWidths=[key_width, self.width - key_width], hAlign="LEFT", splitInRow=1,
                      spaceAfter=6)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.f.sans, 7.5, 9.4),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]))
        return table

    def link_text(self, lk: LinkEntry, *, share: bool = True) -> str:
        text = markup(lk.label)
        if share and lk.share_pct is not None:
            text += f" ({lk.share_pct:g} %)"
        return text

    def dates(self, start: str | None, end: str | None) -> str:
        if start and end:
            return f"{start} – {end}"
        if start:
            return f"from {start}"
        if end:
            return f"until {end}"
        return ""

    # --- sections -------------------------------------------------------------------------
    def build(self) -> list[Flowable]:
        self.cover()
        self.contents()
        for key, _title in SECTIONS:
            if key != "chart":
                # A section starts on a new page unless most of the current page is still free.
                self.out.append(CondPageBreak(PAGE[1] * 0.45))
            getattr(self, f"sec_{key}")()
        return self.out

    def cover(self) -> None:
        d, st, c = self.d, self.st, self.d.cover
        banner = Table([[Paragraph(markup(c.marking, self.f.bold), ParagraphStyle(
            "banner", parent=st.h2, alignment=TA_CENTER, textColor=colors.white, spaceBefore=0,
            spaceAfter=0))]], colWidths=[self.width])
        banner.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), self.f.sans, 9),
                                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#8b0000")),
                                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        self.out += [
            _Heading("", ParagraphStyle("anchor", parent=st.small, fontSize=1, leading=1), "sec-cover",
                     "Cover", 0),
            banner, Spacer(1, 30 * mm),
            self.p("CASEDESK DOSSIER", ParagraphStyle("kicker", parent=st.small, textColor=colors.HexColor(
                "#5b6670"), fontName=self.f.bold, fontSize=9, spaceAfter=6)),
            self.p(self.t(c.title, 400), st.title),
            Spacer(1, 6 * mm),
        ]
        self.out.append(self.facts([
            ("Classification", markup(c.marking)),
            ("Author", markup(c.author) or "—"),
            ("Date", markup(c.date)),
            ("Case", f"case {c.case_id}"),
            ("Workspace", f'{markup(c.workspace_name)} <font face="{self.f.mono}">{markup(c.workspace_uuid)}</font>'),
            ("Scope", markup(c.scope)),
            ("Redaction", f"{markup(c.redaction_label)} (profile <i>{markup(c.redaction)}</i>)"),
            ("Audit-chain head", f'entry {d.audit.entry_id:,} <font face="{self.f.mono}">{d.audit.hash}</font>'),
            ("Produced by", f"CaseDesk {__version__}"),
        ], key_width=100))
        self.out += [Spacer(1, 10 * mm), self.p(
            "Every statement in this dossier is followed by markers such as [E1] that point into the "
            "evidence register, which lists each source with its SHA-256 and its grade (source "
            "reliability A–F, information credibility 1–6). The appendix explains how to verify "
            "the dossier against the workspace it was made from.", st.note),
            NextPageTemplate("portrait"), PageBreak()]

    def contents(self) -> None:
        self.out += [self.heading("sec-contents", "Contents"), Spacer(1, 4),
                     _Contents(self.state.sections, self.f), PageBreak()]

    def sec_summary(self) -> None:
        d, st = self.d, self.st
        fig, comp = d.figures, d.compute
        self.out.append(self.heading("sec-summary", "Executive summary"))
        if d.cover.description:
            self.out.append(self.p(self.t(d.cover.description, None)))
        findings_open = sum(o + c for _s, o, c, _d in fig.findings_by_severity)
        pairs = [
            ("Scope", markup(d.cover.scope)),
            ("Records", ", ".join(f"{n:,} {markup(k.lower())}" for k, n in fig.records_by_kind) or "none"),
            ("Links", f"{fig.links:,}"),
            ("Parties", f"{fig.parties:,}"),
            ("Parties in countries of concern", ", ".join(fig.countries_of_concern) or "none recorded"),
            ("Server fleets", f"{comp.fleets:,}" + (f" ({comp.unknown_fleets} with unknown count or model)"
                                                    if comp.unknown_fleets else "")),
            ("Accelerators", markup(comp.accelerators_text)),
            ("Controlled accelerators", f"{comp.controlled_accelerators:,} in fleets whose model classifies "
                                        "as 3A090.a"),
            ("Controlled TPP", f"{comp.controlled_tpp:,.0f} TPP in those fleets"),
            ("Total processing performance", f"{comp.total_tpp:,.0f} TPP (≈ {comp.h100_equivalents:,.0f} "
                                             "H100 SXM equivalents)"),
            ("Findings", f"{findings_open:,} open or confirmed, "
                         f"{sum(x[3] for x in fig.findings_by_severity):,} dismissed"),
            ("Screening hits", ", ".join(f"{n:,} {markup(s)}" for s, n in fig.hits_by_status) or "none"),
            ("Evidence items", f"{fig.evidence:,}"),
        ]
        self.out.append(self.facts(pairs, key_width=150))
        if fig.findings_by_severity:
            self.out.append(self.p("Findings by severity", st.h3))
            rows = [[Paragraph(self._severity(s), st.cell), f"{o:,}", f"{c:,}", f"{x:,}"]
                    for s, o, c, x in fig.findings_by_severity]
            self.out += self.table(["Severity", "Open", "Confirmed", "Dismissed"], rows, [110, 60, 60, 60],
                                   extra=[("ALIGN", (1, 1), (-1, -1), "RIGHT")])
            top = [f for f in d.findings if f.status != "dismissed"][:5]
            if top:
                self.out.append(self.p("Most severe findings", st.h3))
                for f in top:
                    self.out.append(self.p(f"{self._severity(f.severity)} {self.t(f.title, 300)} "
                                           f"{self.cites(f.cites)}", st.body))
        if d.notes:
            self.out.append(Spacer(1, 4))
        for note in d.notes:
            self.out.append(self.p(markup(note), st.note))

    def _severity(self, severity: str) -> str:
        colour = SEVERITY_COLOURS.get(severity, "#555555")
        return f'<font color="{colour}"><b>{markup(severity.upper())}</b></font>'

    def sec_findings(self) -> None:
        d, st = self.d, self.st
        self.out.append(self.heading("sec-findings", "Findings"))
        if not d.findings:
            self.out.append(self.p("No findings are recorded for what this dossier covers: either the "
                                   "analysis has not been run, or it raised no red flags."))
            return
        dismissed_header = False
        for n, f in enumerate(d.findings, 1):
            if f.status == "dismissed" and not dismissed_header:
                self.out.append(self.p("Dismissed findings", st.h2))
                dismissed_header = True
            title = f"F{n}. " + plain(f.title, limit=100)
            block: list[Flowable] = [self.heading(
                f"find-{f.id}", title, level=1, style=st.h2,
                text=f'{self._severity(f.severity)} <b>F{n}.</b> {markup(f.title, self.f.bold, limit=600)}')]
            status = f"Status: <b>{markup(f.status)}</b>"
            if f.decided_by or f.decided_at:
                status += f" by {markup(f.decided_by)} {markup(f.decided_at[:16])}"
            if f.reason:
                status += f" — reason: {self.t(f.reason)}"
            status += f' · rule <font face="{self.f.mono}">{markup(f.rule)}</font>'
            block.append(self.p(status, st.note))
            if f.explanation:
                block.append(self.p(f"{self.t(f.explanation, None)} {self.cites(f.cites)}"))
            elif f.cites:
                block.append(self.p(f"Sources: {self.cites(f.cites)}"))
            if f.path:
                rows = []
                for step in f.path:
                    lk = d.links[step.link_id]
                    arrow = "→" if step.forward else "←"
                    rows.append([self.ref_cell(step.from_id, 120),
                                 Paragraph(f"{arrow} {self.link_text(lk)} {arrow}"
                                           + (f" <font color='#666666'>({self.t(lk.role, 200)})</font>"
                                              if lk.role else ""), st.cell),
                                 self.ref_cell(step.to_id, 120),
                                 self.cell(self.dates(lk.start_on, lk.end_on), 60),
                                 self.cites_cell(lk.cites, self.width - 420)])
                block.append(self.p("Explaining path", st.h3))
                block += self.table(["From", "Link", "To", "When", "Sources"], rows,
                                    [120, 120, 120, 60, self.width - 420])
            if f.other_record_ids:
                block.append(self.p("Also concerns: " + "; ".join(self.ref(r) for r in f.other_record_ids),
                                    st.note))
            if f.outside_view:
                block.append(self.p(f"{f.outside_view} record(s) or link(s) of this finding are outside "
                                    "this dossier's view or withheld.", st.note))
            self.out.append(KeepTogether(block) if len(f.path) < 12 else block[0])
            if len(f.path) >= 12:
                self.out += block[1:]

    def sec_chart(self) -> None:
        d, st = self.d, self.st
        land = landscape(PAGE)
        width = land[0] - 2 * MARGIN_X
        height = land[1] - MARGIN_TOP - MARGIN_BOTTOM - 62
        chart = link_chart(d, width, height)
        caption = (f"{len(d.records):,} records and {len(d.links):,} links. " + markup(d.notes[-1] if d.notes else "")
                   + " Arrows point from source to target and read as the link's label (ownership links "
                   "show the share). Names are shortened on the chart; the profiles give them in full.")
        if chart.labelled_records < len(d.records):
            caption += f" Only the {chart.labelled_records:,} most connected records are named."
        if chart.omitted_link_labels:
            caption += (f" {chart.omitted_link_labels:,} link label(s) are left off where they would "
                        "overlap; the colour gives the kind of link.")
        self.out += [NextPageTemplate("landscape"), PageBreak(), self.heading("sec-chart", "Link chart"),
                     chart.drawing, self.p(caption, st.caption), NextPageTemplate("portrait"), PageBreak()]

    def sec_parties(self) -> None:
        d, st = self.d, self.st
        self.out.append(self.heading("sec-parties", "Party profiles"))
        if not d.parties:
            self.out.append(self.p("No parties in this dossier."))
            return
        w = self.width
        for prof in d.parties:
            head = self.heading(f"rec-{prof.id}", plain(prof.label, limit=100), level=1, style=st.h2,
                                text=markup(prof.label, self.f.bold, limit=300))
            meta = [markup(prof.party_kind)]
            if prof.country:
                meta.append(f"jurisdiction {markup(prof.country)}")
            if prof.hq_country and prof.hq_country != prof.country:
                meta.append(f"headquarters {markup(prof.hq_country)}")
            if prof.tags:
                meta.append("tags: " + ", ".join(markup(t) for t in prof.tags))
            meta.append(f"record {prof.id}")
            located = any(c.locator for c in prof.cites)
            block: list[Flowable] = [head, self.p(" · ".join(meta) + ("" if located else " " + self.cites(prof.cites)),
                                                  st.note)]
            if located:
                block.append(self.p("Sources: " + self.cites(prof.cites, locators=True), st.small))
            self.out += block
            if isinstance(prof.label, str) and len(prof.label) > 300:
                self.out.append(self.p("Full name: " + self.t(prof.label, None), st.small))
            if prof.website:
                self.out.append(self.p(f"Website: {self.t(prof.website, None)}", st.small))
            if prof.description:
                self.out.append(self.p(self.t(prof.description, None), st.body))
            if len(prof.names) > 1:  # a single name is the heading already
                rows = [[self.cell(n.name, w - 240), self.cell(n.script, 90), self.cell(n.language, 50),
                         self.cell(n.kind, 100)] for n in prof.names]
                self.out += self.table(["Name", "Script", "Lang.", "Kind"], rows, [w - 240, 90, 50, 100])
            if prof.identifiers:
                rows = [[self.cell(i.scheme, 150), self.cell(i.value, w - 310, style=st.mono),
                         self.cell(i.status, 90), self.cell(i.country, 70)] for i in prof.identifiers]
                self.out += self.table(["Scheme", "Identifier", "Check", "Country"], rows,
                                       [150, w - 310, 90, 70])
            if prof.addresses:
                rows = [[self.cell(a.full, w - 170), self.cell(a.city, 100), self.cell(a.country, 70)]
                        for a in prof.addresses]
                self.out += self.table(["Address", "City", "Country"], rows, [w - 170, 100, 70])
            self._links_table("Links from this party", prof.links_out, outgoing=True)
            self._links_table("Links to this party", prof.links_in, outgoing=False)
            if prof.notes:
                self.out.append(self.p("Notes", st.h3))
                self.out.append(self.p(self.t(prof.notes, None), st.body))
            noted = [lid for lid in prof.links_out if d.links[lid].notes]
            for lid in noted:
                lk = d.links[lid]
                self.out.append(self.p(f"Note on “{self.link_text(lk)}” → {self.ref(lk.target_id)}: "
                                       f"{self.t(lk.notes, None)}", st.small))

    def _links_table(self, title: str, link_ids: Sequence[int], *, outgoing: bool) -> None:
        if not link_ids:
            return
        d, st, w = self.d, self.st, self.width
        rows = []
        for lid in link_ids:
            lk = d.links[lid]
            other = lk.target_id if outgoing else lk.source_id
            rows.append([self.link_cell(lk, 95), self.ref_cell(other, w - 345),
                         self.cell(lk.role, 95), self.cell(self.dates(lk.start_on, lk.end_on), 75),
                         self.cell(lk.grade, 32), self.cites_cell(lk.cites, 48)])
        self.out.append(self.p(title, st.h3))
        self.out += self.table(["Link", "From" if not outgoing else "To", "Role", "When", "Grade",
                                "Sources"], rows, [95, w - 345, 95, 75, 32, 48])

    def sec_compute(self) -> None:
        d, st, w = self.d, self.st, self.width
        comp = d.compute
        self.out.append(self.heading("sec-compute", "Compute inventory"))
        self.out.append(self.p(
            f"{comp.fleets:,} server fleet(s) with {markup(comp.accelerators_text)} accelerators and "
            f"{comp.total_tpp:,.0f} TPP in total (≈ {comp.h100_equivalents:,.0f} H100 SXM equivalents); "
            f"{comp.controlled_accelerators:,} accelerators are of models that classify as 3A090.a."
            + (f" {comp.unknown_fleets} fleet(s) have an unknown count or a model outside the catalog and "
               "are not fully counted." if comp.unknown_fleets else "")))
        if d.fleets:
            rows = []
            for f in d.fleets:
                who = []
                for label, ids in (("at", f.datacenters), ("owner", f.owners), ("operator", f.operators),
                                   ("used by", f.users)):
                    if ids:
                        who.append(f"{label} " + ", ".join(self.ref(r) for r in ids))
                model = markup(f.catalog_name or f.accelerator_model or "—")
                if f.accelerator_model and not f.catalog_name:
                    model += " <font color='#8b0000'>(not in catalog)</font>"
                count = "—"
                word = {"at_least": "≥ ", "about": "≈ ", "at_most": "≤ "}.get(f.qualifier, "")
                if f.accelerators is not None:
                    count = f"{word}{f.accelerators:,}"
                detail = []
                if f.server_count is not None:
                    detail.append(f"{word}{f.server_count:,} servers")
                if f.per_server is not None:
                    detail.append(f"× {f.per_server}")
                if detail:
                    count += f"<br/><font size=6.5 color='#666666'>{' '.join(detail)}</font>"
                tpp = (f"{f.tpp_each:,.0f} each" if f.tpp_each else "—") + (
                    f"<br/>{f.tpp_total:,.0f} total" if f.tpp_total else "")
                status = markup(f.status.replace("_", " ")) if f.status else ""
                for label, value in (("installed", f.installed_on), ("in service from", f.in_service_on)):
                    if value:
                        status += f"<br/>{label} {markup(value)}"
                if f.days_to_service is not None:
                    status += f"<br/>{f.days_to_service} days to service"
                rows.append([
                    Paragraph(self.anchor(f.id) + f"<b>{self.t(f.label, 300)}</b>", st.cell),
                    Paragraph(model, st.cell), Paragraph(count, st.cell), Paragraph(tpp, st.cell),
                    self.cell(f"{f.performance_density:.2f}" if f.performance_density else "—", 30),
                    Paragraph(markup(f.eccn), st.cell), Paragraph(status, st.cell),
                    self.cites_cell(f.cites, 48)])
                # The fleet's places and parties on a full-width second row.
                rows.append(["", Paragraph("; ".join(who) if who else "<font color='#777777'>No data center, "
                                           "owner, operator or user linked.</font>", st.small),
                             "", "", "", "", "", ""])
            self.out += self._paired_table(["Fleet", "Accelerator", "Count", "TPP", "PD", "ECCN*", "Status",
                                            "Sources"], rows, [w - 399, 58, 70, 68, 30, 50, 75, 48])
        else:
            self.out.append(self.p("No server fleets in this dossier."))
        self.out.append(self.p("* " + markup(d.eccn_note) + " PD: performance density (TPP per mm² of "
                               "logic die). Counts keep their qualifier: ≥ at least, ≈ about.", st.caption))
        dcs = [r for r in d.records.values() if r.kind == "datacenter"]
        if dcs:
            hosted: dict[int, list[int]] = {}
            for f in d.fleets:
                for dc in f.datacenters:
                    hosted.setdefault(dc, []).append(f.id)
            self.out.append(self.p("Data centers", st.h3))
            rows = [[Paragraph(self.anchor(dc.id) + self.t(dc.label, 300), st.cell),
                     Paragraph("; ".join(self.ref(x) for x in hosted.get(dc.id, [])) or "—", st.cell),
                     self.cites_cell(dc.cites, w * 0.1)] for dc in dcs]
            self.out += self.table(["Data center", "Fleets hosted", "Sources"], rows, [w * 0.45, w * 0.45, w * 0.1])

    def sec_contracts(self) -> None:
        d, st, w = self.d, self.st, self.width
        self.out.append(self.heading("sec-contracts", "Contracts and payments"))
        if not d.contracts and not d.wallets and not d.payments:
            self.out.append(self.p("No contracts, wallets or payments in this dossier."))
            return
        mono = self.f.mono
        for c in d.contracts:
            head = self.heading(f"rec-{c.id}", plain(c.label, limit=100), level=1, style=st.h2,
                                text=markup(c.label, self.f.bold, limit=300))
            if c.value:
                value = markup(c.value) + (f" {self.t(c.currency, 100)}" if c.currency else "")
            else:
                value = "amount not stated" + (f" (currency: {self.t(c.currency, 100)})" if c.currency else "")
            pairs = [
                ("Type", markup(c.contract_type)),
                ("Parties", "<br/>".join(f"{markup(role)}: {self.ref(pid)}" for pid, role in c.parties) or "—"),
                ("Value", value),
                ("Term", markup(self.dates(c.start_on, c.end_on)) or "not stated"),
                ("Chain", markup(c.chain)),
                ("Contract address", f'<font face="{mono}">{self.t(c.contract_address, 300)}</font>'
                 if c.contract_address else ""),
                ("Transaction hashes", "<br/>".join(f'<font face="{mono}">{self.t(h, 300)}</font>'
                                                    for h in c.tx_hashes)),
                ("Accelerators", f"{c.accelerator_count:,}" if c.accelerator_count is not None else ""),
                ("Covers", "; ".join(self.ref(r) for r in c.covers)),
                ("Sources", self.cites(c.cites, locators=True)),
            ]
            self.out += [head, self.facts(pairs, key_width=100)]
            if c.notes:
                self.out.append(self.p(self.t(c.notes, None), st.small))
        if d.wallets:
            self.out.append(self.p("Wallets", st.h2))
            rows = [[Paragraph(self.anchor(x.id) + self.t(x.label, 300)
                               + (" <font color='#8b0000'>(illustrative)</font>" if x.illustrative else ""),
                               st.cell),
                     self.cell(x.chain, 45), Paragraph(self.t(x.address, 300), st.mono),
                     self.cell(x.custodian, 60), self.cites_cell(x.cites, 48)] for x in d.wallets]
            self.out += self.table(["Wallet", "Chain", "Address", "Custodian", "Sources"], rows,
                                   [w - 368, 45, 215, 60, 48])
        if d.payments:
            self.out.append(self.p("Payments and funding", st.h2))
            rows = []
            for lid in d.payments:
                lk = d.links[lid]
                rows.append([self.ref_cell(lk.source_id, (w - 288) / 2), self.link_cell(lk, 50),
                             self.ref_cell(lk.target_id, (w - 288) / 2), self.cell(lk.role, 100),
                             self.cell(self.dates(lk.start_on, lk.end_on), 60), self.cell(lk.grade, 30),
                             self.cites_cell(lk.cites, 48)])
            self.out += self.table(["From", "Link", "To", "Role", "When", "Grade", "Sources"], rows,
                                   [(w - 288) / 2, 50, (w - 288) / 2, 100, 60, 30, 48])

    def sec_timeline(self) -> None:
        d, st, w = self.d, self.st, self.width
        self.out.append(self.heading("sec-timeline", "Timeline"))
        if not d.timeline:
            self.out.append(self.p("No dated events, links, installations or contract terms."))
            return
        self.out.append(self.p("Events, dated links, fleet installations and contract terms in date order. "
                               "Dates keep the precision the source gives (a year, a month or a day; "
                               "“about” when approximate). Sources of an event are those cited for the "
                               "record it concerns.", st.note))
        rows = [[self.cell(t.when, 78), self.cell(t.until, 62), self.cell(t.title, w - 228),
                 self.cell(t.source, 40), self.cites_cell(t.cites, 48)] for t in d.timeline]
        self.out += self.table(["When", "Until", "What", "Kind", "Sources"], rows,
                               [78, 62, w - 228, 40, 48])

    def sec_screening(self) -> None:
        d, st, w = self.d, self.st, self.width
        self.out.append(self.heading("sec-screening", "Screening hits and decisions"))
        if not d.hits:
            self.out.append(self.p("No screening hits are recorded for what this dossier covers: either "
                                   "screening has not been run, or it found no matches."))
            return
        rows = []
        for h in d.hits:
            decision = f"<b>{markup(h.status)}</b>"
            if h.decided_by or h.decided_at:
                decision += f"<br/>{markup(h.decided_by)} {markup(h.decided_at[:10])}"
            if h.reason:
                decision += f"<br/>{self.t(h.reason)}"
            rows.append([self.ref_cell(h.record_id, 95), self.cell(h.list_name, 70),
                         self.cell(h.entry_name, 95), self.cell(f"{h.score:.0f}", 32),
                         Paragraph(decision, st.cell), self.cell(h.explanation, w - 382)])
        self.out += self.table(["Record", "List", "Listed entry", "Score", "Decision", "Why it matched"],
                               rows, [95, 70, 95, 32, 90, w - 382],
                               extra=[("ALIGN", (3, 1), (3, -1), "RIGHT")])

    def sec_evidence(self) -> None:
        d, st, w = self.d, self.st, self.width
        self.out.append(self.heading("sec-evidence", "Evidence register"))
        if not d.evidence:
            self.out.append(self.p("No evidence in this dossier."))
            return
        self.out.append(self.p("Each source once, with the marker used in the text, its grade (source "
                               "reliability A–F; information credibility 1–6) and the SHA-256 of the stored "
                               "content, which <font face='%s'>casedesk verify</font> re-computes." % self.f.mono,
                               st.note))
        rows = []
        for e in d.evidence:
            who = [x for x in (self.t(e.source, 400), self.t(e.author, 200)) if x]
            rows.append([Paragraph(f'<a name="ev-{e.marker}"/><b>[E{e.marker}]</b>', st.cell),
                         Paragraph(f"<b>{self.t(e.title, 600)}</b>" + (f"<br/>{'; '.join(who)}" if who else ""),
                                   st.cell),
                         self.cell(e.kind, 45), self.cell(e.source_date, 70),
                         Paragraph(f"<b>{e.reliability}{e.credibility}</b> {markup(e.grade_text)}", st.cell),
                         self.cell(e.citations, 35)])
            size = f" · {e.size:,} bytes" if e.size is not None else ""
            name = f" · {self.t(e.filename, 200)}" if e.filename else ""
            rows.append(["", Paragraph(f'SHA-256 <font face="{self.f.mono}">{e.sha256}</font>{size}{name}',
                                       st.small), "", "", "", ""])
        self.out += self._paired_table(["Marker", "Title and source", "Kind", "Date", "Grade", "Cited"],
                                       rows, [40, w - 300, 45, 70, 110, 35])

    def _paired_table(self, header: Sequence[str], rows: list[list[Any]], widths: Sequence[float]) -> list[Flowable]:
        """A table of row pairs: each second row spans from the second column on; pairs never split."""
        out: list[Flowable] = []
        step = CHUNK_ROWS - CHUNK_ROWS % 2
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            extra = []
            for i in range(0, len(chunk), 2):
                extra += [("SPAN", (1, i + 2), (-1, i + 2)), ("NOSPLIT", (0, i + 1), (-1, i + 2)),
                          ("LINEBELOW", (0, i + 1), (-1, i + 1), 0.25, colors.white),
                          ("TOPPADDING", (0, i + 2), (-1, i + 2), 0)]
            out += self.table(header, chunk, widths, extra=extra)
        return out

    def sec_appendix(self) -> None:
        d, st, c = self.d, self.st, self.d.cover
        mono = self.f.mono
        self.out.append(self.heading("sec-appendix", "Appendix: verifying this dossier"))
        self.out.append(self.facts([
            ("Audit-chain head", f'entry {d.audit.entry_id:,} of {d.audit.entries:,}, recorded {markup(d.audit.at)}'),
            ("Head hash", f'<font face="{mono}">{d.audit.hash}</font>'),
            ("Workspace id", f'<font face="{mono}">{markup(c.workspace_uuid)}</font>'),
            ("Case id", str(c.case_id)),
            ("Scope", markup(c.scope)),
            ("Redaction profile", markup(c.redaction)),
            ("Classification", markup(c.marking)),
            ("Fonts", "DejaVu Sans, DejaVu Sans Mono and WenQuanYi Micro Hei, embedded"),
        ], key_width=110))
        steps = [
            f"Run <font face='{mono}'>casedesk --db WORKSPACE verify --json</font> on the workspace this "
            "dossier names. It re-computes every evidence hash and re-walks the audit chain; "
            "<font face='%s'>\"ok\": true</font> means nothing stored was altered." % mono,
            f"Run <font face='{mono}'>casedesk --db WORKSPACE verify --dossier THIS.pdf</font>. It reads the "
            "fingerprint this dossier carries in its metadata (workspace id, case id, audit entry and head "
            "hash) and checks that the workspace is the same one and that its audit chain still holds entry "
            f"{d.audit.entry_id:,} with the hash above. It also says whether the workspace changed after "
            "the dossier was made (a newer audit head).",
            "The evidence register lists the SHA-256 of every source; the same hash identifies the "
            "stored content in the workspace.",
            f"Re-running <font face='{mono}'>casedesk report</font> with the same options on an unchanged "
            "workspace gives a byte-identical PDF, so comparing the SHA-256 of two files shows whether they "
            "come from the same state.",
        ]
        self.out.append(self.p("How to check it", st.h3))
        for i, text in enumerate(steps, 1):
            self.out.append(Paragraph(text, ParagraphStyle(f"step{i}", parent=st.body, leftIndent=14,
                                                           bulletIndent=0), bulletText=f"{i}."))
        self.out.append(self.p(f'Fingerprint: <font face="{mono}" size=7>{markup(fingerprint_text(d))}</font>',
                               st.small))


# --- entry points ----------------------------------------------------------------------------

def fingerprint(d: Dossier) -> dict[str, str]:
    """The facts `casedesk verify --dossier` checks, as stored in the PDF's keywords."""
    return {"casedesk-dossier": "1", "workspace": d.cover.workspace_uuid, "case": str(d.cover.case_id),
            "audit-entry": str(d.audit.entry_id), "audit-head": d.audit.hash,
            "redaction": d.cover.redaction}


def fingerprint_text(d: Dossier) -> str:
    """The fingerprint as one line (the PDF keywords)."""
    return "; ".join(f"{k}={v}" for k, v in fingerprint(d).items())


def _pdf_date(at: str) -> str:
    digits = "".join(ch for ch in at[:19] if ch.isdigit())
    if len(digits) != 14:
        return "D:20000101000000+00'00'"
    return f"D:{digits}+00'00'"


def render_dossier(dossier: Dossier, path_or_stream: str | IO[bytes],
                   progress: ProgressCallback | None = None) -> int:
    """Render the dossier as a PDF to a path or binary stream; returns the number of pages.

    `progress` receives Progress steps; raising Cancelled from it stops the render.
    """
    fonts = dossier_fonts()
    d = dossier
    state = _State(sections=[_Section(k, t) for k, t in SECTIONS], marking=d.cover.marking,
                   footer_left=f"CaseDesk dossier · case {d.cover.case_id} · workspace "
                               f"{d.cover.workspace_uuid[:8]} · audit head {d.audit.hash[:12]}",
                   created=_pdf_date(d.audit.at))
    header = plain(d.cover.title, limit=110)
    state.header_left = [(font, text) for font, text, _ph in pieces(header, fonts.sans)]
    state.marking_runs = [(font, text) for font, text, _ph in pieces(d.cover.marking, fonts.bold)]
    story = _Story(d, fonts, state).build()
    total = len(story)

    def on_progress(kind: str, value: int) -> None:
        if progress is not None and kind == "PROGRESS":
            progress(Progress(min(value, total), total, "Laying out pages"))

    if progress is not None:
        progress(Progress(0, total, "Laying out pages"))
    doc = _DocTemplate(path_or_stream, state, fonts, title=plain(d.cover.title, limit=300),
                       author=plain(d.cover.author, limit=200) or None, subject=f"CaseDesk dossier, case {d.cover.case_id}",
                       keywords=fingerprint_text(d), creator=f"CaseDesk {__version__}")
    if progress is not None:
        doc.setProgressCallBack(on_progress)

    def canvasmaker(*args: Any, **kw: Any) -> _DossierCanvas:
        canv = _DossierCanvas(*args, **kw)
        canv.state = state
        canv.setDateFormatter(lambda *_a: state.created)
        return canv

    doc.build(story, canvasmaker=canvasmaker)
    return state.pages


def render_bytes(dossier: Dossier, progress: ProgressCallback | None = None) -> tuple[bytes, int]:
    """Render to memory: (PDF bytes, page count)."""
    buffer = io.BytesIO()
    pages = render_dossier(dossier, buffer, progress)
    return buffer.getvalue(), pages

