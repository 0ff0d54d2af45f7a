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
from typing import IO, Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from casedesk import __version__
from casedesk.services.progress import Progress
from casedesk.services.reporting.case_sections import CaseSections
from casedesk.services.reporting.entry_helpers import show_day
from casedesk.services.reporting.fingerprint import fingerprint_text
from casedesk.services.reporting.flowables import (
    _Contents,
    _DocTemplate,
    _DossierCanvas,
    _Heading,
    _Line,
    _Section,
    _State,
    _styles,
)
from casedesk.services.reporting.fonts import FontSet, dossier_fonts
from casedesk.services.reporting.model import Cite, Dossier, LinkEntry, Redacted, Scrubbed, Text
from casedesk.services.reporting.page_style import (
    CELL_LIMIT,
    CHUNK_ROWS,
    GRID,
    HEAD_BG,
    INK,
    MARGIN_X,
    PAGE,
    REDACTION_BOX,
    REF_LIMIT,
    SEVERITY_COLOURS,
    Run,
)
from casedesk.services.reporting.profile_sections import ProfileSections
from casedesk.services.reporting.rtl_paragraph import record_paragraph
from casedesk.services.reporting.text import PLACEHOLDER_COLOR, fits_plain, markup, pieces, plain

ProgressCallback = Callable[[Progress], None]


# --- the story -------------------------------------------------------------------------------

SECTIONS = (("summary", "Executive summary"), ("findings", "Findings"), ("questions", "Open questions"),
            ("chart", "Link chart"),
            ("parties", "Party profiles"), ("compute", "Compute inventory"),
            ("contracts", "Contracts and payments"), ("timeline", "Timeline"),
            ("screening", "Screening hits and decisions"), ("evidence", "Evidence register"),
            ("appendix", "Appendix: verifying this dossier"))


class _Story(CaseSections, ProfileSections):
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

    def record_p(self, value: Text, style: ParagraphStyle | None = None, limit: int | None = None) -> Flowable:
        """A paragraph of one record text; right-to-left text is wrapped before it is ordered."""
        return record_paragraph(value, style or self.st.body, limit)

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
        return line if line is not None else record_paragraph(value, style, limit)

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
        """A term in words: '1 June 2024 – July 2025', 'from June 2024', 'until 2025'."""
        start, end = show_day(start), show_day(end)
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


    def contents(self) -> None:
        self.out += [self.heading("sec-contents", "Contents"), Spacer(1, 4),
                     _Contents(self.state.sections, self.f), PageBreak()]


    def _severity(self, severity: str) -> str:
        colour = SEVERITY_COLOURS.get(severity, "#555555")
        return f'<font color="{colour}"><b>{markup(severity.upper())}</b></font>'


# --- entry points ----------------------------------------------------------------------------

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
