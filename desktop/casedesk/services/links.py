"""Links between records: typed by the vocabulary, checked for allowed endpoints, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import Link, Party, Record, Wallet
from casedesk.domain.transactions import validate_tx_hash
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.audit import record_audit
from casedesk.services.fields import TRANSFER_FIELDS, clean_link_fields
from casedesk.services.records import check_version, get_record
from casedesk.services.snapshot import link_snapshot
from casedesk.storage.workspace import changes_of

__all__ = ["check_transfer_facts", "add_link", "update_link", "delete_link", "get_link", "check_endpoints"]


def get_link(session: Session, link_id: int) -> Link:
    """The link with this id, or NotFoundError."""
    link = session.get(Link, link_id)
    if link is None:
        raise NotFoundError(f"no link with id {link_id}")
    return link


def _subkind(record: Record) -> str | None:
    return record.party_kind if isinstance(record, Party) else None


def check_endpoints(vocab: Any, link_type: str, source: Record, target: Record) -> None:
    """Refuse a link whose type the vocabulary does not allow between these two records."""
    lt = vocab.link_types.get(link_type)
    if lt is None:
        raise ValidationError("link_type", f"unknown link type {link_type!r}")
    if not lt.allows(source.kind, _subkind(source), target.kind, _subkind(target)):
        raise ValidationError(
            "link_type",
            f"a {source.kind} cannot be linked to a {target.kind} by {lt.label!r}")


def check_transfer_facts(vocab: Any, link_type: str, clean: dict[str, Any],
                         source: Record, target: Record) -> None:
    """Refuse transfer facts on a link type that carries none; check the hash for the wallets' chain."""
    given = [n for n in TRANSFER_FIELDS if clean.get(n) not in (None, "")]
    if given and not vocab.link_types[link_type].transfer:
        raise ValidationError(given[0], f"{vocab.link_types[link_type].label!r} links carry no "
                                        f"{given[0]} (only transfers and payments do)")
    if clean.get("tx_hash"):
        wallet = source if isinstance(source, Wallet) else target if isinstance(target, Wallet) else None
        if wallet is not None and wallet.chain:
            try:
                clean["tx_hash"] = validate_tx_hash(wallet.chain, clean["tx_hash"], field="tx_hash")
            except ValidationError as exc:
                # A chain whose hashes are not checked here keeps the shape-checked hash.
                if "are not checked here" not in exc.reason:
                    raise


def add_link(session: Session, case_id: int, link_type: str, source_id: int, target_id: int,
             *, vocab: Any = None, **fields: Any) -> Link:
    """Create a link of an allowed type between two records of the same case; audited."""
    vocab = vocab if vocab is not None else default_vocabulary()
    source, target = get_record(session, source_id), get_record(session, target_id)
    if source.case_id != case_id or target.case_id != case_id:
        raise ValidationError("link", "both ends of a link must belong to the case")
    if source_id == target_id:
        raise ValidationError("link", "a record cannot be linked to itself")
    check_endpoints(vocab, link_type, source, target)
    clean = clean_link_fields(fields, vocab)
    check_transfer_facts(vocab, link_type, clean, source, target)
    if clean.get("share_pct") is not None and not vocab.link_types[link_type].has_share:
        raise ValidationError("share_pct", f"{vocab.link_types[link_type].label!r} links have no share")
    now = now_iso()
    link = Link(case_id=case_id, link_type=link_type, source_id=source_id, target_id=target_id,
                created_at=now, updated_at=now, **clean)
    session.add(link)
    session.flush()
    record_audit(session, "create", "link", link.id, case_id=case_id, after=link_snapshot(link))
    changes_of(session).add("created", "link", link.id)
    return link


def update_link(session: Session, link_id: int, changes: dict[str, Any], *,
                expected_version: int, vocab: Any = None) -> Link:
    """Change a link's fields (not its ends) from the version the change started from; ConflictError if stale."""
    vocab = vocab if vocab is not None else default_vocabulary()
    link = get_link(session, link_id)
    check_version(session, "link", link, expected_version, f"link {link_id} ({link.link_type})")
    clean = clean_link_fields(changes, vocab)
    check_transfer_facts(vocab, link.link_type, clean, get_record(session, link.source_id),
                         get_record(session, link.target_id))
    before = link_snapshot(link)
    for name, value in clean.items():
        setattr(link, name, value)
    link.updated_at = now_iso()
    session.flush()
    record_audit(session, "update", "link", link.id, case_id=link.case_id, before=before,
                 after=link_snapshot(link))
    changes_of(session).add("updated", "link", link.id)
    return link


def delete_link(session: Session, link_id: int, *, expected_version: int) -> None:
    """Delete a link seen at expected_version (ConflictError if it moved on); audited with its snapshot."""
    link = get_link(session, link_id)
    check_version(session, "link", link, expected_version, f"link {link_id} ({link.link_type})")
    record_audit(session, "delete", "link", link.id, case_id=link.case_id, before=link_snapshot(link))
    changes_of(session).add("deleted", "link", link.id)
    session.delete(link)
    session.flush()
