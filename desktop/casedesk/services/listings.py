"""Read-side queries shared by the CLI, the GUI tables and exports (column selects, no ORM entities)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from casedesk.domain.models import KIND_CLASSES, Link, Record
from casedesk.services.cases import get_case
from casedesk.services.fields import KIND_FIELDS, LINK_FIELDS


def list_records(session: Session, case_id: int, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Every record of a case as {id, kind, label, fields} (fields are the kind's own)."""
    get_case(session, case_id)
    out: list[dict[str, Any]] = []
    for k in ([kind] if kind else list(KIND_CLASSES)):
        cls = KIND_CLASSES[k]
        names = ["notes", "sensitive"] + [f.name for f in KIND_FIELDS[k]]
        # tags come back as raw JSON text: nearly all are "[]" and decoding 100k of them is
        # a third of the listing time.
        cols = [Record.id, Record.label, Record.version, type_coerce(Record.tags, Text)] + \
            [getattr(cls, n) for n in names]
        for row in session.execute(
            select(*cols).select_from(cls).where(Record.case_id == case_id).order_by(Record.id)
        ):
            fields = dict(zip(names, row[4:]))
            tags = row[3]  # psycopg decodes json itself; SQLite gives the text
            fields["tags"] = tags if isinstance(tags, list) else [] if tags in (None, "[]") else json.loads(tags)
            out.append({"id": row[0], "kind": k, "label": row[1], "version": row[2], "fields": fields})
    out.sort(key=lambda r: r["id"])
    return out


def list_links(session: Session, case_id: int) -> list[dict[str, Any]]:
    """Every link of a case as {id, type, source_id, target_id, fields}."""
    get_case(session, case_id)
    names = [f.name for f in LINK_FIELDS]
    cols = [Link.id, Link.link_type, Link.source_id, Link.target_id, Link.version] + \
        [getattr(Link, n) for n in names]
    return [{"id": r[0], "type": r[1], "source_id": r[2], "target_id": r[3], "version": r[4],
             "fields": dict(zip(names, r[5:]))}
            for r in session.execute(select(*cols).where(Link.case_id == case_id).order_by(Link.id))]


def current_versions(session: Session, entity: str, ids: Sequence[int]) -> dict[int, int]:
    """{id: version} of the records or links (entity "record" or "link") that still exist, in order."""
    model = Link if entity == "link" else Record
    found = {row_id: version for row_id, version in
             session.execute(select(model.id, model.version).where(model.id.in_(list(ids))))}
    return {i: found[i] for i in ids if i in found}
