"""The US Consolidated Screening List CSV (29 columns with `_id`; the older 28 without it)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.screening.formats import (
    CheckedRows,
    ListEntry,
    ListFormatError,
    ParsedList,
    RowProblem,
    add_unique,
    country_code,
    derived_key,
    field_getter,
    latest_date,
    read_text,
    scheme_code,
    split_multi,
    wallet_identifier,
)

REQUIRED = ("source", "name")
_ISO2_TAIL = re.compile(r",\s*([A-Z]{2})\s*$")
_TYPES = {"individual": "person", "entity": "organization", "vessel": "vessel", "aircraft": "aircraft"}
# ISN names end with this boilerplate; it is not part of the name.
_SUCCESSOR = re.compile(r";?\s*and any successor,? sub-unit,? or subsidiary thereof\.?\s*$", re.I)


def read_csl(path: Path, vocab: Vocabulary) -> ParsedList:
    """Read a CSL CSV, mapping columns by header name."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ListFormatError(f"{path.name} is empty") from None
    except csv.Error as exc:
        raise ListFormatError(f"{path.name}: line 1: {exc}") from None
    cols = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise ListFormatError(f"{path.name}: not a CSL file: the header has no {', '.join(missing)} "
                              "column")
    idx = {c: i for i, c in enumerate(cols)}
    entries: list[ListEntry] = []
    problems: list[RowProblem] = []
    dates: list[str] = []
    checked = CheckedRows(reader, len(cols), problems)
    for line, row in checked:

        get = field_getter(row, idx)

        name = _SUCCESSOR.sub("", get("name")).strip()
        if not name:
            problems.append(RowProblem(line, "field name is empty"))
            continue
        source = get("source")
        if not source:
            problems.append(RowProblem(line, "field source is empty"))
            continue
        key = get("_id") or (f"{source}:{get('entity_number')}" if get("entity_number") else
                             derived_key(source, name, get("addresses")))
        e = ListEntry(key=key, name=name, line=line, source_list=source,
                      entity_type=_TYPES.get(get("type").lower(), ""))
        for alias in split_multi(get("alt_names")):
            alias = re.sub(r"^and\s+", "", alias, flags=re.I).strip()
            if alias and alias != name:
                add_unique(e.aliases, (alias, "aka"))
        e.programs = split_multi(get("programs"))
        addresses = split_multi(get("addresses"))
        for addr in addresses:
            m = _ISO2_TAIL.search(addr)
            if m:
                add_unique(e.countries, country_code(m.group(1)))
        for col in ("citizenships", "nationalities"):
            for c in split_multi(get(col)):
                add_unique(e.countries, country_code(c))
        for item in split_multi(get("ids"), "; "):
            parts = [p.strip() for p in item.split(",")]
            label = parts[0]
            if label.lower().startswith("digital currency address") and len(parts) >= 2:
                chain = label.split("-")[-1].strip()
                e.identifiers.append(wallet_identifier(vocab, chain, parts[1]))
                continue
            scheme = scheme_code(vocab, label)
            if scheme and len(parts) >= 2 and parts[1]:
                country = country_code(parts[2]) if len(parts) >= 3 else None
                e.identifiers.append((scheme, parts[1], country))
            else:
                e.data.setdefault("notes", []).append(item)
        e.remarks = get("remarks")
        for col in ("title", "federal_register_notice", "start_date", "end_date",
                    "license_requirement", "license_policy", "dates_of_birth", "places_of_birth",
                    "source_list_url", "source_information_url", "call_sign", "vessel_type",
                    "vessel_flag", "vessel_owner"):
            if get(col):
                e.data[col] = get(col)
        if addresses:
            e.data["addresses"] = addresses
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", get("start_date")):
            dates.append(get("start_date"))
        entries.append(e)
    return ParsedList("csl", entries, problems, snapshot_date=latest_date(dates),
                      default_name="US Consolidated Screening List", rows=checked.rows, files=[path])
