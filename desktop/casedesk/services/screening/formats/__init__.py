"""Screening-list file formats: detection and parsing into plain ListEntry values.

Each reader returns a ParsedList: the entries it understood and, per malformed row, a
RowProblem with the line number and reason. Nothing here touches the database; importing.py
decides (with the user's consent) whether rows with problems may be skipped.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casedesk.domain.errors import CaseDeskError
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary

FORMATS = ("csl", "ofac-sdn", "dpl", "ftm", "opensanctions-csv", "un-xml", "mapping")
FORMAT_LABELS = {
    "csl": "US Consolidated Screening List (CSV)",
    "ofac-sdn": "OFAC SDN legacy CSV",
    "dpl": "BIS Denied Persons List (tab-separated)",
    "ftm": "FollowTheMoney entities (JSON lines)",
    "opensanctions-csv": "OpenSanctions targets.simple.csv",
    "un-xml": "UN Security Council Consolidated List (XML)",
    "mapping": "CSV through a column mapping",
}


class ListFormatError(CaseDeskError):
    """A list file cannot be read as the format given or detected; nothing was imported."""


@dataclass
class ListEntry:
    """One listed party as read from a file, before it is stored."""

    key: str
    name: str
    line: int
    entity_type: str = ""  # person, organization, vessel, aircraft, wallet or ""
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (name, kind: aka/fka/…)
    programs: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # ISO 3166-1 alpha-2
    identifiers: list[tuple[str, str, str | None]] = field(default_factory=list)  # scheme, value, country
    remarks: str = ""
    source_list: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def content_hash(self) -> str:
        """SHA-256 over everything the entry says (not where it stood in the file)."""
        body = json.dumps(
            [self.key, self.name, self.entity_type, sorted(self.aliases), sorted(self.programs),
             sorted(self.countries), sorted((s, v, c or "") for s, v, c in self.identifiers),
             self.remarks, self.source_list, self.data],
            ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class RowProblem:
    """A row that could not be read: its line in the file (or record number: unit) and why."""

    line: int
    reason: str
    unit: str = "line"  # "record" for XML lists, whose problems are counted by record

    def __str__(self) -> str:
        return f"{self.unit} {self.line}: {self.reason}"


@dataclass
class ParsedList:
    """What a reader understood of a file."""

    format: str
    entries: list[ListEntry]
    problems: list[RowProblem]
    snapshot_date: str | None = None
    default_name: str = ""
    rows: int = 0  # data rows seen (good and bad)
    files: list[Path] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # lines repeating an earlier row exactly
    name_field: str = "name"  # what the file calls the name field, for problem messages
    row_unit: str = "line"  # how problems count rows: "line" of a text file, "record" of XML
    # rows whose id an earlier, different row already has: kept under a new key (unique_keys)
    renamed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read anyway, but the user should know


# --- shared helpers -------------------------------------------------------------------------------

class CheckedRows:
    """The data rows of a CSV reader that have the header's width, as (line, row).

    Blank rows are skipped; unreadable and ragged rows become RowProblems (prefixed with
    `label` when given). `rows` counts every non-blank row read, good or bad.
    """

    def __init__(self, reader: Any, width: int, problems: list["RowProblem"], label: str = ""):
        self.reader, self.width, self.problems = reader, width, problems
        self.prefix = f"{label}: " if label else ""
        self.rows = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.rows += 1
                self.problems.append(RowProblem(self.reader.line_num, f"{self.prefix}unreadable CSV: {exc}"))
                continue
            if not row or all(not c.strip() for c in row):
                continue
            self.rows += 1
            if len(row) != self.width:
                self.problems.append(RowProblem(
                    self.reader.line_num, f"{self.prefix}row has {len(row)} fields, the header has {self.width}"))
                continue
            yield self.reader.line_num, row


def field_getter(row: list[str], idx: dict[str, int]) -> Callable[[str], str]:
    """A function giving a row's stripped value of a column ('' when the file lacks the column)."""
    def get(col: str) -> str:
        i = idx.get(col)
        return row[i].strip() if i is not None else ""
    return get


