"""What the import keeps for each distinct incoming record and link while a file is read.

An Entity is one record of the file (new, or merged into one of the case) with the rows it
appears on (RowSpans); a Candidate is a record of the case it may be.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

from casedesk.services.importing.drafts import EntityDraft


@dataclass(frozen=True)
class Candidate:
    """An existing record an incoming one may be: why, how sure, and whether it is an exact match."""

    record_id: int
    label: str
    score: float
    reason: str
    exact: bool
    same_country: bool = False  # same normalised name and country (merged unless kept apart)

    def as_json(self) -> dict[str, Any]:
        """Plain data for the CLI."""
        return {
            "record_id": self.record_id,
            "record_label": self.label,
            "score": round(self.score, 1),
            "reason": self.reason,
            "exact": self.exact,
        }


class RowSpans:
    """The rows an entity appears on, kept compact: first ranges, then only a count.

    Ranges are kept flat in an array of 64-bit ints ([first, last, first, last, …]): a million-
    row file can have a hundred thousand entities, each on dozens of rows.
    """

    __slots__ = ("ranges", "count", "limit")

    def __init__(self, row: int, limit: int):
        self.ranges = array("q", (row, row))
        self.count = 1
        self.limit = limit

    def add(self, row: int) -> None:
        """Note one more row (rows arrive in increasing order; the same row twice counts once)."""
        last = self.ranges[-1]
        if row == last:
            return
        self.count += 1
        if row == last + 1:
            self.ranges[-1] = row
        elif len(self.ranges) < 2 * self.limit:
            self.ranges.extend((row, row))

    @property
    def first(self) -> int:
        """The first row."""
        return self.ranges[0]

    def locator(self) -> str:
        """'row 5', 'rows 5–9, 12', or '… and 1,234 more rows' past the range limit."""
        r = self.ranges
        pairs = [(r[i], r[i + 1]) for i in range(0, len(r), 2)]
        listed = sum(b - a + 1 for a, b in pairs)
        parts = [str(a) if a == b else f"{a}–{b}" for a, b in pairs]
        text = ("row " if self.count == 1 else "rows ") + ", ".join(parts)
        if self.count > listed:
            text += f" … and {self.count - listed:,} more rows"
        return text


@dataclass(eq=False, slots=True)
class Entity:
    """One distinct incoming record: what it is, where it goes (new or an existing record)."""

    key: str
    kind: str
    label: str
    party_kind: str | None
    spans: RowSpans
    draft: EntityDraft | None = None  # kept only until the record is written
    record_id: int | None = None  # id of the new record, or of the existing one merged into
    existing: bool = False
    candidates: tuple[Candidate, ...] = ()
    norm: str = ""  # the normalised label
    names: set[str] | None = None  # normalised names beyond the label, made when a row adds one
    ident_values: dict[str, str] | None = None  # scheme -> value
    # Fields known so far (for fill-ins): the first draft's own dict until a later row adds one.
    known: dict[str, Any] = field(default_factory=dict)
    known_own: bool = False
    extra: dict[str, Any] | None = None  # what later rows add: fields, aliases, identifiers, notes
    citation_id: int | None = None  # when the new record was cited as it was inserted

    def has_name(self, norm: str) -> bool:
        """True when the entity already goes by this normalised name."""
        return norm == self.norm or (self.names is not None and norm in self.names)

    def add_name(self, norm: str) -> None:
        """Note another normalised name of the entity."""
        if self.names is None:
            self.names = set()
        self.names.add(norm)


# (entity, [(score, record id), …]) for each incoming name similar to names of the case
FuzzyResults = list[tuple[Entity, list[tuple[int, int]]]]


class LinkState:
    """A mergeable link met in the file: its id once written (or the case's) and its rows."""

    __slots__ = ("link_id", "existing", "spans")

    def __init__(self, spans: RowSpans):
        self.link_id: int | None = None
        self.existing = False
        self.spans = spans
