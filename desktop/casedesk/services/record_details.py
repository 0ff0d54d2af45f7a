"""What the inspector shows and edits, as plain data with the ids an edit needs.

services.record_description.describe_record gives readable lines; the inspector also needs the id of each
alias, identifier, address, contract party, event, citation and link it offers to edit or open.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casedesk.domain.errors import NotFoundError
from casedesk.domain.models import (
    Citation,
    ContractParty,
    Event,
    Evidence,
    Finding,
    Link,
    Party,
    Record,
)
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.fields import LINK_FIELDS, fields_of
from casedesk.services.findings import finding_dict
from casedesk.services.links import get_link
from casedesk.services.records import get_record


def _labels(session: Session, ids: set[int]) -> dict[int, tuple[str, str, str | None]]:
    if not ids:
        return {}
    rows = session.execute(select(Record.id, Record.label, Record.kind, Party.__table__.c.party_kind)
                           .outerjoin(Party.__table__, Party.__table__.c.id == Record.id)
                           .where(Record.id.in_(sorted(ids)[:5000])))
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _citations(session: Session, *, record_id: int | None = None, link_id: int | None = None) -> list[dict[str, Any]]:
    where = Citation.record_id == record_id if record_id is not None else Citation.link_id == link_id
    return [{"id": c.id, "evidence_id": e.id, "title": e.title, "grade": f"{e.reliability}{e.credibility}",
             "sha256": e.sha256, "locator": c.locator, "claim": c.claim, "filename": e.filename}
            for c, e in session.execute(select(Citation, Evidence).join(Evidence, Evidence.id == Citation.evidence_id)
                                        .where(where).order_by(Citation.id))]


def _link_line(link: Link, labels: dict[int, tuple[str, str, str | None]], vocab: Any, from_id: int) -> dict[str, Any]:
    lt = vocab.link_types.get(link.link_type)
    outgoing = link.source_id == from_id
    verb = (lt.label if outgoing else lt.inverse_label) if lt else link.link_type
    other = link.target_id if outgoing else link.source_id
    share = f" {link.share_pct:g} %" if link.share_pct is not None else ""
    return {"id": link.id, "verb": verb + share, "other_id": other,
            "other_label": labels.get(other, (f"record {other}", "", None))[0],
            "other_kind": labels.get(other, ("", "party", None))[1],
            "other_subkind": labels.get(other, ("", "", None))[2], "outgoing": outgoing,
            "dates": " – ".join(x for x in (link.start_on or "", link.end_on or "") if x), "grade": link.grade}


def record_details(session: Session, record_id: int, *, vocab: Any = None) -> dict[str, Any]:
    """A record with its fields, names, identifiers, addresses, parties, links, events, citations, findings."""
    vocab = vocab if vocab is not None else default_vocabulary()
    r = get_record(session, record_id)
    links = session.scalars(select(Link).where(or_(Link.source_id == r.id, Link.target_id == r.id))
                            .order_by(Link.id)).all()
    parties = session.scalars(select(ContractParty).where(ContractParty.contract_id == r.id)
                              .order_by(ContractParty.id)).all() if r.kind == "contract" else []
    memberships = session.scalars(select(ContractParty).where(ContractParty.party_id == r.id)
                                  .order_by(ContractParty.id)).all()
    ids = {link.source_id for link in links} | {link.target_id for link in links} | \
        {p.party_id for p in parties} | {m.contract_id for m in memberships}
    labels = _labels(session, ids)
    findings = [finding_dict(f) for f in session.scalars(
        select(Finding).where(Finding.case_id == r.case_id).order_by(Finding.id)) if r.id in (f.record_ids or [])]
    return {
        "id": r.id, "case_id": r.case_id, "kind": r.kind, "label": r.label, "version": r.version,
        "subkind": getattr(r, "party_kind", None),
        "values": {f.name: getattr(r, f.name) for f in fields_of(r.kind)},
        "aliases": [{"id": a.id, "name": a.name, "script": a.script, "language": a.language, "kind": a.alias_kind}
                    for a in r.aliases],
        "identifiers": [{"id": i.id, "scheme": i.scheme, "value": i.value, "status": i.status,
                         "country": i.country} for i in r.identifiers],
        "addresses": [{"id": a.id, "full": a.full, "city": a.city, "country": a.country} for a in r.addresses],
        "parties": [{"id": p.id, "party_id": p.party_id, "role": p.role,
                     "label": labels.get(p.party_id, (f"record {p.party_id}", "", None))[0],
                     "kind": labels.get(p.party_id, ("", "party", None))[1],
                     "subkind": labels.get(p.party_id, ("", "", None))[2]} for p in parties],
        "memberships": [{"id": m.id, "contract_id": m.contract_id, "role": m.role,
                         "label": labels.get(m.contract_id, (f"record {m.contract_id}", "", None))[0]}
                        for m in memberships],
        "links": [_link_line(link, labels, vocab, r.id) for link in links],
        "events": [{"id": e.id, "title": e.title, "on": e.on, "until": e.until}
                   for e in session.scalars(select(Event).where(Event.record_id == r.id).order_by(Event.on, Event.id))],
        "citations": _citations(session, record_id=r.id),
        "findings": [{"id": f["id"], "title": f["title"], "severity": f["severity"], "status": f["status"]}
                     for f in findings],
    }


def link_details(session: Session, link_id: int, *, vocab: Any = None) -> dict[str, Any]:
    """A link with its ends, fields and citations."""
    vocab = vocab if vocab is not None else default_vocabulary()
    link = get_link(session, link_id)
    labels = _labels(session, {link.source_id, link.target_id})
    lt = vocab.link_types.get(link.link_type)
    return {
        "id": link.id, "case_id": link.case_id, "link_type": link.link_type, "version": link.version,
        "type_label": lt.label if lt else link.link_type, "has_share": bool(lt and lt.has_share),
        "source_id": link.source_id, "target_id": link.target_id,
        "source": labels.get(link.source_id, ("?", "party", None)),
        "target": labels.get(link.target_id, ("?", "party", None)),
        "values": {f.name: getattr(link, f.name) for f in LINK_FIELDS},
        "citations": _citations(session, link_id=link.id),
    }


def finding_details(session: Session, finding_id: int) -> dict[str, Any]:
    """A finding with the labels of the records that explain it."""
    f = session.get(Finding, finding_id)
    if f is None:
        raise NotFoundError(f"no finding with id {finding_id}")
    data = finding_dict(f)
    labels = _labels(session, set(data["record_ids"]))
    data["records"] = [{"id": r, "label": labels[r][0], "kind": labels[r][1], "subkind": labels[r][2]}
                       for r in data["record_ids"] if r in labels]
    return data


def case_evidence(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The evidence of a case, newest first, for citing."""
    return [{"id": e.id, "title": e.title, "grade": f"{e.reliability}{e.credibility}", "sha256": e.sha256}
            for e in session.scalars(select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id.desc()))]


def party_choices(session: Session, case_id: int, *, limit: int = 2000) -> list[tuple[int, str, str, str | None]]:
    """Parties and wallets of a case that can join a contract: (id, label, kind, party kind)."""
    rows = session.execute(select(Record.id, Record.label, Record.kind, Party.__table__.c.party_kind)
                           .outerjoin(Party.__table__, Party.__table__.c.id == Record.id)
                           .where(Record.case_id == case_id, Record.kind.in_(("party", "wallet")))
                           .order_by(Record.kind, Record.label).limit(limit))
    return [(r[0], r[1], r[2], r[3]) for r in rows]
