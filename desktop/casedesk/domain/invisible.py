"""Characters that draw nothing or reorder text: kept in the data, named wherever text is shown.

"pay\u200bpal" is not "paypal", and a right-to-left override can make "exe.gnp" read "png.exe".
Such characters are stored as given (they may be evidence: a registry copy-paste, a spoof) and
shown as a short name in angle brackets, the same in the dossier and in the inspector.

Which characters: every control (Unicode category Cc, except tab and line ends, which the views
lay out) and every format character (category Cf: zero-width space and joiners, word joiner,
byte-order mark, soft hyphen, the bidi embeddings, overrides, isolates and marks, …), plus the
two noncharacters U+FFFE/U+FFFF. Categories rather than a list, so a format character added to
Unicode later is caught too; the table only gives the common ones a readable name.
"""

from __future__ import annotations

import unicodedata

NAMES = {
    0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL",
    0x00AD: "SHY", 0x061C: "ALM", 0x180E: "MVS",
    0x200B: "ZWSP", 0x200C: "ZWNJ", 0x200D: "ZWJ", 0x200E: "LRM", 0x200F: "RLM",
    0x202A: "LRE", 0x202B: "RLE", 0x202C: "PDF", 0x202D: "LRO", 0x202E: "RLO",
    0x2060: "WJ", 0x2066: "LRI", 0x2067: "RLI", 0x2068: "FSI", 0x2069: "PDI",
    0xFEFF: "BOM", 0xFFFE: "U+FFFE", 0xFFFF: "U+FFFF",
}
_LAID_OUT = frozenset("\t\n\r")  # shown by layout (a tab, a line break), not as a name
OPEN, CLOSE = "\u27e8", "\u27e9"  # ⟨ ⟩: drawn by every shipped font, never in a real name


def hidden_name(ch: str) -> str | None:
    """The short name of a character that draws nothing or reorders text ('ZWSP'), else None."""
    cp = ord(ch)
    name = NAMES.get(cp)
    if name is not None:
        return name
    if ch in _LAID_OUT:
        return None
    if unicodedata.category(ch) in ("Cc", "Cf"):
        return f"U+{cp:04X}"
    return None


def has_hidden(text: str) -> bool:
    """True when the text holds a character hidden_name names."""
    if text.isprintable():  # checked in C; every named character is unprintable
        return False
    return any(hidden_name(ch) is not None for ch in text)


def marker(name: str) -> str:
    """How a hidden character is shown: ⟨ZWSP⟩."""
    return f"{OPEN}{name}{CLOSE}"


def reveal(text: str) -> str:
    """The text with every hidden character shown as its marker ("pay⟨ZWSP⟩pal")."""
    if not has_hidden(text):
        return text
    return "".join(marker(n) if (n := hidden_name(ch)) is not None else ch for ch in text)


def describe_hidden(text: str) -> list[str]:
    """One line per hidden character: 'U+200B ZERO WIDTH SPACE (ZWSP) at character 4'."""
    out = []
    for i, ch in enumerate(text, 1):
        name = hidden_name(ch)
        if name is not None:
            long = unicodedata.name(ch, "control character")
            short = f" ({name})" if not name.startswith("U+") else ""
            out.append(f"U+{ord(ch):04X} {long}{short} at character {i:,}")
    return out
