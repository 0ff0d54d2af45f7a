"""Any CSV (or TSV) list through a column mapping (a small YAML or JSON file).

Mapping keys::

    name: Supplier blacklist        # default list name (optional)
    delimiter: ","                  # optional; sniffed from the header when absent
    snapshot_date: 2024-05-01       # optional
    columns:
      name: Company Name            # required: the column holding each entry's name
      key: ID                       # optional: the list's own id (else derived from the row)
      aliases: {column: Other names, separator: ";"}
      countries: {column: Country, separator: ";"}
      programs: {column: Program, separator: ";"}
      entity_type: Type
      remarks: Remarks
      source_list: List
    identifiers:
      - {column: USCC, scheme: CN_USCC}
      - {column: ETH wallet, chain: ETH}
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

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
    read_text,
    scheme_code,
    split_multi,
    wallet_identifier,
)

_FIELDS = ("name", "key", "aliases", "countries", "programs", "entity_type", "remarks", "source_list")
_TYPES = {"individual": "person", "person": "person", "entity": "organization",
          "company": "organization", "organization": "organization", "organisation": "organization",
          "vessel": "vessel", "aircraft": "aircraft"}


def load_mapping(path: Path) -> dict[str, Any]:
    """Read a mapping file (YAML or JSON); ListFormatError when it is not a mapping."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ListFormatError(f"cannot read mapping {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ListFormatError(f"mapping {Path(path).name} is not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise ListFormatError(f"mapping {Path(path).name} needs a 'columns' section naming at least "
                              "the name column")
    return data


def _spec(value: Any) -> tuple[str, str | None]:
    if isinstance(value, dict):
        return str(value.get("column", "")), value.get("separator")
    return str(value), None


def read_mapped(path: Path, mapping: dict[str, Any], vocab: Vocabulary) -> ParsedList:
    """Read a CSV whose columns the mapping names."""
    cols = mapping.get("columns") or {}
    if not isinstance(cols, dict) or "name" not in cols:
        raise ListFormatError("the mapping must name the column holding entry names (columns: name:)")
    unknown = [k for k in cols if k not in _FIELDS]
    if unknown:
        raise ListFormatError(f"the mapping has unknown fields {', '.join(map(str, unknown))} "
                              f"(known: {', '.join(_FIELDS)})")
    text = read_text(path)
    first = text.split("\n", 1)[0]
    delimiter = mapping.get("delimiter") or ("\t" if first.count("\t") > first.count(",") else
                                             ";" if first.count(";") > first.count(",") else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ListFormatError(f"{path.name} is empty") from None
    folded = {h.casefold(): i for i, h in enumerate(header)}

    def column(name: str, what: str) -> int:
        i = folded.get(name.strip().casefold())
        if i is None:
            raise ListFormatError(f"the mapping's {what} column {name!r} is not in {path.name} "
                                  f"(columns: {', '.join(header[:30])})")
        return i

    spec = {f: (column(_spec(v)[0], f), _spec(v)[1]) for f, v in cols.items()}
    ids = []
    for item in mapping.get("identifiers") or []:
        if not isinstance(item, dict) or "column" not in item:
            raise ListFormatError("each mapping identifier needs a column and a scheme or chain")
        if item.get("chain"):
            ids.append((column(str(item["column"]), "identifier"), None, str(item["chain"])))
        else:
            scheme = scheme_code(vocab, str(item.get("scheme", ""))) or str(item.get("scheme", "")).upper()
            if not scheme:
                raise ListFormatError(f"identifier column {item['column']!r} needs a scheme or chain")
            ids.append((column(str(item["column"]), "identifier"), scheme[:40], None))
    entries, problems = [], []
    checked = CheckedRows(reader, len(header), problems)
    for line, row in checked:

        def get(field: str) -> list[str]:
            if field not in spec:
                return []
            i, sep = spec[field]
            value = row[i].strip()
            return split_multi(value, sep) if sep else ([value] if value else [])

        names = get("name")
        if not names:
            problems.append(RowProblem(line, f"field {header[spec['name'][0]]} (name) is empty"))
            continue
        key = (get("key") or [""])[0] or derived_key(*row)
        e = ListEntry(key=key, name=names[0], line=line,
                      entity_type=_TYPES.get((get("entity_type") or [""])[0].lower(), ""),
                      remarks=(get("remarks") or [""])[0],
                      source_list=(get("source_list") or [""])[0])
        for alias in names[1:] + get("aliases"):
            add_unique(e.aliases, (alias, "aka"))
        for c in get("countries"):
            add_unique(e.countries, country_code(c))
        e.programs = get("programs")
        for i, scheme, chain in ids:
            for value in split_multi(row[i], ";"):
                add_unique(e.identifiers, wallet_identifier(vocab, chain, value) if chain else
                           (scheme, value, None))
        entries.append(e)
    snap = mapping.get("snapshot_date")
    return ParsedList("mapping", entries, problems, snapshot_date=str(snap) if snap else None,
                      default_name=str(mapping.get("name") or path.stem), rows=checked.rows, files=[path],
                      name_field=header[spec["name"][0]])
