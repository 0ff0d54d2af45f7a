"""What a red-flag rule receives (RuleContext) and what it yields (Draft)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casedesk.services.analysis.compute import Inventory
from casedesk.services.analysis.graph import CaseGraph
from casedesk.services.analysis.ownership import Headquarters, Ownership


@dataclass
class Draft:
    """A finding a rule raises: subject, sentence, explaining path and details."""

    subject_key: str
    title: str
    explanation: str
    record_ids: list[int]
    link_ids: list[int]
    details: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None  # None: the rule's severity


@dataclass
class RuleContext:
    """What every rule reads, and where it reports what it could not decide."""

    graph: CaseGraph
    inventory: Inventory
    ownership: Ownership
    vocab: Any
    as_of: date
    screening_hits: list[dict[str, Any]] = field(default_factory=list)
    undecided_items: list[dict[str, Any]] = field(default_factory=list)
    _hq: dict[int, Headquarters] = field(default_factory=dict)

    def undecided(self, rule: str, record_ids: Iterable[int], question: str, *,
                  gap: str | None = None) -> None:
        """Record something a rule could not decide (shown to the user, never guessed).

        `gap` names the kind of missing data (owner_unknown, …): open questions are grouped by it
        (default: by rule), one item per group listing its records.
        """
        item: dict[str, Any] = {"rule": rule, "record_ids": list(dict.fromkeys(record_ids)),
                                "question": question}
        if gap:
            item["gap"] = gap
        self.undecided_items.append(item)

    def headquarters(self, party_id: int) -> Headquarters:
        """The headquarters rule for a party (cached per run)."""
        hq = self._hq.get(party_id)
        if hq is None:
            hq = self._hq[party_id] = self.ownership.headquarters(party_id, self.vocab)
        return hq

    def of_concern(self, alpha2: str | None) -> bool:
        """True if a country is D:5 or Macau on the analysis date."""
        return self.ownership.of_concern(alpha2, self.vocab)


RuleFunction = Callable[[RuleContext, dict[str, Any]], Iterable[Draft]]
