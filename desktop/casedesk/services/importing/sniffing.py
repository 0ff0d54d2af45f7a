"""What a text table is: its encoding, delimiter and header row, found from a small sample.

Also refuses what is not a table at all (PDFs, images, archives, binary data) by its first bytes.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from pathlib import Path

from casedesk.domain.errors import ValidationError
from casedesk.services.importing.encodings import (  # noqa: F401 - re-exported for readers
    cut_at_line_end,
    detect_encoding,
    normalise_encoding,
    utf16_without_bom,
)
from casedesk.services.importing.settings import import_settings

DELIMITERS = (",", ";", "\t", "|")


def fail(reason: str, row: int | None = None) -> ValidationError:
    """The ValidationError of a file that cannot be read as a table."""
    return ValidationError("file", reason, row=row)


# Magic numbers of files people drop on an importer by mistake.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)
ZIP_MAGIC = b"PK\x03\x04"


# --- the sample -----------------------------------------------------------------------------


def read_sample(path: Path, size: int) -> tuple[bytes, list[bytes]]:
    """The file's first bytes, and whole lines from further in (for encoding detection)."""
    settings = import_settings()
    with path.open("rb") as fh:
        head = fh.read(settings.sample_bytes)
        pieces: list[bytes] = []
        if size > settings.sample_bytes * 2:
            step = (size - settings.sample_bytes) // (settings.sample_pieces + 1)
            for i in range(1, settings.sample_pieces + 1):
                fh.seek(settings.sample_bytes + step * i)
                raw = fh.read(settings.sample_piece_bytes)
                # Start after a line end and stop at one, so no multi-byte character is cut.
                start = raw.find(b"\n")
                if start < 0:
                    continue
                piece = cut_at_line_end(raw[start + 1 :])
                if piece:
                    pieces.append(piece)
    return head, pieces


def read_head(path: Path, size: int) -> bytes:
    """The file's first `size` bytes."""
    with path.open("rb") as fh:
        return fh.read(size)


def check_not_binary(head: bytes, path: Path) -> None:
    """Refuse a file whose first bytes show it is not a text table (a ValidationError)."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise fail(f"{path.name} is {what}, not a CSV, TSV or spreadsheet table")
    if (
        utf16_without_bom(head)
        or head[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
        or head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        return
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    # Stray NULs or control characters inside cells are ordinary (hostile) data; a file in which
    # they are frequent is not text at all (random bytes have about 11 %).
    limit = 0.05 if len(sample) >= 64 else 0.25
    if sample and controls / len(sample) > limit:
        raise fail(f"{path.name} looks like binary data, not a CSV, TSV or spreadsheet table")


def sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter that splits the sample's rows into the most consistent number of cells.

    Hand-written rather than csv.Sniffer: the Sniffer guesses from character frequencies and
    mis-reads files with quoted multi-line cells (notes columns) or many commas inside quotes.
    """
    best, best_score = ",", (-1.0, 0.0, 0)
    for delim in DELIMITERS:
        widths = [len(r) for r in parse_sample(text, delim, 60) if any(c.strip() for c in r)]
        if not widths:
            continue
        mode, count = Counter(widths).most_common(1)[0]
        score = (1.0 if mode > 1 else 0.0, count / len(widths), mode)
        if delim == "\t" and suffix in (".tsv", ".tab") and mode > 1:
            score = (2.0, *score[1:])
        if score > best_score:
            best, best_score = delim, score
    return best


def parse_sample(text: str, delimiter: str, limit: int) -> list[list[str]]:
    """The sample's first rows split by this delimiter."""
    rows: list[list[str]] = []
    csv.field_size_limit(import_settings().max_field_chars)  # the default 128 K cuts long cells
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # the sample may end inside a quoted cell: what was read is enough to judge
    return rows


_DATA_LIKE = re.compile(
    r"^\s*(?:[-+]?[\d.,' ]+%?|0x[0-9a-fA-F]{6,}|\d{4}-\d{2}(?:-\d{2})?.*|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|T[1-9A-HJ-NP-Za-km-z]{33})\s*$"
)


def _looks_like_header(row: list[str]) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and not any(_DATA_LIKE.match(c) for c in cells)


def detect_header_row(rows: list[list[str]], known: set[str] | None = None) -> int:
    """Physical row number (1-based) of the header among the first rows, or 0 when there is none.

    A row whose cells include known column names wins; otherwise the first row with at least half
    the usual number of cells, skipping one-cell preamble lines ("Exported on …") above it.
    """
    first = rows[:20]
    widths = [sum(1 for c in r if c.strip()) for r in first]
    if not any(widths):
        return 1
    if known:
        for n, row in enumerate(first):
            hits = sum(1 for c in row if header_key(c) in known)
            if hits and hits >= max(1, min(2, len(known))):
                return n + 1
    usual = Counter(w for w in widths if w).most_common(1)[0][0]
    for n, row in enumerate(first):
        if widths[n] >= max(1, usual // 2) and (widths[n] > 1 or usual == 1):
            return n + 1 if _looks_like_header(row) else 0
    return 1


def header_key(name: str) -> str:
    """How column names are compared: case-insensitive, ignoring spaces, '_' and '-'."""
    return "".join(ch for ch in name.casefold() if not ch.isspace() and ch not in "_-\ufeff")


def name_columns(header: list[str], width: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Column names from a header row: blanks become 'Column N', duplicates get ' (2)'; warnings."""
    names: list[str] = []
    warnings: list[str] = []
    seen: Counter[str] = Counter()
    for i in range(max(width, len(header))):
        raw = header[i].strip() if i < len(header) else ""
        raw = raw.replace("\x00", "")
        if len(raw) > 200:
            warnings.append(f"column {i + 1} has a {len(raw):,}-character header; shortened")
            raw = raw[:200]
        if not raw:
            raw = f"Column {i + 1}"
            if i < len(header):
                warnings.append(f"column {i + 1} has no header; named {raw!r}")
        key = header_key(raw)
        seen[key] += 1
        if seen[key] > 1:
            warnings.append(
                f"column {i + 1}: header {raw!r} appears more than once; "
                f"named {raw + f' ({seen[key]})'!r}"
            )
            raw = f"{raw} ({seen[key]})"
        names.append(raw)
    return tuple(names), tuple(warnings)


def decode_sample(head: bytes, encoding: str, size: int, errors: str = "strict") -> str:
    """The sample as text in this encoding (a ValidationError naming the bad byte when strict)."""
    data = head if size <= len(head) else cut_at_line_end(head)
    try:
        return data.decode(encoding, errors)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "encoding",
            f"the file is not valid {encoding} (byte 0x{data[exc.start]:02X} at offset "
            f"{exc.start:,}); choose its real encoding or let CaseDesk detect it",
        ) from None
    except LookupError:
        raise ValidationError("encoding", f"unknown text encoding {encoding!r}") from None
