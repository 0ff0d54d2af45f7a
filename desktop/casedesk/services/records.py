"""Records: create, update (optimistic locking), delete and merge, each audited in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.countries import resolve_country
from casedesk.domain.errors import ConflictError, NotFoundError, ValidationError
from casedesk.domain.identifiers import validate_identifier
from casedesk.domain.models import (
    KIND_CLASSES,
    Address,
    Alias,
    AuditEntry,
    ChartPosition,
    Citation,
    ContractParty,
    Event,
    Finding,
    Identifier,
    Link,
    Record,
)
from casedesk.domain.transactions import validate_tx_hash
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.domain.wallets import checked_match_key, validate_address
from casedesk.services.audit import record_audit
from casedesk.services.cases import get_case
from casedesk.services.fields import clean_fields
from casedesk.services.screening.merging import move_screening
from casedesk.services.snapshot import link_snapshot, record_snapshot
from casedesk.storage.workspace import actor_of, changes_of


@dataclass(frozen=True)
class AliasIn:
    """An alias to add: name, script, language and kind."""

    name: str
    script: str = ""
    language: str = ""
    kind: str = "aka"


@dataclass(frozen=True)
class IdentifierIn:
    """An identifier to add: scheme code (or a known alias of one) and value."""

    scheme: str
    value: str
    country: str | None = None


@dataclass(frozen=True)
class AddressIn:
    """A postal address to add."""

    full: str
    city: str = ""
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class RecordIn:
    """Everything needed to create a record."""

    kind: str
    fields: dict[str, Any]
    aliases: Sequence[AliasIn] = ()
    identifiers: Sequence[IdentifierIn] = ()
    addresses: Sequence[AddressIn] = ()
    contract_parties: Sequence[tuple[int, str]] = field(default_factory=tuple)


def get_record(session: Session, record_id: int) -> Record:
    """The record with this id, or NotFoundError."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFoundError(f"no record with id {record_id}")
    return record


def _vocab(vocab: Any) -> Any:
    return vocab if vocab is not None else default_vocabulary()


