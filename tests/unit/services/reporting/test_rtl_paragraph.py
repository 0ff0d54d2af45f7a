"""Right-to-left paragraphs that wrap: first logical line on top, lines inside the frame, right-aligned."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from casedesk.services.reporting.fonts import dossier_fonts
from casedesk.services.reporting.model import Redacted, Scrubbed
from casedesk.services.reporting.rtl_paragraph import RtlParagraph, layout, record_paragraph
from casedesk.services.reporting.text import markup

WIDTH = 300.0  # points: the frame the test paragraph gets


def _style() -> ParagraphStyle:
    return ParagraphStyle("body", fontName=dossier_fonts().sans, fontSize=9, leading=12.5)


def _render(*flowables: Flowable) -> bytes:
    out = io.BytesIO()
    # A frame of WIDTH points (the frame's own padding is 6 points each side).
    doc = SimpleDocTemplate(out, pagesize=(WIDTH + 12 + 72, 842), leftMargin=36, rightMargin=36)
    doc.build(list(flowables))
    return out.getvalue()


def _drawn_lines(data: bytes) -> list[str]:
    """The page's text lines in the order glyphs are drawn (pypdf layout mode), top first."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    return [line.strip() for line in page.extract_text(extraction_mode="layout").splitlines() if line.strip()]


def _logical_words(drawn_line: str) -> list[str]:
    """A right-to-left line drawn left to right, read back from the right: its logical words."""
    return [unicodedata.normalize("NFKC", word[::-1]) for word in reversed(drawn_line.split())]


def test_a_long_arabic_paragraph_reads_top_down_from_its_first_words(arabic):
    assert len(arabic) > 350
    lines = _drawn_lines(_render(RtlParagraph(arabic, _style())))
    assert len(lines) >= 4  # it really wraps
    words = [w for line in lines for w in _logical_words(line)]
    assert words == arabic.split()  # every line in logical order, the first one on top
    assert _logical_words(lines[0])[:3] == ["تقوم", "شركة", "الحوسبة"]
    assert _logical_words(lines[-1])[-1] == "عامين."


def test_the_old_way_reads_bottom_up(arabic):
    # The test above can fail: ordering the whole paragraph before ReportLab wraps it puts the
    # last words on top.
    lines = _drawn_lines(_render(Paragraph(markup(arabic), _style())))
    assert _logical_words(lines[0])[-1] == "عامين."


def test_no_line_is_wider_than_the_frame_and_reportlab_breaks_none_again(arabic):
    flowable = RtlParagraph(arabic, _style())
    flowable.wrap(WIDTH, 1000)
    para = flowable.laid_out(WIDTH)
    laid = para.text.count("<br/>") + 1
    assert len(para.blPara.lines) == laid  # each line we laid out is drawn as one line
    kind = para.blPara.kind
    widths = [WIDTH - (ln[0] if kind == 0 else ln.extraSpace) for ln in para.blPara.lines]
    assert max(widths) <= WIDTH + 1e-6
    assert min(widths[:-1]) > WIDTH * 0.7  # and the lines are filled, not broken early


def test_a_right_to_left_paragraph_is_right_aligned_and_a_left_to_right_one_is_not(arabic):
    rtl = RtlParagraph(arabic, _style())
    rtl.wrap(WIDTH, 1000)
    assert rtl.laid_out(WIDTH).style.alignment == TA_RIGHT
    mixed = RtlParagraph("Note: the company شركة الحوسبة السحابية rents servers. " * 5, _style())
    mixed.wrap(WIDTH, 1000)
    assert mixed.laid_out(WIDTH).style.alignment == TA_LEFT


def test_a_short_name_keeps_the_markup_it_has_today():
    name = "شركة الحوسبة السحابية"
    text, rtl = layout(name, _style(), WIDTH)
    assert rtl and text == markup(name)
    assert record_paragraph("Plain Ltd", _style()).text == markup("Plain Ltd")


def test_mixed_text_with_a_bidi_override_keeps_its_placeholder_and_cannot_reorder_the_line():
    text = "\u202egnp.exe\u202c شركة الحوسبة السحابية في دبي Dubai Servers LLC " * 8
    lines = _drawn_lines(_render(RtlParagraph(text, _style())))
    joined = "\n".join(lines)
    assert joined.count("⟨RLO⟩") == 8 and joined.count("⟨PDF⟩") == 8
    assert "gnp.exe" in joined and "exe.png" not in joined  # the override did not act
    assert joined.count("Dubai Servers LLC") == 8  # Latin runs stay left to right


def test_withheld_parts_and_the_cut_note_survive_the_layout(arabic):
    value = Scrubbed((arabic[:200], Redacted("secret"), arabic[200:]))
    text, _rtl = layout(value, _style(), WIDTH, limit=300)
    assert text.count('backColor="#000000"') == 1
    assert "more characters]" in text
    assert "secret" not in text


@pytest.mark.parametrize("value", ["", "Latin only " * 40])
def test_text_without_right_to_left_letters_is_an_ordinary_paragraph(value):
    assert type(record_paragraph(value, _style())) is Paragraph


def test_a_paragraph_longer_than_a_page_continues_on_the_next_page_in_order(arabic):
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=(WIDTH + 12 + 72, 300)).build([RtlParagraph(arabic * 6, _style())])
    pages = PdfReader(io.BytesIO(out.getvalue())).pages
    assert len(pages) >= 2
    lines = [line.strip() for page in pages
             for line in page.extract_text(extraction_mode="layout").splitlines() if line.strip()]
    assert [w for line in lines for w in _logical_words(line)] == (arabic * 6).split()


def test_a_long_right_to_left_table_cell_wraps_in_order(arabic):
    from reportlab.platypus import Table

    cell = record_paragraph(arabic, _style())
    lines = _drawn_lines(_render(Table([["Address", cell]], colWidths=[60, WIDTH - 60])))
    words = [w for line in lines for w in _logical_words(line.replace("Address", ""))]
    assert words == arabic.split()


def test_a_right_to_left_word_wider_than_the_frame_is_cut_in_order_and_quickly():
    import time

    word = "ابجدهوزحطيكلمنسعفصقرشتثخذضظغ" * 100  # 2,800 letters without a space
    flowable = RtlParagraph(word, _style())
    start = time.perf_counter()
    flowable.wrap(WIDTH, 10_000)
    assert time.perf_counter() - start < 2
    para = flowable.laid_out(WIDTH)
    assert len(para.blPara.lines) == para.text.count("<br/>") + 1 > 10
    kind = para.blPara.kind
    assert all((ln[0] if kind == 0 else ln.extraSpace) >= -1e-6 for ln in para.blPara.lines)
    lines = _drawn_lines(_render(RtlParagraph(word, _style())))
    assert "".join(unicodedata.normalize("NFKC", line[::-1]) for line in lines) == word
