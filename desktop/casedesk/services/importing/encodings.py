"""A text file's encoding, decided per file with evidence: (codec, the evidence in words).

Order: a byte-order mark; UTF-16 without one; UTF-8 when the sample is valid UTF-8, or nearly so
(many valid multi-byte characters, a few bad bytes: the rows holding them are rejected); else
the legacy encodings of import_settings.yaml that decode the sample cleanly, the implausible
readings dropped (see `implausibility`), charset-normalizer choosing among the rest.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from casedesk.domain.errors import ValidationError
from casedesk.services.importing.settings import import_settings

# How encodings are named to people (codec names otherwise).
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32": "UTF-32",
    "gb18030": "GB18030",
    "cp950": "Big5 (Windows code page 950)",
    "big5": "Big5",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
    "shift_jis": "Shift JIS",
    "euc_kr": "EUC-KR",
    "cp1251": "Windows-1251",
}
# A sample with a few invalid bytes is still UTF-8 when it holds at least this many valid
# multi-byte characters per invalid byte: legacy text (Windows-1252 accents, GBK or Big5 pairs)
# almost never forms valid UTF-8 sequences by chance, so there the ratio is far below 1.
UTF8_EVIDENCE_RATIO = 4
# "Nearly UTF-8" evidence in words starts with this (the reader then rejects rows with bad bytes).
NEARLY_UTF8 = "UTF-8 with"

_SURROGATE = re.compile("[\udc80-\udcff]")


def name_of(codec: str | None) -> str:
    """An encoding as people name it."""
    return ENCODING_NAMES.get(codec or "", codec or "?")


def normalise_encoding(name: str) -> str:
    """A Python codec name for an encoding name, widened to the superset real files use."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise ValidationError("encoding", f"unknown text encoding {name!r}") from None
    # GB2312 and GBK files are GB18030 files; Windows writes Big5 as code page 950, which decodes
    # every Big5 byte pair plus the euro sign and the ETEN extensions.
    return {
        "gb2312": "gb18030",
        "gbk": "gb18030",
        "hz": "gb18030",
        "big5": "cp950",
        "ascii": "utf-8",
    }.get(codec, codec)


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on every other position (UTF-16 text), else None."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def utf8_counts(data: bytes) -> tuple[int, int]:
    """(valid multi-byte UTF-8 characters, invalid bytes) in the data."""
    text = data.decode("utf-8", errors="surrogateescape")
    invalid = len(_SURROGATE.findall(text))
    non_ascii = sum(1 for ch in text if ord(ch) > 127) if not text.isascii() else 0
    return non_ascii - invalid, invalid


def has_bad_bytes(text: str) -> bool:
    """True when text decoded with errors='surrogateescape' holds a byte that was not valid."""
    return _SURROGATE.search(text) is not None


def bad_bytes(text: str) -> list[int]:
    """The invalid bytes that surrogateescape kept in text."""
    return [ord(m.group()) - 0xDC00 for m in _SURROGATE.finditer(text)]


def replace_bad_bytes(text: str) -> str:
    """Text with each kept invalid byte as U+FFFD (for previews, rejects files and messages)."""
    return _SURROGATE.sub("\ufffd", text)


def cut_at_line_end(data: bytes) -> bytes:
    """The bytes up to and including the last line end (whole sample if there is none)."""
    end = max(data.rfind(b"\n"), data.rfind(b"\r"))
    return data[: end + 1] if end > 0 else data


