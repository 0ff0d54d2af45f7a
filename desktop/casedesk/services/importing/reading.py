"""Reading tables from files: CSV/TSV (encoding, delimiter and header detected) and XLSX, streamed.

A file is first *inspected* (a small sample decides encoding, delimiter and header row), then its
data rows are *streamed* one at a time, so memory stays flat however long the file is. Every
problem is a ValidationError naming the file, row and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.services.importing.encodings import (
    bad_bytes,
    has_bad_bytes,
    name_of,
    replace_bad_bytes,
)
from casedesk.services.importing.settings import import_settings
from casedesk.services.importing.sniffing import (
    DELIMITERS,
    ZIP_MAGIC,
    check_not_binary,
    decode_sample,
    detect_encoding,
    detect_header_row,
    fail,
    name_columns,
    normalise_encoding,
    parse_sample,
    read_head,
    read_sample,
    sniff_delimiter,
)

SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
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

    @property
    def rejects_bad_bytes(self) -> bool:
        """True when a detected UTF-8 file is read on past invalid bytes, rejecting their rows
        (a chosen encoding is read strictly: a bad byte shows the choice was wrong)."""
        return self.encoding == "utf-8" and self.encoding_how != "chosen"

    def describe(self) -> str:
        """One line for a person: format, encoding and how it was found, delimiter, header."""
        if self.kind == "sheet":
            what = f"spreadsheet, sheet {self.sheet!r}"
        else:
            what = (
                f"text, {name_of(self.encoding)} ({self.encoding_how}), "
                f"{DELIMITER_NAMES.get(self.delimiter or ',', repr(self.delimiter))}-separated"
            )
        header = f"header on row {self.header_row}" if self.header_row else "no header row"
        return f"{what}; {header}; {len(self.columns)} columns"


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
        raise fail(f"cannot read {path}: {exc.strerror}") from None
    if path.is_dir():
        raise fail(f"{path} is a folder, not a file")
    if size == 0:
        raise fail(f"{path.name} is empty")
    head, pieces = read_sample(path, size)
    is_sheet = path.suffix.lower() in SHEET_SUFFIXES or (
        head.startswith(ZIP_MAGIC) and path.suffix.lower() not in (".csv", ".tsv", ".txt")
    )
    if is_sheet:
        return _inspect_sheet(path, size, options, known_columns)
    if head.startswith(ZIP_MAGIC):
        raise fail(f"{path.name} is a zip archive, not a CSV or TSV table")
    check_not_binary(head, path)
    if options.encoding:
        encoding, how = normalise_encoding(options.encoding), "chosen"
    else:
        encoding, how = detect_encoding(head, pieces)
    errors = "replace" if encoding == "utf-8" and how != "chosen" else "strict"
    while True:
        text_sample = decode_sample(head, encoding, size, errors)
        if not text_sample.strip():
            raise fail(f"{path.name} has no text in it (only blank lines or spaces)")
        delimiter = options.delimiter or sniff_delimiter(text_sample, path.suffix.lower())
        if delimiter not in DELIMITERS and len(delimiter) != 1:
            raise ValidationError("delimiter", f"{delimiter!r} is not a single-character delimiter")
        rows = parse_sample(text_sample, delimiter, 400)
        header_row = (
            options.header_row
            if options.header_row is not None
            else detect_header_row(rows, known_columns)
        )
        # A first data row longer than the sample (one cell of 200 KB) is not "no data": read
        # a longer head, up to one row at the cell limit (4 bytes a character at most).
        wider = len(head) < size and len(head) < _head_limit() and not _has_data(rows, header_row)
        if not wider:
            break
        head = read_head(path, min(len(head) * 4, _head_limit()))
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


def _head_limit() -> int:
    """The most bytes inspection reads to find the first data row."""
    settings = import_settings()
    return settings.sample_bytes + 4 * settings.max_cell_chars


def _has_data(rows: list[list[str]], header_row: int) -> bool:
    """True when a non-blank row follows the header among complete sample rows."""
    return any(any(c.strip() for c in r) for r in rows[header_row:])


def _finish(info: SourceInfo, rows: list[list[str]]) -> SourceInfo:
    """Name the columns from the header row and keep the first data rows as a sample."""
    width = Counter(len(r) for r in rows if any(c.strip() for c in r)).most_common(1)
    width_n = width[0][0] if width else 0
    if info.header_row > len(rows):
        raise fail(
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
    if not data and info.size > _head_limit():
        # The first data row is longer than any cell may be: the stream rejects it by name.
        warnings = (*warnings, "the first data row is too long to preview")
    elif not data:
        if info.header_row and len(columns):
            raise fail(f"{info.path.name} has a header row but no data rows")
        raise fail(f"{info.path.name} has no data rows")
    if not columns:
        raise fail(f"{info.path.name}: the header row is empty")
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
        raise fail(
            f"{path.name} cannot be read as a spreadsheet ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None


def _sheet(path: Path, workbook: Any, name: str | None) -> Any:
    names = list(workbook.sheet_names)
    if not names:
        raise fail(f"{path.name} has no sheets")
    if name is not None and name not in names:
        raise ValidationError(
            "sheet", f"{path.name} has no sheet {name!r} (sheets: {', '.join(names)})"
        )
    try:
        return workbook.get_sheet_by_name(name or names[0])
    except Exception as exc:  # noqa: BLE001
        raise fail(f"sheet {name or names[0]!r} cannot be read ({type(exc).__name__})") from None


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
        raise fail(f"sheet {sheet.name!r} of {path.name} is empty")
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
        # rows refused for bytes that are not valid UTF-8: row number -> reason
        self.bad_rows: dict[int, str] = {}
        self.bad_byte_count = 0
        csv.field_size_limit(import_settings().max_field_chars)

    def encoding_evidence(self) -> str:
        """How the encoding was decided, and (once read) the rows with bytes it does not decode."""
        if not self.bad_rows:
            return self.info.encoding_how
        rows = sorted(self.bad_rows)
        shown = ", ".join(f"{r:,}" for r in rows[:10]) + (
            f" and {len(rows) - 10:,} more" if len(rows) > 10 else ""
        )
        n = self.bad_byte_count
        return (
            f"UTF-8 except {n:,} invalid byte{'s' if n != 1 else ''} at "
            f"row{'s' if len(rows) != 1 else ''} {shown} (rejected)"
        )

    def _bad_row(self, row_no: int, row: list[str], data_rows: int) -> list[str]:
        """Note a row holding bytes that are not valid UTF-8; its cells with U+FFFD for them."""
        i = next(i for i, c in enumerate(row) if has_bad_bytes(c))
        found = bad_bytes(row[i])
        self.bad_byte_count += sum(len(bad_bytes(c)) for c in row)
        column = self.info.columns[i] if i < len(self.info.columns) else f"cell {i + 1}"
        self.bad_rows[row_no] = (
            f"{column}: byte 0x{found[0]:02X} is not valid UTF-8 (the rest of the file is UTF-8: "
            "correct the byte, or choose the file's encoding)"
        )
        # A file that goes on failing is not UTF-8 after all: stop rather than reject it piecemeal.
        if len(self.bad_rows) > 10 and len(self.bad_rows) * 100 > data_rows:
            first = min(self.bad_rows)
            raise ValidationError(
                "encoding",
                f"the file is not UTF-8: {len(self.bad_rows):,} of its first {data_rows:,} rows "
                f"hold bytes that are not valid UTF-8 (the first on row {first:,}); choose its "
                "real encoding",
                row=first,
            )
        return [replace_bad_bytes(c) for c in row]

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        if self.info.kind == "sheet":
            yield from self._sheet_rows()
        else:
            yield from self._text_rows()

    def _text_rows(self) -> Iterator[tuple[int, list[str]]]:
        info = self.info
        row_no = data_rows = 0
        tolerant = info.rejects_bad_bytes
        # surrogateescape keeps an invalid byte as one lone surrogate, found in its own row
        errors = "surrogateescape" if tolerant else "strict"
        with info.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=info.encoding, errors=errors, newline="")
            reader = csv.reader(text, delimiter=info.delimiter or ",")
            try:
                for row in reader:
                    row_no += 1
                    if row_no <= info.header_row:
                        continue
                    if row_no % 512 == 0:
                        self.position = raw.tell()
                    joined = "".join(row)  # one C call, not per cell
                    if not row or not joined.strip():  # blank row
                        continue
                    data_rows += 1
                    if tolerant and not joined.isascii() and has_bad_bytes(joined):
                        row = self._bad_row(row_no, row, data_rows)
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
                raise fail(
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
