"""Small edits the inspector and undo need beyond creating: remove an event, citation, evidence or contract party.

Each is audited with a snapshot of what it removed (so the audit log can say what was there),
and reports its change for the views.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError
from casedesk.domain.models import Citation, ContractParty, Event, Evidence
from casedesk.services.audit import record_audit
from casedesk.services.evidence import add_event, attach_evidence, blob_content, cite
from casedesk.services.records import get_record
from casedesk.services.snapshot import column_values, record_snapshot
from casedesk.storage.workspace import changes_of


def delete_event(session: Session, event_id: int) -> dict[str, Any]:
    """Delete an event; returns its values (to re-add it)."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFoundError(f"no event with id {event_id}")
    values = column_values(event)
    record_audit(session, "delete", "event", event_id, case_id=event.case_id, record_id=event.record_id,
                 before={k: values[k] for k in ("title", "on", "until", "description", "record_id")})
    session.delete(event)
    session.flush()
    changes_of(session).add("deleted", "event", event_id)
    return values


def readd_event(session: Session, values: dict[str, Any]) -> int:
    """Add an event again from the values delete_event returned; returns its new id."""
    return add_event(session, values["case_id"], values["title"], values["on"], record_id=values["record_id"],
                     until=values["until"], description=values.get("description") or "").id


def delete_citation(session: Session, citation_id: int) -> dict[str, Any]:
    """Delete a citation (the evidence stays); returns its values."""
    c = session.get(Citation, citation_id)
    if c is None:
        raise NotFoundError(f"no citation with id {citation_id}")
    values = column_values(c)
    ev = session.get(Evidence, c.evidence_id)
    record_audit(session, "delete", "citation", citation_id, case_id=ev.case_id if ev else None,
                 record_id=c.record_id, before={k: values[k] for k in ("evidence_id", "record_id", "link_id",
                                                                        "locator", "claim")})
    session.delete(c)
    session.flush()
    changes_of(session).add("deleted", "citation", citation_id)
    return values


def recite(session: Session, values: dict[str, Any]) -> int:
    """Cite again from the values delete_citation returned; returns the new citation id."""
    return cite(session, values["evidence_id"], record_id=values["record_id"], link_id=values["link_id"],
                locator=values.get("locator") or "", claim=values.get("claim") or "").id


def delete_evidence(session: Session, evidence_id: int) -> dict[str, Any]:
    """Delete an evidence item and its citations (its stored content stays, as other items may share it)."""
    ev = session.get(Evidence, evidence_id)
    if ev is None:
        raise NotFoundError(f"no evidence with id {evidence_id}")
    values = column_values(ev)
    cites = [column_values(c) for c in session.scalars(select(Citation).where(Citation.evidence_id == evidence_id))]
    for c in cites:
        delete_citation(session, c["id"])
    record_audit(session, "delete", "evidence", evidence_id, case_id=ev.case_id,
                 before={k: values[k] for k in ("title", "sha256", "source", "filename", "reliability",
                                                "credibility")})
    session.delete(ev)
    session.flush()
    changes_of(session).add("deleted", "evidence", evidence_id)
    return {"evidence": values, "citations": cites}


def reattach_evidence(session: Session, captured: dict[str, Any]) -> tuple[int, list[int]]:
    """Attach deleted evidence again from its stored content and re-cite it; returns (evidence, citations)."""
    v = captured["evidence"]
    ev = attach_evidence(session, v["case_id"], blob_content(session, v["sha256"]), title=v["title"],
                         grade=f"{v['reliability']}{v['credibility']}", kind=v["evidence_kind"],
                         source=v["source"], author=v["author"], source_date=v["source_date"],
                         filename=v["filename"], media_type=v["media_type"])
    cites = [recite(session, {**c, "evidence_id": ev.id}) for c in captured["citations"]]
    return ev.id, cites


def remove_contract_party(session: Session, contract_party_id: int) -> dict[str, Any]:
    """Remove a party from a contract (audited as an update of the contract); returns what it was."""
    cp = session.get(ContractParty, contract_party_id)
    if cp is None:
        raise NotFoundError(f"no contract party with id {contract_party_id}")
    contract = get_record(session, cp.contract_id)
    values = column_values(cp)
    before = record_snapshot(contract)
    contract.parties.remove(cp)
    contract.updated_at = now_iso()
    session.flush()
    record_audit(session, "update", "record", contract.id, case_id=contract.case_id, record_id=contract.id,
                 before=before, after=record_snapshot(contract))
    changes_of(session).add("updated", "record", contract.id)
    return values
