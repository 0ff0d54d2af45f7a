"""Literal text: user strings never become ReportLab markup, invisible characters become visible."""

from __future__ import annotations

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from casedesk.services.reporting.fonts import dossier_fonts
from casedesk.services.reporting.model import Redacted, Scrubbed
from casedesk.services.reporting.redaction import Scrubber, get_profile, redaction_profiles
from casedesk.services.reporting.text import fits_plain, markup, pieces, plain

HOSTILE = ["<font name='Courier' size=40>Big</font>", "<para>x</para>", "a < b & c > d", "&amp; &#x41; &lt;",
           "Nul\x00Byte", "\u202eevil\u202c", "😀🦊", "<br/>", "<img src='/etc/passwd'/>", "]]>", "\x1b[31m"]


def _paragraph_text(markup_text: str) -> str:
    """The text ReportLab will draw for the markup (its fragments, joined)."""
    f = dossier_fonts()
    para = Paragraph(markup_text, ParagraphStyle("t", fontName=f.sans))
    return "".join(getattr(frag, "text", "") for frag in para.frags)


@pytest.mark.parametrize("text", HOSTILE)
def test_markup_of_hostile_text_parses_and_draws_no_tag(text):
    drawn = _paragraph_text(markup(text))
    for ch in "<>&":
        assert drawn.count(ch) == text.count(ch)  # every markup character drawn, none interpreted


def test_markup_shows_the_text_literally():
    assert _paragraph_text(markup("<font name='Courier'>X</font> & Co")) == "<font name='Courier'>X</font> & Co"
    assert _paragraph_text(markup("&amp; stays &amp;")) == "&amp; stays &amp;"


def test_invisible_and_reordering_characters_become_visible_placeholders():
    text = _paragraph_text(markup("A\x00B\u202eC\u202cD\x07"))
    assert text == "A⟨NUL⟩B⟨RLO⟩C⟨PDF⟩D⟨BEL⟩"
    assert "\u202e" not in text and "\x00" not in text


def test_emoji_and_symbols_beyond_the_bmp_are_drawn_in_a_font_that_has_them():
    f = dossier_fonts()
    assert _paragraph_text(markup("Fox 🦊 😀 𝐁")) == "Fox 🦊 😀 𝐁"
    for run_font, run, is_placeholder in pieces("Fox 🦊 😀 𝐁", f.sans):
        assert not is_placeholder
        assert all(f.covers(run_font, ch) for ch in run)  # every glyph exists in its run's font
    assert (f.emoji, "🦊", False) in list(pieces("Fox 🦊", f.sans))


def test_only_characters_no_font_has_become_code_point_placeholders():
    # An Egyptian hieroglyph (no shipped font), private use and a lone surrogate.
    assert _paragraph_text(markup("A\U00013000B\ue000C\ud800")) == "A⟨U+13000⟩B⟨U+E000⟩C⟨U+D800⟩"


def test_arabic_is_joined_and_right_to_left_lines_are_in_display_order():
    import unicodedata

    f = dossier_fonts()
    name = "شركة الحوسبة"
    runs = list(pieces(name, f.sans))
    drawn = "".join(run for _f, run, _p in runs)
    assert all("\ufe70" <= ch <= "\ufeff" or ch == " " for ch in drawn)  # contextual forms, joined
    assert drawn[-1] == "\ufeb7"  # the line starts (at the right) with sheen in its initial form
    assert unicodedata.normalize("NFKC", drawn)[::-1] == name
    assert all(f.covers(font, ch) for font, run, _p in runs for ch in run)
    assert "".join(run for _f, run, _p in pieces("لا", f.sans)) == "\ufefb"  # lam-alef ligature
    # Hebrew with a number and brackets: the number reads left to right, brackets mirror.
    assert "".join(r for _f, r, _p in pieces("שלום (עולם) 2024", f.sans)) == "2024 (םלוע) םולש"
    # Latin with an Arabic word: only the Arabic run turns around.
    mixed = "".join(r for _f, r, _p in pieces("Ltd شركة Co", f.sans))
    assert mixed.startswith("Ltd ") and mixed.endswith(" Co")
    # Outlines and metadata keep the logical order: the viewer lays them out.
    assert plain(name) == name


def test_a_bidi_override_inside_right_to_left_text_stays_a_visible_placeholder():
    f = dossier_fonts()
    runs = list(pieces("שלום\u202eabc", f.sans))
    assert ("CaseDesk-Sans", "⟨RLO⟩", True) in [(f.sans, r, p) for _f, r, p in runs]
    assert "abc" in "".join(r for _f, r, _p in runs)  # not reversed by the override


def test_cjk_runs_switch_to_the_cjk_font_and_back():
    f = dossier_fonts()
    runs = list(pieces("Beijing 北京 Ltd", f.sans))
    assert runs == [(f.sans, "Beijing ", False), (f.cjk, "北京", False), (f.sans, " Ltd", False)]
    assert f'<font face="{f.cjk}">北京</font>' in markup("Beijing 北京 Ltd")


def test_newlines_become_line_breaks_and_long_text_is_cut_with_a_count():
    assert markup("a\r\nb\nc") == "a<br/>b<br/>c"
    cut = markup("x" * 50, limit=10)
    assert cut.startswith("x" * 10) and "40 more characters" in cut


def test_withheld_values_are_boxes_without_text():
    box = markup(Redacted("person name"))
    assert "person" not in box and "backColor" in box
    mixed = markup(Scrubbed(("Owned by ", Redacted(), " since 2020")))
    assert mixed.startswith("Owned by ") and mixed.endswith(" since 2020")
    assert plain(Scrubbed(("Owned by ", Redacted()))) == "Owned by [withheld]"


def test_fits_plain_only_for_one_line_in_the_font():
    f = dossier_fonts()
    assert fits_plain("Plain Ltd", f.sans)
    assert not fits_plain("北京", f.sans)
    assert not fits_plain("a\nb", f.sans)
    assert not fits_plain("a\x00b", f.sans)
    assert not fits_plain(Redacted(), f.sans)


def test_scrubber_blacks_out_terms_as_words_and_inside_cjk_text():
    scrub = Scrubber(["Derek Aw", "Aw", "张伟明", "x"])
    out = scrub.text("Aw's company paid derek aw; Awesome Ltd; 据张伟明说")
    assert isinstance(out, Scrubbed)
    kept = "".join(p for p in out.parts if isinstance(p, str))
    assert "Awesome Ltd" in kept
    assert "derek aw" not in kept.lower().replace("awesome", "")
    assert "张伟明" not in kept and kept.endswith("据说")
    assert scrub.text("nothing here") == "nothing here"  # untouched text stays a plain string


def test_redaction_profiles_load_with_the_three_shipped_profiles():
    profiles = redaction_profiles()
    assert list(profiles)[:3] == ["none", "sensitive", "external"]
    assert get_profile("external").hides("person_names")
    assert get_profile("sensitive").omit_sensitive and not get_profile("none").omit_sensitive