def read_text(path: Path) -> str:
    """A list file's text: UTF-8 (BOM tolerated), else cp1252 as US-government files use."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    # OFAC's legacy files end with a DOS end-of-file byte.
    return text.rstrip("\x1a").replace("\x1a", "")


def split_multi(value: str, sep: str = ";") -> list[str]:
    """Split a multi-valued cell; blank parts dropped, spaces trimmed."""
    return [p.strip() for p in (value or "").split(sep) if p.strip()]


def country_code(text: str) -> str | None:
    """ISO alpha-2 of a country code or name, or None when it is not one."""
    from casedesk.domain.countries import resolve_country
    from casedesk.domain.errors import ValidationError

    text = (text or "").strip()
    if not text:
        return None
    try:
        return resolve_country(text)
    except ValidationError:
        return None


def add_unique(items: list, value: Any) -> None:
    """Append value unless already present (keeps first-seen order)."""
    if value and value not in items:
        items.append(value)


_WALLET_RE = re.compile(r"(?:alt\.\s*)?Digital Currency Address\s*-\s*([A-Za-z0-9]+)[\s,:]+([A-Za-z0-9:]+)")


def wallet_identifier(vocab: Vocabulary, chain: str, address: str) -> tuple[str, str, None]:
    """A wallet address as an identifier row: scheme WALLET_<CHAIN> (XBT is BTC)."""
    found = vocab.find_chain(chain)
    code = found.code if found is not None else chain.strip().upper()
    return (f"WALLET_{code}"[:40], address.strip(), None)


def wallets_in(vocab: Vocabulary, text: str) -> list[tuple[str, str, None]]:
    """Every 'Digital Currency Address - XBT …' in a remarks or ids text."""
    return [wallet_identifier(vocab, m.group(1), m.group(2)) for m in _WALLET_RE.finditer(text or "")]


def scheme_code(vocab: Vocabulary, label: str) -> str | None:
    """The vocabulary scheme code an identifier label denotes ('Passport' → PASSPORT), or None."""
    label = (label or "").strip().rstrip(":").strip()
    if not label:
        return None
    found = vocab.find_scheme(label)
    return found.code if found is not None else None


def unique_keys(parsed: ParsedList) -> None:
    """Drop rows repeating an earlier row exactly; make the remaining keys unique."""
    seen: dict[str, int] = {}
    hashes: dict[str, str] = {}
    kept = []
    for e in parsed.entries:
        if e.key in seen:
            if hashes.get(e.key) == e.content_hash():
                parsed.duplicates.append(e.line)
                continue
            seen[e.key] += 1
            new_key = f"{e.key}#{seen[e.key]}"
            parsed.renamed.append(f"{parsed.row_unit} {e.line}: id {e.key[:60]!r} is already used by "
                                  f"an earlier, different row; kept as {new_key[:64]!r}")
            e.key = new_key
        else:
            seen[e.key] = 1
            hashes[e.key] = e.content_hash()
        kept.append(e)
    parsed.entries = kept


def has_identity(text: str) -> bool:
    """Whether a name has at least one letter or digit (in any script)."""
    return any(ch.isalnum() for ch in text)


def drop_nameless(parsed: ParsedList) -> None:
    """Entries whose name is only punctuation become RowProblems; such aliases are dropped."""
    kept = []
    for e in parsed.entries:
        e.aliases = [(t, k) for t, k in e.aliases if has_identity(t)]
        if has_identity(e.name):
            kept.append(e)
            continue
        if e.aliases:  # the list's own primary is unusable, an alias is not: promote it
            e.name = e.aliases.pop(0)[0]
            kept.append(e)
            continue
        parsed.problems.append(RowProblem(
            e.line, f"field {parsed.name_field} {e.name[:40]!r} has no letters or digits",
            parsed.row_unit))
    parsed.entries = kept


def latest_date(dates: list[str]) -> str | None:
    """The newest ISO date not in the future (lists carry typos such as 3017-08-22)."""
    from datetime import date

    today = date.today().isoformat()
    valid = [d for d in dates if d <= today]
    return max(valid) if valid else None


def derived_key(*parts: str) -> str:
    """A stable key for lists that give entries no id: hash of identifying fields."""
    return "h:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


# --- detection ------------------------------------------------------------------------------------

def detect_format(path: Path) -> str:
    """The format of a list file, judged from its name and first line; ListFormatError if none."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise ListFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not head.strip():
        raise ListFormatError(f"{path.name} is empty")
    try:
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # an XML list saved as UTF-16 (Windows editors do): judged on its text
            text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
        else:
            text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = head[:exc.start].decode("utf-8-sig", errors="ignore") if exc.start > 1000 else \
            head.decode("cp1252", errors="replace")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    stripped = first.lstrip()
    if stripped.startswith("<"):
        if "CONSOLIDATED_LIST" in text[:4096]:
            return "un-xml"
        raise ListFormatError(f"{path.name}: an XML file, but not the UN consolidated list (no "
                              "<CONSOLIDATED_LIST> element); pass --format un-xml to read it as one")
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except (ValueError, RecursionError):
            obj = None
        if isinstance(obj, dict) and ("schema" in obj or "entity" in obj):
            return "ftm"
        raise ListFormatError(f"{path.name}: the first line is JSON but not a FollowTheMoney "
                              "entity (no \"schema\")")
    low = [c.strip().strip('"').strip().lower() for c in re.split(r"[,\t]", first)]
    cols = set(low)
    if {"source", "name", "alt_names"} <= cols:
        return "csl"
    if low[:4] == ["id", "schema", "name", "aliases"] or {"id", "schema", "name", "aliases",
                                                           "identifiers"} <= cols:
        return "opensanctions-csv"
    if "\t" in first and {"name", "street_address", "effective_date"} <= cols:
        return "dpl"
    if re.match(r'^\d+,"', first) and ("-0-" in text[:5000] or path.name.lower().startswith("sdn")):
        return "ofac-sdn"
    shown = first[:120].replace("\t", "\\t")
    raise ListFormatError(
        f"{path.name}: unknown list format (first line: {shown!r}); expected the CSL CSV, the OFAC "
        "SDN legacy CSV, the BIS Denied Persons file, FollowTheMoney JSON lines, OpenSanctions' "
        "targets.simple.csv or the UN consolidated list XML; pass --format, or --mapping for any other CSV")