def detect_encoding(head: bytes, pieces: list[bytes] | tuple[bytes, ...] = ()) -> tuple[str, str]:
    """(codec, evidence) for a file's first bytes plus a few line-aligned pieces further in."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return name, "byte order mark"
    wide = utf16_without_bom(head)
    if wide:
        return wide, "detected"
    data = b"\n".join([cut_at_line_end(head), *pieces])
    valid, invalid = utf8_counts(data)
    if invalid == 0:
        return "utf-8", "valid UTF-8"
    if valid >= UTF8_EVIDENCE_RATIO * invalid:
        return "utf-8", (
            f"{NEARLY_UTF8} {valid:,} valid multi-byte characters and {_bytes(invalid)} "
            "not valid in the sample"
        )
    return _legacy(data, valid, invalid)


def _legacy(data: bytes, valid: int, invalid: int) -> tuple[str, str]:
    """The most plausible legacy encoding that decodes the data cleanly, with the evidence."""
    candidates: list[str] = []
    for name in import_settings().detect_encodings:
        codec = normalise_encoding(name)
        if codec not in candidates and not codec.startswith("utf"):
            candidates.append(codec)
    readings: dict[str, float] = {}
    for codec in candidates:
        try:
            readings[codec] = implausibility(data.decode(codec))
        except UnicodeDecodeError:
            continue
    if not readings:
        raise ValidationError(
            "encoding",
            f"cannot tell the file's text encoding: it is not UTF-8 ({_bytes(invalid)} invalid, "
            f"{valid:,} valid multi-byte characters) and no encoding of "
            f"{', '.join(name_of(c) for c in candidates)} decodes it; choose one",
        )
    best = min(readings.values())
    plausible = [c for c, score in readings.items() if score <= best + 0.02]
    chosen = plausible[0]
    if len(plausible) > 1:
        from charset_normalizer import from_bytes  # imported on use: keeps CLI start-up quick

        match = from_bytes(data, cp_isolation=plausible).best()
        found = normalise_encoding(match.encoding) if match is not None else None
        chosen = found if found in plausible else chosen
    rivals = [name_of(c) for c in plausible if c != chosen]
    others = [name_of(c) for c in readings if c not in plausible]
    how = f", chosen by charset-normalizer over {', '.join(rivals)}" if rivals else ""
    tail = f"; {', '.join(others)} would read as symbols or mixed scripts" if others else ""
    return chosen, (
        f"not UTF-8 ({_bytes(invalid)} invalid); decodes cleanly as {name_of(chosen)}{how}{tail}"
    )


def _bytes(n: int) -> str:
    return f"{n:,} byte{'s' if n != 1 else ''}"


# --- how plausible a decoded text is ---------------------------------------------------------

# Scripts that share words with Latin letters in real text ("华为HUAWEI", "LG전자").
_MIXES_WITH_LATIN = frozenset({"CJK", "HANGUL"})
_SCRIPT_WORDS = {
    "CJK": "CJK", "HIRAGANA": "CJK", "KATAKANA": "CJK", "KATAKANA-HIRAGANA": "CJK", "BOPOMOFO": "CJK", "IDEOGRAPHIC": "CJK",
    "HANGUL": "HANGUL", "LATIN": "LATIN", "FULLWIDTH": "LATIN", "CYRILLIC": "CYRILLIC",
    "GREEK": "GREEK", "ARABIC": "ARABIC", "HEBREW": "HEBREW", "THAI": "THAI",
}


def _neutral(ch: str) -> bool:
    """Punctuation and spaces real text of any script has (CJK full-width forms, dashes, quotes)."""
    o = ord(ch)
    return (
        o in (0xA0, 0xB7, 0xD7)
        or 0x2010 <= o <= 0x205E
        or 0x3000 <= o <= 0x303F
        or 0xFF01 <= o <= 0xFF5E
        or unicodedata.category(ch) in ("Zs", "Sc")
    )


def _script(ch: str) -> str | None:
    """A letter's script group (by its Unicode name), or None when it is not a letter."""
    if not ch.isalpha():
        return None
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    if name.startswith("HALFWIDTH KATAKANA"):
        return "HALFWIDTH"  # legacy Japanese single bytes: what Big5 lead bytes read as in Shift JIS
    return _SCRIPT_WORDS.get(name.split(" ", 1)[0], "OTHER")


def implausibility(text: str) -> float:
    """Share (0–1) of the non-ASCII characters that real text would not have.

    Hand-written rather than left to charset-normalizer alone: on short samples it ranks a Big5
    company name as Shift JIS half-width katakana. Counted as implausible: symbols and controls
    (what CJK bytes read as in Windows-1252), half-width katakana, letters of a script that shares
    a word with another script (Cyrillic in a Latin word, Greek inside Chinese), a CJK character
    between two Latin letters (how "Müller" reads in GBK: "M" + one character + "ler"), and runs
    of three or more accented Latin letters (how GBK reads in Windows-1252: "ÓÐÏÞ").
    """
    if text.isascii():
        return 0.0
    odd = non_ascii = 0
    word: list[str] = []
    for ch in text + " ":
        script = _script(ch)
        if script is not None:
            word.append(ch)
            continue
        if word:
            odd += _odd_letters(word)
            word = []
        if not ch.isascii():
            non_ascii += 1
            if not _neutral(ch) and unicodedata.category(ch)[0] != "M":
                odd += 1
    non_ascii += sum(1 for ch in text if ch.isalpha() and not ch.isascii())
    return odd / max(1, non_ascii)


_ACCENTED = frozenset({"LATIN"})  # Cyrillic and Greek letters are all non-ASCII


def _accented_run(word: list[str], i: int) -> int:
    """The length of the run of non-ASCII letters around word[i]."""
    start = i
    while start > 0 and not word[start - 1].isascii():
        start -= 1
    end = i
    while end < len(word) - 1 and not word[end + 1].isascii():
        end += 1
    return end - start + 1


def _odd_letters(word: list[str]) -> int:
    """How many non-ASCII letters of one word are implausible."""
    scripts = [_script(ch) for ch in word]
    kinds = set(scripts)
    mixed = len(kinds - {"LATIN"}) > 1 or (
        "LATIN" in kinds and bool(kinds - {"LATIN"} - _MIXES_WITH_LATIN)
    )
    odd = 0
    for i, (ch, script) in enumerate(zip(word, scripts, strict=True)):
        if ch.isascii():
            continue
        if mixed or script in ("HALFWIDTH", "OTHER"):
            odd += 1
        elif script in _ACCENTED and _accented_run(word, i) >= 3:
            odd += 1  # "ÓÐÏÞ": real words put accents between plain letters, not in runs
        elif (
            script in _MIXES_WITH_LATIN
            and 0 < i < len(word) - 1
            and word[i - 1].isascii()
            and word[i + 1].isascii()
        ):
            odd += 1
    return odd