def prepare_wallet(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate a wallet's address for its chain and add the normalised address and match key."""
    checked = validate_address(fields["chain"], fields["address"])
    fields["chain"] = checked.chain
    fields["address"] = checked.address
    fields["match_key"] = checked_match_key(checked.chain, checked.address)
    return fields


def prepare_contract(fields: dict[str, Any], current: Record | None = None) -> dict[str, Any]:
    """Check a contract's on-chain address and transaction hashes against its chain; normalise them."""
    touched = {"chain", "contract_address", "tx_hashes"} & set(fields)
    if not touched:
        return fields
    chain = fields["chain"] if "chain" in fields else getattr(current, "chain", None)
    address = fields["contract_address"] if "contract_address" in fields else getattr(current, "contract_address", None)
    hashes = fields["tx_hashes"] if "tx_hashes" in fields else getattr(current, "tx_hashes", None)
    if address:
        if not chain:
            raise ValidationError("contract_address", "say which chain the contract is on (field chain)")
        try:
            fields["contract_address"] = validate_address(chain, address).address
        except ValidationError as exc:
            raise ValidationError("contract_address", exc.reason) from None
    if hashes:
        fields["tx_hashes"] = list(dict.fromkeys(validate_tx_hash(chain, h) for h in hashes))
    return fields


def check_alias(alias: AliasIn, vocab: Any) -> AliasIn:
    """Refuse an empty alias name; normalise the kind code."""
    if not isinstance(alias.name, str) or not alias.name.strip():
        raise ValidationError("alias", "an alias needs a name")
    return alias


class IdentifierRow(NamedTuple):
    """A checked identifier as plain values (the bulk path inserts these without the ORM)."""

    scheme: str
    value: str
    status: str
    country: str | None


def checked_identifier(ident: IdentifierIn, vocab: Any) -> IdentifierRow:
    """Validate an identifier against its scheme; its values, ready to insert."""
    scheme = vocab.find_scheme(ident.scheme)
    if scheme is None:
        raise ValidationError("identifier", f"unknown identifier scheme {ident.scheme!r}")
    checked = validate_identifier(scheme.code, ident.value, validator=scheme.validator)
    country = resolve_country(ident.country) if ident.country else scheme.country
    return IdentifierRow(checked.scheme, checked.value, checked.status, country)


def check_identifier(ident: IdentifierIn, vocab: Any) -> Identifier:
    """Validate an identifier against its scheme and return an unsaved Identifier row."""
    row = checked_identifier(ident, vocab)
    return Identifier(scheme=row.scheme, value=row.value, status=row.status, country=row.country)


def check_address(addr: AddressIn) -> Address:
    """Validate a postal address and return an unsaved Address row."""
    if not addr.full or not addr.full.strip():
        raise ValidationError("address", "an address needs some text")
    country = resolve_country(addr.country) if addr.country else None
    return Address(full=addr.full, city=addr.city or "", country=country,
                   latitude=addr.latitude, longitude=addr.longitude)


def create_record(session: Session, case_id: int, data: RecordIn, *, vocab: Any = None) -> Record:
    """Create a record of any kind with its aliases, identifiers and addresses; audited."""
    vocab = _vocab(vocab)
    get_case(session, case_id)
    fields = clean_fields(data.kind, data.fields, vocab)
    if data.kind == "wallet":
        fields = prepare_wallet(fields)
    elif data.kind == "contract":
        fields = prepare_contract(fields)
    now = now_iso()
    record = KIND_CLASSES[data.kind](case_id=case_id, created_at=now, updated_at=now, **fields)
    record.aliases = [Alias(name=a.name, script=a.script, language=a.language, alias_kind=a.kind)
                      for a in (check_alias(a, vocab) for a in data.aliases)]
    record.identifiers = [check_identifier(i, vocab) for i in data.identifiers]
    record.addresses = [check_address(a) for a in data.addresses]
    session.add(record)
    session.flush()
    if data.contract_parties:
        if data.kind != "contract":
            raise ValidationError("parties", "only contracts have parties")
        for party_id, role in data.contract_parties:
            add_contract_party(session, record.id, party_id, role, vocab=vocab, audit=False)
    record_audit(session, "create", "record", record.id, case_id=case_id, record_id=record.id,
                 after=record_snapshot(record))
    changes_of(session).add("created", "record", record.id)
    return record


def check_version(session: Session, entity: str, obj: Record | Link, expected_version: int,
                  what: str) -> None:
    """Refuse an edit based on another version than obj's with a ConflictError naming who changed it."""
    if expected_version is None:
        raise ValidationError("version", f"say which version of {what} the change starts from")
    if obj.version == expected_version:
        return
    since = _changes_since(session, entity, obj.id, expected_version)
    who = _who(since, actor_of(session))
    when = since[0].at if since else "meanwhile"
    changes = _diff_json(since[-1].before, since[0].after) if since else {}
    raise ConflictError(
        f"{what} was changed by {who} at {when} "
        f"(version {obj.version}, you edited version {expected_version}); reload and redo your change",
        expected=expected_version, actual=obj.version, changed_by=who, changed_at=when,
        changes=changes)


_CONFLICT_LOOKBACK = 200  # audit entries of one object read to find who moved it on


def _changes_since(session: Session, entity: str, entity_id: int, version: int) -> list[Any]:
    """The object's audit entries newer than `version`, newest first (at least the newest one)."""
    import json

    rows = session.execute(
        select(AuditEntry.actor, AuditEntry.at, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc()).limit(_CONFLICT_LOOKBACK)).all()
    since = []
    for row in rows:
        after = json.loads(row.after) if row.after else {}
        if since and isinstance(after, dict) and isinstance(after.get("version"), int) \
                and after["version"] <= version:
            break  # the entry that made the version the edit started from: older ones don't matter
        since.append(row)
    return since


def _who(since: list[Any], me: str) -> str:
    """Everyone who changed it meanwhile, others first (a colleague's change matters more than ours)."""
    actors = list(dict.fromkeys(row.actor for row in since))
    others = [a for a in actors if a != me]
    if not others:
        return actors[0] if actors else "someone"
    return ", ".join(others[:3]) + (" and others" if len(others) > 3 else "") + \
        (f" (and you as {me})" if me in actors else "")


def _check_version(session: Session, record: Record, expected_version: int) -> None:
    check_version(session, "record", record, expected_version, f"record {record.id} ({record.label[:80]})")


def _diff_json(before: str | None, after: str | None) -> dict[str, Any]:
    import json

    b = json.loads(before) if before else {}
    a = json.loads(after) if after else {}
    return {k: (b.get(k), a.get(k)) for k in set(a) | set(b)
            if b.get(k) != a.get(k) and k not in ("version",)}


def update_record(session: Session, record_id: int, changes: dict[str, Any], *,
                  expected_version: int, vocab: Any = None) -> Record:
    """Change a record's fields from the version the change started from; ConflictError if it moved on."""
    vocab = _vocab(vocab)
    record = get_record(session, record_id)
    _check_version(session, record, expected_version)
    clean = clean_fields(record.kind, changes, vocab, partial=True)
    if record.kind == "wallet" and ({"chain", "address"} & set(clean)):
        merged = {"chain": clean.get("chain", record.chain), "address": clean.get("address", record.address)}
        clean.update(prepare_wallet(merged))
    elif record.kind == "contract":
        clean = prepare_contract(clean, record)
    before = record_snapshot(record)
    for name, value in clean.items():
        setattr(record, name, value)
    record.updated_at = now_iso()
    session.flush()
    record_audit(session, "update", "record", record.id, case_id=record.case_id,
                 record_id=record.id, before=before, after=record_snapshot(record))
    changes_of(session).add("updated", "record", record.id)
    return record


def delete_record(session: Session, record_id: int, *, expected_version: int) -> None:
    """Delete a record with its links, citations and events; audited with a full snapshot."""
    record = get_record(session, record_id)
    _check_version(session, record, expected_version)
    links = session.scalars(
        select(Link).where((Link.source_id == record_id) | (Link.target_id == record_id))
    ).all()
    for link in links:
        record_audit(session, "delete", "link", link.id, case_id=link.case_id,
                     before=link_snapshot(link))
        changes_of(session).add("deleted", "link", link.id)
        session.delete(link)
    record_audit(session, "delete", "record", record.id, case_id=record.case_id,
                 record_id=record.id, before=record_snapshot(record))
    changes_of(session).add("deleted", "record", record.id)
    session.delete(record)
    session.flush()


def add_alias(session: Session, record_id: int, alias: AliasIn, *, vocab: Any = None) -> Alias:
    """Add an alias to a record (audited as an update of the record)."""
    return _edit_children(session, record_id, lambda r: _append(r.aliases, Alias(
        name=check_alias(alias, _vocab(vocab)).name, script=alias.script, language=alias.language,
        alias_kind=alias.kind)))


def add_identifier(session: Session, record_id: int, ident: IdentifierIn, *, vocab: Any = None) -> Identifier:
    """Add a validated identifier to a record."""
    return _edit_children(session, record_id,
                          lambda r: _append(r.identifiers, check_identifier(ident, _vocab(vocab))))


def add_address(session: Session, record_id: int, addr: AddressIn) -> Address:
    """Add a postal address to a record."""
    return _edit_children(session, record_id, lambda r: _append(r.addresses, check_address(addr)))


def remove_child(session: Session, record_id: int, child: str, child_id: int) -> None:
    """Remove an alias, identifier or address (child = 'aliases'|'identifiers'|'addresses')."""
    def drop(record: Record) -> None:
        items = getattr(record, child)
        match = [c for c in items if c.id == child_id]
        if not match:
            raise NotFoundError(f"record {record_id} has no {child[:-1]} with id {child_id}")
        items.remove(match[0])
    _edit_children(session, record_id, drop)


def _append(items: list, item: Any) -> Any:
    items.append(item)
    return item


def _edit_children(session: Session, record_id: int, edit: Any) -> Any:
    record = get_record(session, record_id)
    before = record_snapshot(record)
    result = edit(record)
    record.updated_at = now_iso()
    session.flush()
    record_audit(session, "update", "record", record.id, case_id=record.case_id,
                 record_id=record.id, before=before, after=record_snapshot(record))
    changes_of(session).add("updated", "record", record.id)
    return result


def add_contract_party(session: Session, contract_id: int, party_id: int, role: str, *,
                       vocab: Any = None, audit: bool = True) -> ContractParty:
    """Add a party (or wallet) to a contract in a role its contract type allows."""
    vocab = _vocab(vocab)
    contract = get_record(session, contract_id)
    party = get_record(session, party_id)
    if contract.kind != "contract":
        raise ValidationError("contract", f"record {contract_id} is a {contract.kind}, not a contract")
    if party.kind not in ("party", "wallet"):
        raise ValidationError("party", f"a {party.kind} cannot be party to a contract")
    if party.case_id != contract.case_id:
        raise ValidationError("party", "the party belongs to another case")
    allowed = vocab.contract_types[contract.contract_type].roles
    if role not in allowed:
        raise ValidationError("role", f"{role!r} is not a role of a {contract.contract_type} contract "
                                      f"(one of {', '.join(sorted(allowed))})")
    before = record_snapshot(contract) if audit else None
    cp = ContractParty(contract_id=contract_id, party_id=party_id, role=role)
    contract.parties.append(cp)
    session.flush()
    if audit:
        contract.updated_at = now_iso()
        record_audit(session, "update", "record", contract.id, case_id=contract.case_id,
                     record_id=contract.id, before=before, after=record_snapshot(contract))
        changes_of(session).add("updated", "record", contract.id)
    return cp


def merge_records(session: Session, keep_id: int, drop_id: int) -> Record:
    """Merge drop into keep: every alias, identifier, address, link, citation, event, screening hit
    and decision survives (services.screening.merging)."""
    if keep_id == drop_id:
        raise ValidationError("merge", "cannot merge a record with itself")
    keep, drop = get_record(session, keep_id), get_record(session, drop_id)
    if keep.kind != drop.kind:
        raise ValidationError("merge", f"cannot merge a {drop.kind} into a {keep.kind}")
    if keep.case_id != drop.case_id:
        raise ValidationError("merge", "records of different cases cannot be merged")
    before_keep, before_drop = record_snapshot(keep), record_snapshot(drop)
    names = {keep.label} | {a.name for a in keep.aliases}
    if drop.label not in names:
        keep.aliases.append(Alias(name=drop.label, alias_kind="aka"))
        names.add(drop.label)
    for alias in list(drop.aliases):
        if alias.name not in names:
            keep.aliases.append(Alias(name=alias.name, script=alias.script,
                                      language=alias.language, alias_kind=alias.alias_kind))
            names.add(alias.name)
    have_ids = {(i.scheme, i.value) for i in keep.identifiers}
    for ident in drop.identifiers:
        if (ident.scheme, ident.value) not in have_ids:
            keep.identifiers.append(Identifier(scheme=ident.scheme, value=ident.value,
                                               status=ident.status, country=ident.country))
    for addr in drop.addresses:
        keep.addresses.append(Address(full=addr.full, city=addr.city, country=addr.country,
                                      latitude=addr.latitude, longitude=addr.longitude))
    # Fill fields keep lacks from drop (never overwrite what keep already says).
    for name, value in before_drop.items():
        if name in ("id", "version", "label", "aliases", "identifiers", "addresses", "parties",
                    "case_id", "kind"):
            continue
        if getattr(keep, name, None) in (None, "", []) and value not in (None, "", []):
            setattr(keep, name, value)
    if drop.notes and drop.notes not in keep.notes:
        keep.notes = f"{keep.notes}\n{drop.notes}".strip() if keep.notes else drop.notes
    session.flush()
    moved_links = []
    for column in (Link.source_id, Link.target_id):
        ids = session.scalars(select(Link.id).where(column == drop_id)).all()
        if ids:
            session.execute(update(Link).where(Link.id.in_(ids)).values({column.key: keep_id})
                            .execution_options(synchronize_session=False))
            moved_links.extend(ids)
    for model, column in ((Citation, Citation.record_id), (Event, Event.record_id),
                          (ContractParty, ContractParty.party_id)):
        session.execute(update(model).where(column == drop_id).values({column.key: keep_id})
                        .execution_options(synchronize_session=False))
    if session.get(ChartPosition, (keep.case_id, keep_id)) is None:
        # keep has no place on the chart yet: it takes drop's (otherwise drop's is deleted with it)
        session.execute(update(ChartPosition).where(ChartPosition.record_id == drop_id)
                        .values(record_id=keep_id).execution_options(synchronize_session=False))
    screening = move_screening(session, keep_id, drop_id, drop.label)
    for finding in session.scalars(select(Finding).where(Finding.case_id == keep.case_id)):
        if drop_id in (finding.record_ids or []):
            finding.record_ids = sorted({keep_id if r == drop_id else r for r in finding.record_ids})
    keep.updated_at = now_iso()
    session.flush()
    session.expire_all()
    drop = get_record(session, drop_id)
    keep = get_record(session, keep_id)
    record_audit(session, "merge", "record", keep.id, case_id=keep.case_id, record_id=keep.id,
                 before={"keep": before_keep, "merged": before_drop},
                 after={**record_snapshot(keep), "moved_links": sorted(moved_links),
                        "moved_hits": screening["hits"], "combined_hits": screening["combined_hits"]})
    record_audit(session, "delete", "record", drop.id, case_id=drop.case_id, record_id=drop.id,
                 before=before_drop, after={"merged_into": keep.id})
    session.delete(drop)
    session.flush()
    ch = changes_of(session)
    ch.add("updated", "record", keep.id)
    ch.add("deleted", "record", drop_id)
    for link_id in moved_links:
        ch.add("updated", "link", link_id)
    return keep
