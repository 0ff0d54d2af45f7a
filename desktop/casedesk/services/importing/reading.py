"""Reading tables from files: CSV/TSV (encoding, delimiter and header detected) and XLSX, streamed.

A file is first *inspected* (a small sample decides encoding, delimiter and header row), then its
data rows are *streamed* one at a time, so memory stays flat however long the file is. Every
problem is a ValidationError naming the file, row and reason.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.services.importing.settings import import_settings

SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
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
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; None means detect. header_row: physical row of the header, 0 = none."""

    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class SourceInfo:
    """What inspection found out about a file: format, encoding, delimiter, header and a sample."""

    path: Path
    kind: str  # "text" or "sheet"
    size: int
    encoding: str | None = None
    encoding_how: str = ""
    delimiter: str | None = None
    header_row: int = 1
    columns: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    sample: tuple[tuple[int, tuple[str, ...]], ...] = ()
    options: ReadOptions = field(default_factory=ReadOptions)

    def describe(self) -> str:
        """One line for a person: format, encoding and how it was found, delimiter, header."""
        if self.kind == "sheet":
            what = f"spreadsheet, sheet {self.sheet!r}"
        else:
            what = (
                f"text, {ENCODING_NAMES.get(self.encoding or '', self.encoding)} ({self.encoding_how}), "
                f"{DELIMITER_NAMES.get(self.delimiter or ',', repr(self.delimiter))}-separated"
            )
        header = f"header on row {self.header_row}" if self.header_row else "no header row"
        return f"{what}; {header}; {len(self.columns)} columns"


def _fail(reason: str, row: int | None = None) -> ValidationError:
    return ValidationError("file", reason, row=row)


# --- encoding -------------------------------------------------------------------------------


def cut_at_line_end(data: bytes) -> bytes:
    """The bytes up to and including the last line end (whole sample if there is none)."""
    end = max(data.rfind(b"\n"), data.rfind(b"\r"))
    return data[: end + 1] if end > 0 else data


def _utf16_without_bom(data: bytes) -> str | None:
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


def detect_encoding(head: bytes, pieces: list[bytes] | tuple[bytes, ...] = ()) -> tuple[str, str]:
    """(codec, how it was found) for a file's first bytes plus a few line-aligned pieces further in."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return name, "byte order mark"
    wide = _utf16_without_bom(head)
    if wide:
        return wide, "detected"
    data = b"\n".join([cut_at_line_end(head), *pieces])
    try:
        data.decode("utf-8")
        return "utf-8", "valid UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported on use: keeps CLI start-up quick

    candidates = [e for e in import_settings().detect_encodings if e not in ("utf_8", "utf_16")]
    best = from_bytes(data, cp_isolation=candidates).best()
    if best is None:
        raise ValidationError(
            "encoding",
            "cannot tell the file's text encoding; choose one (for example gb18030, big5, cp1252)",
        )
    return normalise_encoding(best.encoding), "detected"


# --- inspection -----------------------------------------------------------------------------


def _read_sample(path: Path, size: int) -> tuple[bytes, list[bytes]]:
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


def _check_not_binary(head: bytes, path: Path) -> None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise _fail(f"{path.name} is {what}, not a CSV, TSV or spreadsheet table")
    if (
        _utf16_without_bom(head)
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
        raise _fail(f"{path.name} looks like binary data, not a CSV, TSV or spreadsheet table")


def _sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter that splits the sample's rows into the most consistent number of cells.

    Hand-written rather than csv.Sniffer: the Sniffer guesses from character frequencies and
    mis-reads files with quoted multi-line cells (notes columns) or many commas inside quotes.
    """
    best, best_score = ",", (-1.0, 0.0, 0)
    for delim in DELIMITERS:
        widths = [len(r) for r in _parse_sample(text, delim, 60) if any(c.strip() for c in r)]
        if not widths:
            continue
        mode, count = Counter(widths).most_common(1)[0]
        score = (1.0 if mode > 1 else 0.0, count / len(widths), mode)
        if delim == "\t" and suffix in (".tsv", ".tab") and mode > 1:
            score = (2.0, *score[1:])
        if score > best_score:
            best, best_score = delim, score
    return best


def _parse_sample(text: str, delimiter: str, limit: int) -> list[list[str]]:
    rows: list[list[str]] = []
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


