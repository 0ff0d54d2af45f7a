"""What a row becomes: validated record and link drafts, or a rejection with reasons.

A draft also carries the keys it is deduplicated on within a file (draft_keys), computed once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casedesk.domain.models import Address
from casedesk.services.records import AliasIn, IdentifierRow

# Kinds deduplicated within a file and matched against the case; other kinds (server fleets,
# contracts) are one record per row.
MATCHED_KINDS = ("party", "wallet", "datacenter")


@dataclass(slots=True)
class EntityDraft:
    """One record a row describes, validated: kind, clean fields and child rows."""

    key: str
    kind: str
    fields: dict[str, Any]
    aliases: list[AliasIn] = field(default_factory=list)
    identifiers: list[IdentifierRow] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    keys: tuple[list[str], str | None] | None = None  # dedupe keys, computed once (draft_keys)
    norm: str = ""  # normalised label, computed with the keys
    name_key: str = ""  # normalised, token-sorted label (for fuzzy matching)
    # True when the converter hands this same draft to every row with the same cells (repeated
    # wallets, parties): it is never changed after conversion, except by a copy (see _add_notes).
    shared: bool = False
    # The file entity a shared draft resolved to: later rows with this draft skip the look-up
    # (its keys are registered the first time, and registered keys never change owner).
    entity: Any = None

    @property
    def label(self) -> str:
        """The record's label."""
        return self.fields["label"]

    @property
    def party_kind(self) -> str | None:
        """The party kind (parties default to company), None for other kinds."""
        return self.fields.get("party_kind", "company") if self.kind == "party" else None


@dataclass(slots=True)
class LinkDraft:
    """One link a row describes between two of its records, with clean fields."""

    key: str
    type: str
    source: str
    target: str
    fields: dict[str, Any]


@dataclass(slots=True)
class RowDraft:
    """A valid row: its records (by mapping key) and links."""

    row: int
    entities: dict[str, EntityDraft]
    links: list[LinkDraft]


@dataclass(frozen=True, slots=True)
class Reject:
    """A rejected row: its number, original cells and every reason found."""

    row: int
    cells: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        """All reasons in one line."""
        return "; ".join(self.reasons)



def draft_keys(draft: EntityDraft, normalize: Callable[[str], str]) -> tuple[list[str], str | None]:
    """(exact keys, name key) a draft is deduplicated on within a file (computed once per draft)."""
    if draft.keys is None:
        if draft.kind == "wallet":
            draft.keys = ([f"wallet|{draft.fields['match_key']}"], None)
            draft.norm = draft.fields["match_key"]
        else:
            draft.norm = normalize(draft.label)
            draft.name_key = " ".join(sorted(draft.norm.split()))
            # A name that normalises to nothing ("!!!", an emoji flag, a bare legal form) is
            # never a dedupe key: each such row stays its own record.
            draft.keys = (
                [f"{draft.kind}|id|{i.scheme}|{i.value}" for i in draft.identifiers]
                if draft.identifiers
                else [],
                f"{draft.kind}|name|{draft.name_key}" if draft.name_key else None,
            )
    return draft.keys


def draft_norm(draft: EntityDraft, normalize: Callable[[str], str]) -> str:
    """The draft's normalised label (computed with its keys)."""
    if draft.keys is None:
        draft_keys(draft, normalize)
    return draft.norm

