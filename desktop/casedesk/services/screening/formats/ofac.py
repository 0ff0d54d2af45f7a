"""OFAC's legacy CSV: sdn.csv plus alt.csv, add.csv and sdn_comments.csv beside it.

Quirks handled: no header; `-0- ` means empty; CRLF; a trailing Ctrl-Z byte; Remarks continued in
sdn_comments.csv (appended without a separator: OFAC cut the text mid-word, even mid-address);
programs joined as `A] [B`; typed facts in Remarks (a.k.a., Digital Currency Address, USCC, LEI,
Passport, Nationality…) turned into aliases, wallets, identifiers and countries.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.screening.formats import (
    ListEntry,
    ParsedList,
    RowProblem,
    add_unique,
    country_code,
    read_text,
    scheme_code,
    wallets_in,
)

_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "organization"}
_ALIAS_RE = re.compile(r"^(a|f|n)\.k\.a\.,?\s*['‘’\"](.+?)['‘’\"]\.?$", re.I)
_FACT_RE = re.compile(
    r"^(?:alt\.\s+)?(?P<label>[A-Za-z][A-Za-z /&().'-]*?)\s+(?P<value>[A-Za-z0-9][A-Za-z0-9/\-. ]*?)"
    r"(?:\s+\((?P<country>[^)]+)\))?\.?$")
# Labels OFAC uses that the vocabulary does not list under these exact words.
_EXTRA_SCHEMES = {
    "united social credit code certificate (usccc)": "CN_USCC",
    "unified social credit code (uscc)": "CN_USCC",
    "legal entity number": "LEI",
    "identification number": "NATIONAL_ID",
    "cedula no.": "NATIONAL_ID",
    "registration number": "COMPANY_NUMBER",
    "business registration number": "COMPANY_NUMBER",
    "public registration number": "COMPANY_NUMBER",
    "chinese commercial code": "CN_CCC",
}


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _rows(path: Path, width: int, problems: list[RowProblem], label: str) -> list[tuple[int, list[str]]]:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(reader.line_num, f"{label}: unreadable CSV: {exc}"))
            continue
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != width:
            problems.append(RowProblem(reader.line_num,
                                       f"{label}: row has {len(row)} fields, expected {width}"))
            continue
        if not row[0].strip().isdigit():
            problems.append(RowProblem(reader.line_num,
                                       f"{label}: ent_num {row[0].strip()[:40]!r} is not a number"))
            continue
        out.append((reader.line_num, [_cell(c) for c in row]))
    return out


def _companion(folder: Path, name: str) -> Path | None:
    for p in folder.iterdir():
        if p.name.lower() == name:
            return p
    return None


def read_ofac(path: Path, vocab: Vocabulary) -> ParsedList:
    """Read sdn.csv and, when present beside it, alt.csv, add.csv and sdn_comments.csv."""
    problems: list[RowProblem] = []
    main = _rows(path, 12, problems, path.name)
    rows = len(main) + len(problems)
    files = [path]
    comments: dict[str, str] = {}
    alts: dict[str, list[tuple[str, str]]] = {}
    addresses: dict[str, list[list[str]]] = {}
    folder = path.parent
    for fname, width in (("sdn_comments.csv", 2), ("alt.csv", 5), ("add.csv", 6)):
        other = _companion(folder, fname)
        if other is None or other == path:
            continue
        files.append(other)
        for _line, row in _rows(other, width, problems, other.name):
            ent = row[0].strip()
            if fname == "sdn_comments.csv":
                comments[ent] = comments.get(ent, "") + row[1]
            elif fname == "alt.csv":
                if row[3]:
                    alts.setdefault(ent, []).append((row[3], (row[2] or "aka").lower()))
            else:
                addresses.setdefault(ent, []).append(row[2:])
    entries = []
    for line, row in main:
        ent, name = row[0].strip(), row[1]
        if not name:
            problems.append(RowProblem(line, f"{path.name}: SDN_Name is empty"))
            continue
        e = ListEntry(key=ent, name=name, line=line, source_list="SDN",
                      entity_type=_TYPES.get(row[2].lower(), row[2].lower()))
        e.programs = [p.strip(" []") for p in re.split(r"\]\s*\[", row[3]) if p.strip(" []")]
        remarks = row[11] + comments.get(ent, "")
        e.remarks = remarks
        for label, col in (("title", 4), ("call_sign", 5), ("vessel_type", 6), ("tonnage", 7),
                           ("grt", 8), ("vessel_flag", 9), ("vessel_owner", 10)):
            if row[col]:
                e.data[label] = row[col]
        for alias, kind in alts.get(ent, []):
            add_unique(e.aliases, (alias, kind))
        for addr in addresses.get(ent, []):
            full = ", ".join(p for p in addr[:3] if p)
            if full:
                e.data.setdefault("addresses", []).append(full)
            add_unique(e.countries, country_code(addr[2]))
        _parse_remarks(e, remarks, vocab)
        entries.append(e)
    return ParsedList("ofac-sdn", entries, problems, snapshot_date=None,
                      default_name="OFAC SDN List", rows=rows, files=files,
                      name_field="SDN_Name")


def _parse_remarks(e: ListEntry, remarks: str, vocab: Vocabulary) -> None:
    for wallet in wallets_in(vocab, remarks):
        add_unique(e.identifiers, wallet)
    for item in re.split(r";\s+", remarks.strip().rstrip(".")):
        item = item.strip()
        if not item or item.lower().startswith(("digital currency address", "alt. digital currency")):
            continue
        m = _ALIAS_RE.match(item)
        if m:
            kind = {"a": "aka", "f": "fka", "n": "nka"}[m.group(1).lower()]
            add_unique(e.aliases, (m.group(2).strip(), kind))
            continue
        low = item.lower()
        if low.startswith(("nationality ", "citizen ", "alt. nationality ", "alt. citizen ")):
            add_unique(e.countries, country_code(item.split(" ", 1)[1].removeprefix("Nationality ")
                                                 .removeprefix("Citizen ")))
            continue
        if low.startswith(("dob ", "alt. dob ", "pob ", "alt. pob ")):
            e.data.setdefault("birth", []).append(item)
            continue
        m = _FACT_RE.match(item)
        if m:
            label = m.group("label").strip()
            scheme = _EXTRA_SCHEMES.get(label.lower()) or scheme_code(vocab, label)
            if scheme:
                value = m.group("value").strip()
                country = country_code(m.group("country")) if m.group("country") else None
                add_unique(e.identifiers, (scheme, value, country))
                continue