def inspect_source(
    path: str | os.PathLike[str],
    options: ReadOptions = ReadOptions(),
    *,
    known_columns: set[str] | None = None,
) -> SourceInfo:
    """Inspect a file: format, encoding, delimiter, header, columns and a sample of data rows.

    known_columns (header keys a mapping expects) helps find the header row below a preamble.
    Raises ValidationError for an empty, binary, unreadable or header-only file.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}") from None
    if path.is_dir():
        raise _fail(f"{path} is a folder, not a file")
    if size == 0:
        raise _fail(f"{path.name} is empty")
    head, pieces = _read_sample(path, size)
    is_sheet = path.suffix.lower() in SHEET_SUFFIXES or (
        head.startswith(_ZIP) and path.suffix.lower() not in (".csv", ".tsv", ".txt")
    )
    if is_sheet:
        return _inspect_sheet(path, size, options, known_columns)
    if head.startswith(_ZIP):
        raise _fail(f"{path.name} is a zip archive, not a CSV or TSV table")
    _check_not_binary(head, path)
    if options.encoding:
        encoding, how = normalise_encoding(options.encoding), "chosen"
    else:
        encoding, how = detect_encoding(head, pieces)
    text_sample = _decode_sample(head, encoding, size)
    if not text_sample.strip():
        raise _fail(f"{path.name} has no text in it (only blank lines or spaces)")
    delimiter = options.delimiter or _sniff_delimiter(text_sample, path.suffix.lower())
    if delimiter not in DELIMITERS and len(delimiter) != 1:
        raise ValidationError("delimiter", f"{delimiter!r} is not a single-character delimiter")
    rows = _parse_sample(text_sample, delimiter, 400)
    header_row = (
        options.header_row
        if options.header_row is not None
        else detect_header_row(rows, known_columns)
    )
    info = SourceInfo(
        path=path,
        kind="text",
        size=size,
        encoding=encoding,
        encoding_how=how,
        delimiter=delimiter,
        header_row=header_row,
        options=options,
    )
    return _finish(info, rows)


def _decode_sample(head: bytes, encoding: str, size: int) -> str:
    data = head if size <= len(head) else cut_at_line_end(head)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "encoding",
            f"the file is not valid {encoding} (byte 0x{data[exc.start]:02X} at offset "
            f"{exc.start:,}); choose its real encoding or let CaseDesk detect it",
        ) from None
    except LookupError:
        raise ValidationError("encoding", f"unknown text encoding {encoding!r}") from None


def _finish(info: SourceInfo, rows: list[list[str]]) -> SourceInfo:
    """Name the columns from the header row and keep the first data rows as a sample."""
    width = Counter(len(r) for r in rows if any(c.strip() for c in r)).most_common(1)
    width_n = width[0][0] if width else 0
    if info.header_row > len(rows):
        raise _fail(
            f"the file has only {len(rows)} rows; there is no row {info.header_row} to use as header"
        )
    if info.header_row:
        header = rows[info.header_row - 1]
        columns, warnings = name_columns(header, 0)
    else:
        columns, warnings = name_columns([], width_n)
    data = [
        (n + 1, tuple(r))
        for n, r in enumerate(rows)
        if n + 1 > info.header_row and any(c.strip() for c in r)
    ]
    if not data:
        if info.header_row and len(columns):
            raise _fail(f"{info.path.name} has a header row but no data rows")
        raise _fail(f"{info.path.name} has no data rows")
    if not columns:
        raise _fail(f"{info.path.name}: the header row is empty")
    return replace(
        info,
        columns=columns,
        warnings=warnings,
        sample=tuple(data[: import_settings().preview_rows]),
    )


# --- spreadsheets ---------------------------------------------------------------------------


def _open_workbook(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own zip/xml/password errors
        raise _fail(
            f"{path.name} cannot be read as a spreadsheet ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None


def _sheet(path: Path, workbook: Any, name: str | None) -> Any:
    names = list(workbook.sheet_names)
    if not names:
        raise _fail(f"{path.name} has no sheets")
    if name is not None and name not in names:
        raise ValidationError(
            "sheet", f"{path.name} has no sheet {name!r} (sheets: {', '.join(names)})"
        )
    try:
        return workbook.get_sheet_by_name(name or names[0])
    except Exception as exc:  # noqa: BLE001
        raise _fail(f"sheet {name or names[0]!r} cannot be read ({type(exc).__name__})") from None


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person sees (whole numbers without '.0', ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _inspect_sheet(
    path: Path, size: int, options: ReadOptions, known_columns: set[str] | None
) -> SourceInfo:
    workbook = _open_workbook(path)
    sheet = _sheet(path, workbook, options.sheet)
    start_row = (sheet.start or (0, 0))[0]
    rows: list[list[str]] = [[] for _ in range(start_row)]
    for n, row in enumerate(sheet.iter_rows()):
        rows.append([cell_text(v) for v in row])
        if n >= 400:
            break
    if not any(any(c.strip() for c in r) for r in rows):
        raise _fail(f"sheet {sheet.name!r} of {path.name} is empty")
    header_row = (
        options.header_row
        if options.header_row is not None
        else detect_header_row(rows, known_columns)
    )
    info = SourceInfo(
        path=path,
        kind="sheet",
        size=size,
        header_row=header_row,
        sheets=tuple(workbook.sheet_names),
        sheet=sheet.name,
        options=options,
    )
    return _finish(info, rows)


# --- streaming ------------------------------------------------------------------------------


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line number of a byte offset in a file (counting LF, CRLF and CR endings)."""
    lines, done, last = 1, 0, b""
    with path.open("rb") as fh:
        while done < offset:
            piece = fh.read(min(1 << 20, offset - done))
            if not piece:
                break
            text = last + piece
            lines += (
                text.count(b"\n")
                + text.count(b"\r")
                - text.count(b"\r\n")
                - last.count(b"\n")
                - last.count(b"\r")
            )
            last = piece[-1:]
            done += len(piece)
    return lines


