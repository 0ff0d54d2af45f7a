"""A record described for reading: fields with labels, names, identifiers, links, citations, events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casedesk.domain.models import Citation, ContractParty, Event, Evidence, Link, Record
from casedesk.services.fields import fields_of
from casedesk.services.records import get_record


def describe_record(session: Session, record_id: int) -> dict[str, Any]:
    """Everything the inspector shows about a record, as plain data."""
    r = get_record(session, record_id)
    labels = dict(session.execute(select(Record.id, Record.label).where(Record.case_id == r.case_id)).all())
    links = session.scalars(select(Link).where(or_(Link.source_id == r.id, Link.target_id == r.id))
                            .order_by(Link.id)).all()
    link_lines = []
    for link in links:
        other = link.target_id if link.source_id == r.id else link.source_id
        arrow = "→" if link.source_id == r.id else "←"
        share = f" {link.share_pct:g} %" if link.share_pct is not None else ""
        link_lines.append(f"{arrow} {link.link_type.replace('_', ' ')}{share} {labels.get(other, other)}")
    cites = session.execute(
        select(Evidence.title, Evidence.reliability, Evidence.credibility, Evidence.sha256, Citation.locator)
        .join(Citation, Citation.evidence_id == Evidence.id).where(Citation.record_id == r.id)
        .order_by(Citation.id)
    ).all()
    events = session.execute(select(Event.on, Event.title).where(Event.record_id == r.id)
                             .order_by(Event.on, Event.id)).all()
    parties = []
    if r.kind == "contract":
        parties = [f"{p.role}: {labels.get(p.party_id, p.party_id)}" for p in
                   session.scalars(select(ContractParty).where(ContractParty.contract_id == r.id)
                                   .order_by(ContractParty.id))]
    return {
        "id": r.id, "case_id": r.case_id, "kind": r.kind, "label": r.label, "version": r.version,
        "fields": [(f.name, f.label, getattr(r, f.name)) for f in fields_of(r.kind)],
        "aliases": [f"{a.name} ({', '.join(x for x in (a.script, a.language, a.alias_kind) if x)})"
                    for a in r.aliases],
        "identifiers": [f"{i.scheme}: {i.value} ({i.status})" for i in r.identifiers],
        "addresses": [a.full for a in r.addresses],
        "links": parties + link_lines,
        "citations": [f"{t} [{rel}{cred}] {loc} — sha256 {sha[:12]}…" for t, rel, cred, sha, loc in cites],
        "events": [f"{on}: {title}" for on, title in events],
    }
