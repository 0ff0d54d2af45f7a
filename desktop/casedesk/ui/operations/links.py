"""Link verbs, undoable: create, change a field, delete (restored with their citations on undo)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from casedesk.services import restore
from casedesk.services.links import add_link, delete_link, update_link
from casedesk.ui.operations.undoable import EditContext, OpCommand


class CreateLinkCommand(OpCommand):
    """Create a link; undo deletes it, redo restores it under the same id."""

    def __init__(self, ctx: EditContext, case_id: int, link_type: str, source_id: int, target_id: int,
                 fields: dict[str, Any], text: str):
        super().__init__(ctx, text)
        self.case_id, self.link_type = case_id, link_type
        self.source_id, self.target_id, self.fields = source_id, target_id, fields
        self.link_id: int | None = None
        self.version = 1  # of the link this command made (set by forward)
        self.capture: dict[str, Any] | None = None

    def forward(self, session: Session) -> int:
        if self.capture is not None:
            self.version = self.capture["link"]["version"]
            return restore.restore_link(session, self.capture)
        link = add_link(session, self.case_id, self.link_type, self.source_id, self.target_id, **self.fields)
        self.version = link.version
        return link.id

    def forward_done(self, value: int) -> None:
        self.link_id = value

    def backward(self, session: Session) -> None:
        self.capture = restore.capture_link(session, self.link_id)
        delete_link(session, self.link_id, expected_version=self.ctx.ops.expected("link", self.link_id, self.version))


class UpdateLinkCommand(OpCommand):
    """Change one field of a link; undo puts the old value back."""

    def __init__(self, ctx: EditContext, link_id: int, field: str, old: Any, new: Any, seen_version: int, text: str):
        super().__init__(ctx, text)
        self.link_id, self.field, self.old, self.new, self.version = link_id, field, old, new, seen_version

    def _set(self, session: Session, value: Any) -> int:
        expected = self.ctx.ops.expected("link", self.link_id, self.version)
        return update_link(session, self.link_id, {self.field: value}, expected_version=expected).version

    def forward(self, session: Session) -> int:
        return self._set(session, self.new)

    def backward(self, session: Session) -> int:
        return self._set(session, self.old)

    def forward_done(self, value: int) -> None:
        self.version = value

    backward_done = forward_done


class DeleteLinksCommand(OpCommand):
    """Delete links at the versions the user confirmed; undo restores them (with their citations)."""

    def __init__(self, ctx: EditContext, versions: Mapping[int, int], text: str):
        super().__init__(ctx, text)
        self.versions = dict(versions)
        self.captures: list[dict[str, Any]] = []

    def forward(self, session: Session) -> None:
        self.captures = []
        for link_id, seen in self.versions.items():
            self.captures.append(restore.capture_link(session, link_id))
            delete_link(session, link_id, expected_version=self.ctx.ops.expected("link", link_id, seen))

    def backward(self, session: Session) -> list[int]:
        return [restore.restore_link(session, cap) for cap in self.captures]

    def backward_done(self, value: list[int]) -> None:
        self.versions = {new: cap["link"]["version"] for new, cap in zip(value, self.captures, strict=True)}
