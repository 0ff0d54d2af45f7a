"""What an import is asked to do and what it reports: options, the preview plan, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casedesk.services.importing.drafts import Reject
from casedesk.services.importing.entities import Candidate
from casedesk.services.importing.fuzzy_names import NameNormalizer, import_normalize
from casedesk.services.importing.mapping import Mapping
from casedesk.services.importing.reading import SourceInfo


@dataclass
class ImportOptions:
    """Choices for one import besides the file and mapping."""

    grade: str = "F6"
    params: dict[str, str] = field(default_factory=dict)  # mapping parameters, e.g. chain
    rejects_path: Path | None = None
    # By default a party (or data center) whose normalised name and country are those of one in
    # the case is linked to it ("same name and country"); True keeps every such record apart.
    keep_same_names: bool = False
    normalize: NameNormalizer = import_normalize  # the screening normaliser, each name once
    threshold: float | None = None  # fuzzy suggestion threshold; settings default when None
    title: str | None = None
    source: str = ""


@dataclass
class Suggestion:
    """An incoming record that may already be in the case, and what was decided for it."""

    entity_key: str
    kind: str
    label: str
    first_row: int
    rows: int
    candidates: tuple[Candidate, ...]
    decision: int | None  # the record id merged into, or None (kept separate)

    @property
    def exact(self) -> bool:
        """True when the best candidate matches on an identifier or wallet address."""
        return bool(self.candidates) and self.candidates[0].exact

    @property
    def reason(self) -> str:
        """Why it was merged (the candidate merged into), or '' when kept separate."""
        if self.decision is None:
            return ""
        return next((c.reason for c in self.candidates if c.record_id == self.decision), "chosen")

    def as_json(self) -> dict[str, Any]:
        """Plain data for the CLI."""
        return {
            "row": self.first_row,
            "rows": self.rows,
            "kind": self.kind,
            "label": self.label,
            "decision": "merged" if self.decision is not None else "kept separate",
            "merged_into": self.decision,
            "candidates": [c.as_json() for c in self.candidates],
        }


@dataclass(frozen=True)
class PreviewRow:
    """A valid row as the preview shows it: the records and links it makes."""

    row: int
    records: tuple[tuple[str, str, str], ...]  # (mapping key, kind, label)
    links: tuple[str, ...]


@dataclass
class ImportPlan:
    """What an import would do (nothing written): counts, samples, duplicate suggestions."""

    info: SourceInfo
    mapping: Mapping
    rows: int = 0
    valid: int = 0
    rejected: int = 0
    new_records: dict[str, int] = field(default_factory=dict)
    matched: int = 0
    links: int = 0
    valid_sample: list[PreviewRow] = field(default_factory=list)
    rejects_sample: list[Reject] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    note_columns: list[str] = field(default_factory=list)
    encoding: str | None = None  # codec of a text file (None for a spreadsheet)
    encoding_evidence: str = ""  # how it was decided, and rows whose bytes it did not decode

    def default_decisions(self) -> dict[str, int | None]:
        """Each suggestion's default: exact matches merged, name matches kept separate."""
        return {s.entity_key: s.decision for s in self.suggestions}

    def possible_matches(self) -> int:
        """Incoming records that resemble one in the case but are not merged by default."""
        return sum(1 for s in self.suggestions if s.decision is None)

    def outcome(self, decisions: dict[str, int | None]) -> tuple[dict[str, int], int]:
        """(new records by kind, records merged into the case) once `decisions` replace the defaults."""
        created, merged = dict(self.new_records), self.matched
        for sg in self.suggestions:
            chosen = decisions.get(sg.entity_key, sg.decision)
            if sg.decision is None and chosen is not None:
                created[sg.kind] = created.get(sg.kind, 0) - 1
                merged += 1
            elif sg.decision is not None and chosen is None:
                created[sg.kind] = created.get(sg.kind, 0) + 1
                merged -= 1
        return {k: n for k, n in created.items() if n > 0}, merged


@dataclass
class ImportResult:
    """What an import did."""

    batch_id: int
    case_id: int
    evidence_id: int
    sha256: str
    filename: str
    rows: int
    valid: int
    rejected: int
    created: int
    created_by_kind: dict[str, int]
    merged: int
    links: int
    links_matched: int
    citations: int
    suggestions: list[Suggestion]
    rejects_path: Path | None
    rejects_sample: list[Reject]
    encoding: str | None = None
    encoding_evidence: str = ""

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON document (cli.md keys first)."""
        return {
            "batch_id": self.batch_id,
            "rows": self.rows,
            "created": self.created,
            "merged": self.merged,
            "rejected": self.rejected,
            "evidence_sha256": self.sha256,
            "case_id": self.case_id,
            "evidence_id": self.evidence_id,
            "valid": self.valid,
            "created_by_kind": self.created_by_kind,
            "links": self.links,
            "links_matched": self.links_matched,
            "citations": self.citations,
            "rejects": str(self.rejects_path) if self.rejects_path else None,
            "encoding": self.encoding,
            "encoding_evidence": self.encoding_evidence,
            "suggestions": [s.as_json() for s in self.suggestions if s.decision is None],
            # every incoming record linked to one already in the case, and why
            "merges": [
                {
                    "row": s.first_row,
                    "kind": s.kind,
                    "label": s.label,
                    "merged_into": s.decision,
                    "reason": s.reason,
                }
                for s in self.suggestions
                if s.decision is not None
            ],
        }
