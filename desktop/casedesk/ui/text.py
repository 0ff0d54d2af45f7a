"""User text made safe to display: shortened, control characters made visible, bidi text isolated.

Names are ordinary data even when hostile: a 1 MB label, a right-to-left override (U+202E) that
would flip the rest of a line, a NUL byte. Views never lay out more than a few hundred
characters, and text with any bidi content is wrapped in FSI…PDI with its own unmatched
controls neutralised, so it cannot reorder what is drawn around it.
"""

from __future__ import annotations

import unicodedata

DISPLAY_LIMIT = 300
_ISOLATE_OPEN = {"\u2066", "\u2067", "\u2068"}  # LRI, RLI, FSI
_PDI = "\u2069"
_EMBED_OPEN = {"\u202a", "\u202b", "\u202d", "\u202e"}  # LRE, RLE, LRO, RLO
_PDF = "\u202c"
_BIDI_CONTROLS = _ISOLATE_OPEN | _EMBED_OPEN | {_PDI, _PDF, "\u200e", "\u200f", "\u061c"}
_RTL_CLASSES = {"R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"}


def shorten(text: str | None, limit: int = DISPLAY_LIMIT) -> str:
    """At most `limit` characters, with an ellipsis when cut."""
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str | None, limit: int = DISPLAY_LIMIT) -> str:
    """Shortened, on one line, with control characters shown as visible symbols."""
    text = shorten(text, limit + 1)
    if text.isprintable():  # the common case, checked in C: nothing to replace
        return shorten(text, limit)
    out = []
    for ch in text:
        if ch in "\r\n\t\v\f\u2028\u2029\x85":
            out.append(" ")
        elif ch == "\x00":
            out.append("\u2400")  # ␀
        elif unicodedata.category(ch) == "Cc":
            out.append("\ufffd")
        else:
            out.append(ch)
    return shorten("".join(out), limit)


def needs_isolation(text: str) -> bool:
    """True when the text holds right-to-left letters or explicit bidi controls."""
    if text.isascii():  # no ASCII character is right-to-left or a bidi control
        return False
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def isolate(text: str) -> str:
    """Wrap text in FSI…PDI, dropping its unmatched PDIs/PDFs and closing what it leaves open."""
    if not needs_isolation(text):
        return text
    out, isolates, embeds = [], 0, 0
    for ch in text:
        if ch in _ISOLATE_OPEN:
            isolates += 1
        elif ch == _PDI:
            if isolates == 0:
                continue  # would close our own isolate early
            isolates -= 1
            embeds = 0  # a PDI also ends embeddings opened inside its isolate
        elif ch in _EMBED_OPEN:
            embeds += 1
        elif ch == _PDF:
            if embeds == 0:
                continue
            embeds -= 1
        out.append(ch)
    out.append(_PDF * embeds if isolates == 0 else "")
    out.append(_PDI * isolates)
    return "\u2068" + "".join(out) + _PDI


def display(text: str | None, limit: int = DISPLAY_LIMIT) -> str:
    """What a table cell, chart label or list shows for a user string."""
    return isolate(one_line(text, limit))


def plain(text: str | None, limit: int = 60) -> str:
    """Text for menus and messages: one line, bidi controls removed, shortened."""
    return "".join(ch for ch in one_line(text, limit) if ch not in _BIDI_CONTROLS)


def quoted(text: str | None, limit: int = 40) -> str:
    """A user string quoted for menu text, e.g. ‘Derek Aw’."""
    return f"\u2018{plain(text, limit)}\u2019"
