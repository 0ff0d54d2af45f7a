"""The BIS Denied Persons List as distributed: tab-separated, every field double-quoted."""

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
)


def read_dpl(path: Path, vocab: Vocabulary) -> ParsedList:
    """Read dpl.txt; the snapshot date is the newest Last_Update."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ListFormatError(f"{path.name} is empty") from None
    if "name" not in header:
        raise ListFormatError(f"{path.name}: not a Denied Persons file: no Name column")
    idx = {c: i for i, c in enumerate(header)}
    entries, problems, updates = [], [], []
    checked = CheckedRows(reader, len(header), problems)
    for line, row in checked:

        get = field_getter(row, idx)

        name = " ".join(get("name").split())
        if not name:
            problems.append(RowProblem(line, "field Name is empty"))
            continue
        address = ", ".join(p for p in (get("street_address"), get("city"), get("state"),
                                        get("postal_code"), get("country")) if p)
        e = ListEntry(key=derived_key(name, address, get("effective_date")), name=name, line=line,
                      source_list="Denied Persons List (DPL)")
        add_unique(e.countries, country_code(get("country")))
        if address:
            e.data["addresses"] = [address]
        for col in ("effective_date", "expiration_date", "standard_order", "last_update", "action",
                    "fr_citation"):
            if get(col):
                e.data[col] = get(col)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", get("last_update")):
            updates.append(get("last_update"))
        entries.append(e)
    return ParsedList("dpl", entries, problems, snapshot_date=latest_date(updates),
                      default_name="BIS Denied Persons List", rows=checked.rows, files=[path], name_field="Name")
