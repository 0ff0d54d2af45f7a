"""What screening and entity resolution compare on a case record: names, countries, ids, wallet."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.models import Address, Alias, Identifier, Party, Record, Wallet


@dataclass
class Subject:
    """A party or wallet of a case, reduced to what matching needs."""

    record_id: int
    case_id: int
    kind: str
    label: str
    party_kind: str = ""
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, "label" | alias kind)
    countries: set[str] = field(default_factory=set)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)
    chain: str = ""
    wallet_key: str = ""
    address: str = ""

    @property
    def entity_type(self) -> str:
        """person / organization / wallet, comparable with list entries' entity_type."""
        if self.kind == "wallet":
            return "wallet"
        return "person" if self.party_kind == "person" else "organization" if self.party_kind else ""


def load_subjects(session: Session, *, case_id: int | None = None,
                  record_ids: list[int] | None = None,
                  kinds: tuple[str, ...] = ("party", "wallet")) -> list[Subject]:
    """Subjects of a case (or of given records), with aliases, identifiers and countries."""
    rec, party, wallet = Record.__table__.c, Party.__table__.c, Wallet.__table__.c
    stmt = (select(rec.id, rec.case_id, rec.kind, rec.label, party.party_kind, party.country,
                   party.hq_country, wallet.chain, wallet.address, wallet.match_key)
            .outerjoin(Party.__table__, party.id == rec.id)
            .outerjoin(Wallet.__table__, wallet.id == rec.id)
            .where(rec.kind.in_(kinds)).order_by(rec.id))
    if case_id is not None:
        stmt = stmt.where(rec.case_id == case_id)
    if record_ids is not None:
        stmt = stmt.where(rec.id.in_(record_ids))
    subjects: dict[int, Subject] = {}
    for rid, cid, kind, label, pk, country, hq, chain, address, key in session.execute(stmt):
        s = Subject(rid, cid, kind, label or "", pk or "", chain=chain or "",
                    wallet_key=key or "", address=address or "")
        if kind == "party":
            s.names.append((s.label, "label"))
        s.countries.update(c for c in (country, hq) if c)
        subjects[rid] = s
    if not subjects:
        return []
    ids = list(subjects)

    def by_record(stmt_for):  # noqa: ANN001, ANN202
        for start in range(0, len(ids), 900):
            yield from session.execute(stmt_for(ids[start:start + 900]))

    for rid, name, kind in by_record(lambda chunk: select(
            Alias.record_id, Alias.name, Alias.alias_kind).where(Alias.record_id.in_(chunk))
            .order_by(Alias.id)):
        s = subjects[rid]
        if s.kind == "party" and name and (name, kind) not in s.names:
            s.names.append((name, kind))
    for rid, scheme, value, country in by_record(lambda chunk: select(
            Identifier.record_id, Identifier.scheme, Identifier.value, Identifier.country)
            .where(Identifier.record_id.in_(chunk)).order_by(Identifier.id)):
        subjects[rid].identifiers.append((scheme, value))
    for rid, country in by_record(lambda chunk: select(Address.record_id, Address.country)
                                  .where(Address.record_id.in_(chunk))):
        if country:
            subjects[rid].countries.add(country)
    return list(subjects.values())
