"""Test data made through the real services: a case, records of each kind, links, evidence.

Each function takes an open write session (so a test builds what it needs in one transaction, as
the application does) and returns the new row's id. Defaults are valid and dull; keyword arguments
override or add fields. Pass `vocab` where the test already holds a vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from casedesk.services.cases import create_case
from casedesk.services.evidence import attach_evidence, cite
from casedesk.services.links import add_link
from casedesk.services.records import AliasIn, IdentifierIn, RecordIn, create_record

# A checksummed EIP-55 address (the EIP's own example), so wallet defaults pass validation.
WALLET_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


def make_case(s: Session, title: str = "Test case", description: str = "") -> int:
    """A new case."""
    return create_case(s, title, description).id


def make_record(s: Session, case_id: int, kind: str, label: str, *, aliases: Sequence[AliasIn] = (),
                identifiers: Sequence[IdentifierIn] = (), contract_parties: Sequence[tuple[int, str]] = (),
                vocab: Any = None, **fields: Any) -> int:
    """A record of any kind with this label and fields (aliases and identifiers optional)."""
    data = RecordIn(kind, {"label": label, **fields}, aliases=aliases, identifiers=identifiers,
                    contract_parties=tuple(contract_parties))
    return create_record(s, case_id, data, vocab=vocab).id


def make_party(s: Session, case_id: int, label: str = "Party", **fields: Any) -> int:
    """A party (an organisation unless party_kind says otherwise)."""
    return make_record(s, case_id, "party", label, **fields)


def make_wallet(s: Session, case_id: int, label: str = "Wallet", *, chain: str = "ETH",
                address: str = WALLET_ADDRESS, **fields: Any) -> int:
    """A wallet, on Ethereum at a valid address unless told otherwise."""
    return make_record(s, case_id, "wallet", label, chain=chain, address=address, **fields)


def make_datacenter(s: Session, case_id: int, label: str = "Data center", **fields: Any) -> int:
    """A data center."""
    return make_record(s, case_id, "datacenter", label, **fields)


def make_server(s: Session, case_id: int, label: str = "Server fleet", **fields: Any) -> int:
    """A server fleet (give accelerator_model and server_count for compute figures)."""
    return make_record(s, case_id, "server", label, **fields)


def make_contract(s: Session, case_id: int, label: str = "Contract", *,
                  parties: Sequence[tuple[int, str]] = (), **fields: Any) -> int:
    """A contract, with its parties as (record id, role) pairs."""
    return make_record(s, case_id, "contract", label, contract_parties=parties, **fields)


def make_link(s: Session, case_id: int, link_type: str, source_id: int, target_id: int, *,
              vocab: Any = None, **fields: Any) -> int:
    """A link of this type from source to target."""
    return add_link(s, case_id, link_type, source_id, target_id, vocab=vocab, **fields).id


def make_evidence(s: Session, case_id: int, content: bytes = b"evidence", *, title: str = "Evidence",
                  grade: str = "B2", record_id: int | None = None, link_id: int | None = None,
                  locator: str = "", **fields: Any) -> int:
    """Graded evidence, cited for record_id or link_id when one is given."""
    evidence_id = attach_evidence(s, case_id, content, title=title, grade=grade, **fields).id
    if record_id is not None or link_id is not None:
        cite(s, evidence_id, record_id=record_id, link_id=link_id, locator=locator)
    return evidence_id


def make_hit(s: Session, case_id: int, record_id: int, entry_key: str = "E1", *,
             list_name: str = "Test list", entry_name: str = "Listed Name", score: float = 90.0) -> int:
    """An open screening hit of a record against a list entry (as screening stores one)."""
    from casedesk.domain.clock import now_iso
    from casedesk.domain.watchlists import ScreeningHit

    now = now_iso()
    hit = ScreeningHit(case_id=case_id, record_id=record_id, list_name=list_name, entry_key=entry_key,
                       entry_name=entry_name, entry_hash="h", score=score, explanation={"summary": "test"},
                       created_at=now, updated_at=now)
    s.add(hit)
    s.flush()
    return hit.id
