"""Evidence verbs, undoable: attach a file as graded evidence and cite it, cite, remove a citation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casedesk.domain.errors import ValidationError
from casedesk.services import editing
from casedesk.services.evidence import attach_evidence, cite
from casedesk.ui.operations.undoable import EditContext, OpCommand


class AttachEvidenceCommand(OpCommand):
    """Store a file as graded evidence and cite it on a record or link; undo deletes both.

    The file is read when the edit runs; after that its bytes live in the workspace (and stay
    there on undo, content-addressed), so redo attaches the stored copy, not the file again.
    """

    def __init__(self, ctx: EditContext, case_id: int, path: str, meta: dict[str, Any],
                 record_id: int | None, link_id: int | None, locator: str, text: str):
        super().__init__(ctx, text)
        self.case_id, self.path, self.meta = case_id, path, meta
        self.record_id, self.link_id, self.locator = record_id, link_id, locator
        self.evidence_id: int | None = None
        self.captured: dict[str, Any] | None = None

    def forward(self, session: Session) -> int:
        if self.captured is not None:
            return editing.reattach_evidence(session, self.captured)[0]
        try:
            content = Path(self.path).read_bytes()
        except OSError as exc:
            raise ValidationError("file", f"cannot read {Path(self.path).name}: {exc.strerror}") from None
        ev = attach_evidence(session, self.case_id, content, **self.meta)
        cite(session, ev.id, record_id=self.record_id, link_id=self.link_id, locator=self.locator)
        return ev.id

    def forward_done(self, value: int) -> None:
        self.evidence_id = value

    def backward(self, session: Session) -> None:
        self.captured = editing.delete_evidence(session, self.evidence_id)


class CiteCommand(OpCommand):
    """Cite existing evidence on a record or link; undo removes the citation."""

    def __init__(self, ctx: EditContext, evidence_id: int, record_id: int | None, link_id: int | None,
                 locator: str, text: str):
        super().__init__(ctx, text)
        self.values = {"evidence_id": evidence_id, "record_id": record_id, "link_id": link_id,
                       "locator": locator, "claim": ""}
        self.citation_id: int | None = None

    def forward(self, session: Session) -> int:
        return editing.recite(session, self.values)

    def forward_done(self, value: int) -> None:
        self.citation_id = value

    def backward(self, session: Session) -> None:
        editing.delete_citation(session, self.citation_id)


class RemoveCitationCommand(OpCommand):
    """Remove a citation (the evidence stays); undo cites again."""

    def __init__(self, ctx: EditContext, citation_id: int, text: str):
        super().__init__(ctx, text)
        self.citation_id = citation_id
        self.values: dict[str, Any] | None = None

    def forward(self, session: Session) -> None:
        self.values = editing.delete_citation(session, self.citation_id)

    def backward(self, session: Session) -> int:
        return editing.recite(session, self.values)

    def backward_done(self, value: int) -> None:
        self.citation_id = value
