"""What an export reports: format, scope, where it wrote, how much, and the SHA-256 of what it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ExportResult:
    """One finished export (the CLI's JSON document and the audit entry are made from it)."""

    format: str
    case_id: int
    scope: str
    path: str
    sha256: str
    records: int
    links: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """cli.md's keys first, then the rest."""
        return {"path": self.path, "records": self.records, "links": self.links,
                "sha256": self.sha256, "format": self.format, "case_id": self.case_id,
                "scope": self.scope, **self.extra}
