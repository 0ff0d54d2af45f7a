"""Which links the vocabulary allows between two records, and in which roles a party joins a contract."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from casedesk.domain.models import Contract
from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.table_rows import record_briefs


@dataclass(frozen=True)
class LinkChoices:
    """What may join source to target: link type codes, and contract roles (with who joins which contract)."""

    source_label: str
    target_label: str
    source_kind: str
    target_kind: str
    link_types: tuple[str, ...]
    roles: tuple[str, ...] = ()
    party_id: int | None = None
    contract_id: int | None = None


def allowed_links(session: Session, vocab: Vocabulary, source_id: int, target_id: int) -> LinkChoices | None:
    """The link types (in vocabulary order) and contract roles allowed from source to target; None if either is gone."""
    briefs = record_briefs(session, [source_id, target_id])
    if source_id not in briefs or target_id not in briefs:
        return None
    _, skind, slabel, ssub = briefs[source_id]
    _, tkind, tlabel, tsub = briefs[target_id]
    types = tuple(code for code, lt in vocab.link_types.items() if lt.allows(skind, ssub, tkind, tsub))
    # A party or wallet dropped onto a contract (or the other way) joins it in a role.
    party, contract = (source_id, target_id) if tkind == "contract" else (target_id, source_id)
    roles: tuple[str, ...] = ()
    if "contract" in (skind, tkind) and briefs[party][1] in ("party", "wallet"):
        contract_type = session.get(Contract, contract).contract_type
        if contract_type:
            roles = tuple(vocab.contract_types[contract_type].roles)
    return LinkChoices(slabel, tlabel, skind, tkind, types, roles,
                       party if roles else None, contract if roles else None)
