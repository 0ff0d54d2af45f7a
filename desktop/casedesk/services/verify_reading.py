"""Reading rows and their newest audit entries for verify, in key ranges an index serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.models import AuditEntry
from casedesk.services.audit import canonical_json

_PLAIN = (str, int, float, bool, type(None))


def as_json_value(value: Any) -> Any:
    """A value as it reads back from an entry's canonical JSON."""
    if type(value) in _PLAIN:
        return value  # JSON gives these back as they are
    return json.loads(canonical_json(value))


def last_entries(s: Session, entity: str) -> dict[int, int]:
    """entity id → id of its newest audit entry."""
    return dict(s.execute(select(AuditEntry.entity_id, func.max(AuditEntry.id))
                          .where(AuditEntry.entity == entity, AuditEntry.entity_id.is_not(None))
                          .group_by(AuditEntry.entity_id)).all())


# Core rows, not ORM objects: verify reads every row of a big workspace (50,000 records and
# 100,000 links in a few seconds rather than tens).
def rows_by_ids(s: Session, table: Any, ids: list[int], key: str = "id") -> Iterator[dict[str, Any]]:
    """Rows whose key is one of ids (sorted): read as one key range, which an index serves."""
    if not ids:
        return
    col = table.c[key]
    order = table.c.id if "id" in table.c else col
    wanted = set(ids)
    result = s.execute(select(table).where(col.between(ids[0], ids[-1])).order_by(order))
    names = list(result.keys())
    for row in result.all():
        item = dict(zip(names, row))
        if item[key] in wanted:
            yield item


def audit_afters(s: Session, ids: list[int], extra: Any) -> dict[int, tuple[str, Any, Any]]:
    """audit id → (action, its parsed after-state or None, the value of the `extra` column)."""
    out = {}
    for aid, action, after, value in s.execute(
            select(AuditEntry.id, AuditEntry.action, AuditEntry.after, extra).where(AuditEntry.id.in_(ids))):
        try:
            parsed = json.loads(after) if after else None
        except ValueError:
            parsed = None
        out[aid] = (action, parsed, value)
    return out
