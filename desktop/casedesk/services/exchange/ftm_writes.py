"""Rows an FtM import writes beside the importer's writer: contract parties, entity-id citation locators."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import bindparam, select, update

from casedesk.domain.models import Citation

_LINES = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?")


def add_contract_parties(session: Any, case_id: int, batch_id: int,
                          items: list[tuple[Any, Any, str, int]]) -> None:
    """ContractAward entities: parties of contracts (a contract's own rows, not links), audited."""
    from casedesk.domain.models import ContractParty
    from casedesk.services.audit import record_audit_bulk
    from casedesk.services.bulk import allocate_ids
    from casedesk.storage.bulkinsert import insert_tuples

    seen: set[tuple[int, int, str]] = set()
    rows = []
    for contract, party, role, _line in items:
        key = (contract.record_id, party.record_id, role)
        if key not in seen:
            seen.add(key)
            rows.append(key)
    if not rows:
        return
    ids = allocate_ids(session, ContractParty.__table__, len(rows))
    insert_tuples(session, ContractParty.__table__, ["id", "contract_id", "party_id", "role"],
                  [(i, *r) for i, r in zip(ids, rows)])
    record_audit_bulk(session, [("create", "contract_party", i, case_id, c, None,
                                 {"contract_id": c, "party_id": p, "role": r, "import_batch": batch_id})
                                for i, (c, p, r) in zip(ids, rows)])


def relocate_citations(session: Any, evidence_id: int, line_ids: dict[int, str]) -> None:
    """Citations of this import name entity ids (not file lines) as their locators."""
    updates = []
    for cid, locator in session.execute(
            select(Citation.id, Citation.locator).where(Citation.evidence_id == evidence_id)):
        ids: list[str] = []
        for m in _LINES.finditer(locator or ""):
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) else first
            for n in range(first, min(last, first + 10000) + 1):
                eid = line_ids.get(n)
                if eid is not None and eid not in ids:
                    ids.append(eid)
        if ids:
            text = ("entity " if len(ids) == 1 else "entities ") + ", ".join(ids[:50])
            if len(ids) > 50:
                text += f" and {len(ids) - 50} more"
            updates.append({"cid": cid, "loc": text})
    if updates:
        session.execute(update(Citation.__table__).where(Citation.__table__.c.id == bindparam("cid"))
                        .values(locator=bindparam("loc")), updates)
