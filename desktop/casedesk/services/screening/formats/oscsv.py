"""OpenSanctions' targets.simple.csv (columns mapped by header: older exports lack some)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from casedesk.domain.vocabulary import Vocabulary
from casedesk.domain.wallets import detect_chain
from casedesk.services.screening.formats import (
    CheckedRows,
    ListEntry,
    ListFormatError,
    ParsedList,
    RowProblem,
    add_unique,
    country_code,
    field_getter,
    latest_date,
    read_text,
    split_multi,
    wallet_identifier,
)
from casedesk.services.screening.formats.ftm import PARTY_SCHEMAS


def read_opensanctions_csv(path: Path, vocab: Vocabulary) -> ParsedList:
    """Read targets.simple.csv: multi-values are ';'-joined, countries lower-case ISO-2."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ListFormatError(f"{path.name} is empty") from None
    for col in ("id", "name"):
        if col not in header:
            raise ListFormatError(f"{path.name}: not an OpenSanctions CSV: no {col} column")
    idx = {c: i for i, c in enumerate(header)}
    entries, problems, dates, datasets = [], [], [], {}
    checked = CheckedRows(reader, len(header), problems)
    for line, row in checked:

        get = field_getter(row, idx)

        name, ent_id = get("name"), get("id")
        if not ent_id:
            problems.append(RowProblem(line, "field id is empty"))
            continue
        if not name:
            problems.append(RowProblem(line, "field name is empty"))
            continue
        schema = get("schema")
        e = ListEntry(key=ent_id, name=name, line=line, entity_type=PARTY_SCHEMAS.get(schema, ""),
                      source_list=get("dataset"))
        for alias in split_multi(get("aliases")):
            if alias != name:
                add_unique(e.aliases, (alias, "aka"))
        for c in split_multi(get("countries")):
            add_unique(e.countries, country_code(c))
        for ident in split_multi(get("identifiers")):
            chain = detect_chain(ident)
            add_unique(e.identifiers,
                       wallet_identifier(vocab, chain, ident) if chain else ("ID", ident, None))
        if schema == "CryptoWallet":
            chain = detect_chain(name)
            if chain:
                add_unique(e.identifiers, wallet_identifier(vocab, chain, name))
        e.programs = split_multi(get("program_ids")) or split_multi(get("sanctions"))[:10]
        for col in ("birth_date", "addresses", "sanctions", "first_seen", "last_seen"):
            if get(col):
                e.data[col] = get(col)
        for ds in split_multi(get("dataset")):
            datasets[ds] = datasets.get(ds, 0) + 1
        stamp = get("last_change") or get("last_seen")
        if re.match(r"\d{4}-\d{2}-\d{2}", stamp):
            dates.append(stamp[:10])
        entries.append(e)
    name = max(datasets, key=datasets.get) if datasets else path.stem
    return ParsedList("opensanctions-csv", entries, problems,
                      snapshot_date=latest_date(dates),
                      default_name=f"OpenSanctions {name}", rows=checked.rows, files=[path])