class RowStream:
    """The data rows of an inspected file, one at a time: (physical row number, cells).

    `position` and `total` measure progress (bytes for text, rows for spreadsheets). Blank rows
    are skipped; row numbers count every physical row, the header being row 1 as a spreadsheet
    shows it (a quoted cell spanning several lines is one row).
    """

    def __init__(self, info: SourceInfo):
        self.info = info
        self.position = 0
        self.total = info.size
        csv.field_size_limit(import_settings().max_field_chars)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        if self.info.kind == "sheet":
            yield from self._sheet_rows()
        else:
            yield from self._text_rows()

    def _text_rows(self) -> Iterator[tuple[int, list[str]]]:
        info = self.info
        row_no = 0
        with info.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=info.encoding, errors="strict", newline="")
            reader = csv.reader(text, delimiter=info.delimiter or ",")
            try:
                for row in reader:
                    row_no += 1
                    if row_no <= info.header_row:
                        continue
                    if row_no % 512 == 0:
                        self.position = raw.tell()
                    if not row or not "".join(row).strip():  # blank row (one C call, not per cell)
                        continue
                    yield row_no, row
            except UnicodeDecodeError as exc:
                # The decoder reads ahead of the CSV reader: find the bad byte's own line.
                offset = raw.tell() - len(exc.object) + exc.start
                line = _line_at(info.path, offset)
                raise ValidationError(
                    "encoding",
                    f"the file is not valid {info.encoding} at line {line:,} (byte "
                    f"0x{exc.object[exc.start]:02X} at offset {offset:,}); choose its real "
                    "encoding",
                    row=line,
                ) from None
            except csv.Error as exc:
                message = str(exc)
                if "field larger than field limit" in message:
                    message = (
                        f"a cell is longer than {import_settings().max_field_chars:,} "
                        "characters (an unclosed quote?)"
                    )
                raise _fail(
                    f"cannot read the file after row {row_no:,}: {message}", row=row_no + 1
                ) from None
        self.position = self.total

    def _sheet_rows(self) -> Iterator[tuple[int, list[str]]]:
        info = self.info
        workbook = _open_workbook(info.path)
        sheet = _sheet(info.path, workbook, info.sheet)
        start_row = (sheet.start or (0, 0))[0]
        self.total = max(1, start_row + sheet.height)
        for n, row in enumerate(sheet.iter_rows()):
            row_no = start_row + n + 1
            self.position = row_no
            if row_no <= info.header_row:
                continue
            cells = [cell_text(v) for v in row]
            if not any(c.strip() for c in cells):
                continue
            yield row_no, cells
        self.position = self.total