def read_list(path: Path, fmt: str = "auto", mapping: dict[str, Any] | None = None,
              vocab: Vocabulary | None = None) -> ParsedList:
    """Parse a list file in the given (or detected) format; vocab (default: shipped) names chains."""
    path = Path(path)
    if not path.exists():
        raise ListFormatError(f"no such file: {path}")
    if path.is_dir():
        raise ListFormatError(f"{path} is a folder, not a list file")
    if mapping is not None:
        if fmt not in ("auto", "mapping"):
            raise ListFormatError("--mapping reads a CSV through the mapping; do not also give "
                                  f"--format {fmt}")
        fmt = "mapping"
    elif fmt == "mapping":
        raise ListFormatError("format 'mapping' needs a mapping file (--mapping FILE)")
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in FORMATS:
        raise ListFormatError(f"unknown format {fmt!r}: use one of auto, {', '.join(FORMATS[:-1])}")
    vocab = vocab or default_vocabulary()
    from casedesk.services.importing.settings import import_settings

    # Python's csv default (128 K a cell) cuts an entry with 10,000 aliases: use the import limit.
    csv.field_size_limit(import_settings().max_field_chars)
    if fmt == "mapping":
        from casedesk.services.screening.formats.mapped import read_mapped

        parsed = read_mapped(path, mapping or {}, vocab)
        drop_nameless(parsed)
        unique_keys(parsed)
        return parsed
    if fmt == "csl":
        from casedesk.services.screening.formats.csl import read_csl as reader
    elif fmt == "ofac-sdn":
        from casedesk.services.screening.formats.ofac import read_ofac as reader
    elif fmt == "dpl":
        from casedesk.services.screening.formats.dpl import read_dpl as reader
    elif fmt == "ftm":
        from casedesk.services.screening.formats.ftm import read_ftm as reader
    elif fmt == "un-xml":
        from casedesk.services.screening.formats.unxml import read_un_xml as reader
    else:
        from casedesk.services.screening.formats.oscsv import read_opensanctions_csv as reader
    parsed = reader(path, vocab)
    drop_nameless(parsed)
    unique_keys(parsed)
    return parsed
