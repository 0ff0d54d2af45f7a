# One module over 450 lines on purpose: the undo commands come in add/remove pairs over one OpCommand base; apart they would be read together anyway.
"""Undo/redo: one QUndoCommand per visible edit, each step one audited transaction through the services.

A command is executed first (off the GUI thread) and pushed onto the stack only when it
succeeded, so a refused edit never appears in the Undo menu. Undo and redo run the inverse or
the edit again the same way; if one of them is refused (somebody else changed the record
meanwhile), the stack index is put back and the error shown. Inverses: create ↔ delete (a delete
re-creates from a full capture, under the old ids), update ↔ update back, merge ↔ unmerge,
move ↔ move back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy.orm import Session

from casedesk.domain.errors import CaseDeskError, ValidationError
from casedesk.services import chart_graph as chart_svc
from casedesk.services import editing, restore
from casedesk.services.evidence import attach_evidence, cite
from casedesk.services.links import add_link, delete_link, update_link
from casedesk.services.records import (
    AddressIn,
    AliasIn,
    IdentifierIn,
    RecordIn,
    add_address,
    add_alias,
    add_contract_party,
    add_identifier,
    create_record,
    remove_child,
    update_record,
)
from casedesk.ui.operations import Operations

Point = tuple[float, float]


class EditContext(Protocol):
    """What commands need from the window: operations, the stack, and a few view updates."""

    ops: Operations
    undo_stack: QUndoStack

    def show_error(self, error: CaseDeskError | str, action: str) -> None: ...
    def place_records(self, positions: Mapping[int, Point], removed: list[int]) -> None: ...
    def focus_record(self, record_id: int) -> None: ...


class OpCommand(QUndoCommand):
    """An edit that runs forward/backward as operations; subclasses implement forward/backward."""

    def __init__(self, ctx: EditContext, text: str):
        super().__init__(text)
        self.ctx = ctx
        self._first = False  # set while push() makes its redo() call: the edit has run already
        self._skip = False
        self.on_error: Callable[[CaseDeskError | str], None] | None = None

    # --- the edit, run on the worker thread -------------------------------------------------
    def forward(self, session: Session) -> Any:
        """Do the edit (first time and on redo)."""
        raise NotImplementedError

    def backward(self, session: Session) -> Any:
        """Undo the edit."""
        raise NotImplementedError

    # --- GUI-thread follow-ups ---------------------------------------------------------------
    def forward_done(self, value: Any) -> None:
        """After forward succeeded (GUI thread)."""

    def backward_done(self, value: Any) -> None:
        """After backward succeeded (GUI thread)."""

    # --- QUndoCommand --------------------------------------------------------------------------
    def execute(self, on_done: Callable[[Any], None] | None = None) -> None:
        """Run the edit for the first time; push it onto the stack if it succeeds."""
        def done(value: Any) -> None:
            self.forward_done(value)
            self._first = True
            self.ctx.undo_stack.push(self)  # push() calls redo(), which skips this once
            if on_done is not None:
                on_done(value)

        self.ctx.ops.run(self.forward, on_done=done, on_error=self._first_failed)

    def _first_failed(self, error: CaseDeskError | str) -> None:
        (self.on_error or (lambda e: self.ctx.show_error(e, self.text())))(error)

    def redo(self) -> None:
        if self._first or self._skip:
            self._first = self._skip = False
            return
        self.ctx.ops.run(self.forward, on_done=self.forward_done,
                         on_error=lambda e: self._step_failed(e, undoing=False))

    def undo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self.ctx.ops.run(self.backward, on_done=self.backward_done,
                         on_error=lambda e: self._step_failed(e, undoing=True))

    def _step_failed(self, error: CaseDeskError | str, *, undoing: bool) -> None:
        # Put the index back where the data is, without running the step again.
        self._skip = True
        if undoing:
            self.ctx.undo_stack.redo()
        else:
            self.ctx.undo_stack.undo()
        self.ctx.show_error(error, ("Undo " if undoing else "Redo ") + self.text())


class CreateRecordCommand(OpCommand):
    """Create a record (optionally placed on the chart); undo deletes it, redo restores it."""

    def __init__(self, ctx: EditContext, case_id: int, data: RecordIn, text: str, position: Point | None = None):
        super().__init__(ctx, text)
        self.case_id, self.data, self.position = case_id, data, position
        self.record_id: int | None = None
        self.capture: dict[str, Any] | None = None

    def forward(self, session: Session) -> int:
        if self.capture is not None:
            return restore.restore_record(session, self.capture)["record_id"]
        record_id = create_record(session, self.case_id, self.data).id
        if self.position is not None:
            chart_svc.save_positions(session, self.case_id, {record_id: self.position}, reason="create")
        return record_id

    def forward_done(self, value: int) -> None:
        self.record_id = value
        if self.position is not None:
            self.ctx.place_records({value: self.position}, [])
        self.ctx.focus_record(value)

    def backward(self, session: Session) -> None:
        self.capture = restore.delete_records_captured(session, [self.record_id])[0]


class UpdateRecordCommand(OpCommand):
    """Change one field of a record; undo puts the old value back (both version-checked)."""

    def __init__(self, ctx: EditContext, record_id: int, field: str, old: Any, new: Any, seen_version: int,
                 text: str):
        super().__init__(ctx, text)
        self.record_id, self.field, self.old, self.new = record_id, field, old, new
        self.version = seen_version

    def _set(self, session: Session, value: Any) -> int:
        expected = self.ctx.ops.expected("record", self.record_id, self.version)
        record = update_record(session, self.record_id, {self.field: value}, expected_version=expected)
        return record.version

    def forward(self, session: Session) -> int:
        return self._set(session, self.new)

    def backward(self, session: Session) -> int:
        return self._set(session, self.old)

    def forward_done(self, value: int) -> None:
        self.version = value

    backward_done = forward_done


class DeleteRecordsCommand(OpCommand):
    """Delete records with their links; undo re-creates everything from the captures."""

    def __init__(self, ctx: EditContext, record_ids: list[int], text: str):
        super().__init__(ctx, text)
        self.record_ids = list(record_ids)
        self.captures: list[dict[str, Any]] = []

    def forward(self, session: Session) -> None:
        self.captures = restore.delete_records_captured(session, self.record_ids)

    def backward(self, session: Session) -> list[int]:
        return restore.restore_records(session, self.captures)

    def backward_done(self, value: list[int]) -> None:
        self.record_ids = value
        positions = {}
        for cap in self.captures:
            for place in cap.get("positions", []):
                positions[cap["record"]["id"]] = (place["x"], place["y"])
        self.ctx.place_records(positions, [])


class CreateLinkCommand(OpCommand):
    """Create a link; undo deletes it, redo restores it under the same id."""

    def __init__(self, ctx: EditContext, case_id: int, link_type: str, source_id: int, target_id: int,
                 fields: dict[str, Any], text: str):
        super().__init__(ctx, text)
        self.case_id, self.link_type = case_id, link_type
        self.source_id, self.target_id, self.fields = source_id, target_id, fields
        self.link_id: int | None = None
        self.capture: dict[str, Any] | None = None

    def forward(self, session: Session) -> int:
        if self.capture is not None:
            return restore.restore_link(session, self.capture)
        return add_link(session, self.case_id, self.link_type, self.source_id, self.target_id, **self.fields).id

    def forward_done(self, value: int) -> None:
        self.link_id = value

    def backward(self, session: Session) -> None:
        self.capture = restore.capture_link(session, self.link_id)
        delete_link(session, self.link_id)


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
    """Delete links; undo restores them (with their citations)."""

    def __init__(self, ctx: EditContext, link_ids: list[int], text: str):
        super().__init__(ctx, text)
        self.link_ids = list(link_ids)
        self.captures: list[dict[str, Any]] = []

    def forward(self, session: Session) -> None:
        self.captures = []
        for link_id in self.link_ids:
            self.captures.append(restore.capture_link(session, link_id))
            delete_link(session, link_id)

    def backward(self, session: Session) -> list[int]:
        return [restore.restore_link(session, cap) for cap in self.captures]

    def backward_done(self, value: list[int]) -> None:
        self.link_ids = value


_ADDERS = {"aliases": add_alias, "identifiers": add_identifier, "addresses": add_address}


class AddChildCommand(OpCommand):
    """Add an alias, identifier or address to a record; undo removes it."""

    def __init__(self, ctx: EditContext, record_id: int, child: str, payload: AliasIn | IdentifierIn | AddressIn,
                 text: str):
        super().__init__(ctx, text)
        self.record_id, self.child, self.payload = record_id, child, payload
        self.child_id: int | None = None

    def forward(self, session: Session) -> int:
        return _ADDERS[self.child](session, self.record_id, self.payload).id

    def forward_done(self, value: int) -> None:
        self.child_id = value

    def backward(self, session: Session) -> None:
        remove_child(session, self.record_id, self.child, self.child_id)


class RemoveChildCommand(OpCommand):
    """Remove an alias, identifier or address; undo adds it back."""

    def __init__(self, ctx: EditContext, record_id: int, child: str, child_id: int,
                 payload: AliasIn | IdentifierIn | AddressIn, text: str):
        super().__init__(ctx, text)
        self.record_id, self.child, self.child_id, self.payload = record_id, child, child_id, payload

    def forward(self, session: Session) -> None:
        remove_child(session, self.record_id, self.child, self.child_id)

    def backward(self, session: Session) -> int:
        return _ADDERS[self.child](session, self.record_id, self.payload).id

    def backward_done(self, value: int) -> None:
        self.child_id = value


class AddContractPartyCommand(OpCommand):
    """Join a party (or wallet) to a contract in a role; undo removes it."""

    def __init__(self, ctx: EditContext, contract_id: int, party_id: int, role: str, text: str):
        super().__init__(ctx, text)
        self.contract_id, self.party_id, self.role = contract_id, party_id, role
        self.cp_id: int | None = None

    def forward(self, session: Session) -> int:
        return add_contract_party(session, self.contract_id, self.party_id, self.role).id

    def forward_done(self, value: int) -> None:
        self.cp_id = value

    def backward(self, session: Session) -> None:
        editing.remove_contract_party(session, self.cp_id)


class RemoveContractPartyCommand(OpCommand):
    """Remove a party from a contract; undo adds it back in the same role."""

    def __init__(self, ctx: EditContext, cp_id: int, contract_id: int, party_id: int, role: str, text: str):
        super().__init__(ctx, text)
        self.cp_id, self.contract_id, self.party_id, self.role = cp_id, contract_id, party_id, role

    def forward(self, session: Session) -> None:
        editing.remove_contract_party(session, self.cp_id)

    def backward(self, session: Session) -> int:
        return add_contract_party(session, self.contract_id, self.party_id, self.role).id

    def backward_done(self, value: int) -> None:
        self.cp_id = value


class AddEventCommand(OpCommand):
    """Add a dated event to a record; undo deletes it."""

    def __init__(self, ctx: EditContext, case_id: int, record_id: int | None, title: str, on: str,
                 until: str | None, text: str):
        super().__init__(ctx, text)
        self.values = {"case_id": case_id, "record_id": record_id, "title": title, "on": on, "until": until,
                       "description": ""}
        self.event_id: int | None = None

    def forward(self, session: Session) -> int:
        return editing.readd_event(session, self.values)

    def forward_done(self, value: int) -> None:
        self.event_id = value

    def backward(self, session: Session) -> None:
        editing.delete_event(session, self.event_id)


class RemoveEventCommand(OpCommand):
    """Delete an event; undo adds it again."""

    def __init__(self, ctx: EditContext, event_id: int, text: str):
        super().__init__(ctx, text)
        self.event_id = event_id
        self.values: dict[str, Any] | None = None

    def forward(self, session: Session) -> None:
        self.values = editing.delete_event(session, self.event_id)

    def backward(self, session: Session) -> int:
        return editing.readd_event(session, self.values)

    def backward_done(self, value: int) -> None:
        self.event_id = value


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


class MergeCommand(OpCommand):
    """Merge one record into another; undo splits them again exactly."""

    def __init__(self, ctx: EditContext, keep_id: int, drop_id: int, text: str):
        super().__init__(ctx, text)
        self.keep_id, self.drop_id = keep_id, drop_id
        self.capture: dict[str, Any] | None = None

    def forward(self, session: Session) -> None:
        self.capture = restore.merge_captured(session, self.keep_id, self.drop_id)

    def forward_done(self, value: None) -> None:
        self.ctx.focus_record(self.keep_id)

    def backward(self, session: Session) -> None:
        restore.unmerge(session, self.capture)

    def backward_done(self, value: None) -> None:
        positions = {}
        for part in ("keep", "drop"):
            cap = self.capture[part]
            for place in cap.get("positions", []):
                positions[cap["record"]["id"]] = (place["x"], place["y"])
        self.ctx.place_records(positions, [])


class MoveRecordsCommand(OpCommand):
    """Move records on the chart (drag or automatic layout); undo moves them back."""

    def __init__(self, ctx: EditContext, case_id: int, before: Mapping[int, Point | None],
                 after: Mapping[int, Point], text: str, reason: str = "move"):
        super().__init__(ctx, text)
        self.case_id, self.before, self.after, self.reason = case_id, dict(before), dict(after), reason

    def forward(self, session: Session) -> None:
        chart_svc.save_positions(session, self.case_id, self.after, reason=self.reason)

    def forward_done(self, value: None) -> None:
        self.ctx.place_records(self.after, [])

    def backward(self, session: Session) -> None:
        back = {r: p for r, p in self.before.items() if p is not None}
        unplaced = [r for r, p in self.before.items() if p is None]
        chart_svc.save_positions(session, self.case_id, back, reason=f"undo {self.reason}")
        chart_svc.remove_positions(session, self.case_id, unplaced)

    def backward_done(self, value: None) -> None:
        self.ctx.place_records({r: p for r, p in self.before.items() if p is not None},
                               [r for r, p in self.before.items() if p is None])
