"""The one table of characters that draw nothing or reorder text."""

from __future__ import annotations

import pytest

from casedesk.domain.invisible import describe_hidden, has_hidden, hidden_name, reveal


@pytest.mark.parametrize(
    "ch, name",
    [
        ("\u200b", "ZWSP"), ("\u200c", "ZWNJ"), ("\u200d", "ZWJ"), ("\u2060", "WJ"),
        ("\ufeff", "BOM"), ("\u200e", "LRM"), ("\u200f", "RLM"), ("\u061c", "ALM"),
        ("\u202a", "LRE"), ("\u202b", "RLE"), ("\u202c", "PDF"), ("\u202d", "LRO"),
        ("\u202e", "RLO"), ("\u2066", "LRI"), ("\u2067", "RLI"), ("\u2068", "FSI"),
        ("\u2069", "PDI"), ("\x00", "NUL"), ("\u00ad", "SHY"),
        ("\u2061", "U+2061"),  # any other format character (category Cf), by code point
        ("\x9b", "U+009B"),  # any other control
    ],
)
def test_hidden_characters_have_a_name(ch, name):
    assert hidden_name(ch) == name


def test_visible_text_and_layout_characters_are_left_alone():
    for text in ("PayPal Ltd", "华为技术有限公司", "شركة", "a\tb\nc\r\n", "Müller\u00a0GmbH"):
        assert not has_hidden(text) and reveal(text) == text


def test_reveal_and_describe():
    assert reveal("pay\u200bpal") == "pay⟨ZWSP⟩pal"
    assert describe_hidden("pay\u200bpal") == ["U+200B ZERO WIDTH SPACE (ZWSP) at character 4"]
