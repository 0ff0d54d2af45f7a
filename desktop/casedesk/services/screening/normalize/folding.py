"""Character-level folding: width (NFKC), C1 repair, invisible characters, case, traditional→simplified."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Names longer than this are cut before processing: no real name is this long, and a megabyte
# paste must neither stall screening nor match everything.
MAX_NAME_CHARS = 400
# Lower-case ASCII tokens of folded text.
LATIN_TOKEN_RE = re.compile(r"[a-z0-9]+")
_ASCII_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_C1_RE = re.compile(r"[\x80-\x9f]")


@lru_cache(maxsize=1)
def simplified_table() -> dict[int, str]:
    """Traditional→simplified character table from the opencc package's own dictionaries.

    Character-level folding (str.translate) rather than opencc's phrase conversion: names are
    compared, not published, and this is ~100× faster on a million names.

    TSCharacters maps traditional to simplified. The HK/TW *Rev* tables map a regional variant
    to OpenCC's standard traditional form, which is then folded to simplified; a variant whose
    simplified form is itself (核: the HK form of standard 覈, and the simplified of both) is left
    alone. Chasing the variant tables blindly once sent 38 simplified characters (核, 台, 温, 才,
    户 …) to traditional ones. The result is idempotent: folding folded text changes nothing.
    """
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"

    def pairs(fname: str) -> dict[str, str]:
        path = folder / fname
        out: dict[str, str] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) == 2:
                    src, dst = parts[0], parts[1].split(" ")[0]
                    if len(src) == 1 and len(dst) == 1 and src != dst:
                        out.setdefault(src, dst)
        return out

    ts = pairs("TSCharacters.txt")
    table: dict[int, str] = {ord(k): v for k, v in ts.items()}
    for fname in ("HKVariantsRev.txt", "TWVariantsRev.txt"):
        for variant, standard in pairs(fname).items():
            simple = ts.get(standard, standard)
            if simple != variant:
                table.setdefault(ord(variant), simple)
    # A target that is itself folded further (rare chains in TSCharacters): follow to the end.
    for key, value in list(table.items()):
        seen = {key}
        while ord(value) in table and ord(value) not in seen:
            seen.add(ord(value))
            value = table[ord(value)]
        table[key] = value
    return {k: v for k, v in table.items() if chr(k) != v}


def _c1_to_cp1252(ch: str) -> str:
    try:
        return bytes([ord(ch)]).decode("cp1252")
    except UnicodeDecodeError:
        return " "


def fold_text(text: str) -> str:
    """NFKC (full/half width), cp1252 C1 controls repaired, controls dropped, case folded, T→S."""
    if not isinstance(text, str):
        return ""
    text = text[: MAX_NAME_CHARS * 2]
    if text.isascii():  # fast path: ASCII is NFKC-stable and has no Han to fold
        return _ASCII_CONTROL_RE.sub(" ", text).casefold()
    if _C1_RE.search(text):
        text = _C1_RE.sub(lambda m: _c1_to_cp1252(m.group()), text)
    text = unicodedata.normalize("NFKC", text)
    drop, space = _control_res()
    text = space.sub(" ", drop.sub("", text))
    return text.casefold().translate(simplified_table())


@lru_cache(maxsize=1)
def _control_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Regexes of invisible characters to drop (Cf, Cs, Co) and controls to blank (Cc, Zl, Zp),
    built once from the Unicode database: a per-character category() call costs ~1 µs a char."""
    drop: list[int] = []
    space: list[int] = []
    # Format characters live in planes 0, 1 and 14; planes 15-16 are private use (added whole).
    for cp in [*range(0x20000), *range(0xE0000, 0xE1000)]:
        cat = unicodedata.category(chr(cp))
        if cat in ("Cf", "Cs", "Co"):
            drop.append(cp)  # type: ignore[arg-type]
        elif cat in ("Cc", "Zl", "Zp"):
            space.append(cp)  # type: ignore[arg-type]

    def char_class(cps: list) -> str:
        ranges, start, prev = [], None, None
        for cp in cps:
            if start is None:
                start = prev = cp
            elif cp == prev + 1:
                prev = cp
            else:
                ranges.append((start, prev))
                start = prev = cp
        if start is not None:
            ranges.append((start, prev))
        return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}"
                             for a, b in ranges) + "]"

    drop.extend(range(0xF0000, 0x110000))
    return re.compile(char_class(drop)), re.compile(char_class(space))


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

TONE_MARKS = str.maketrans({
    **{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěèế"}, **{c: "i" for c in "īíǐì"},
    **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "v" for c in "üǖǘǚǜ"},
    "ń": "n", "ň": "n", "ǹ": "n", "ḿ": "m", "̄": "", "́": "", "̌": "", "̀": "",
})
