"""Record verbs, undoable: create, change a field, delete, merge; aliases, identifiers, addresses,
contract parties and events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from casedesk.services import chart_graph as chart_svc
from casedesk.services import editing, restore
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
from casedesk.ui.operations.undoable import EditContext, OpCommand, Point


class CreateRecordCommand(OpCommand):
    """Create a record (optionally placed on the chart); undo deletes it, redo restores it."""

    def __init__(self, ctx: EditContext, case_id: int, data: RecordIn, text: str, position: Point | None = None):
        super().__init__(ctx, text)
        self.case_id, self.data, self.position = case_id, data, position
        self.record_id: int | None = None
        self.version = 1  # of the record this command made (set by forward)
        self.capture: dict[str, Any] | None = None

    def forward(self, session: Session) -> int:
        if self.capture is not None:
            self.version = self.capture["record"]["version"]
            return restore.restore_record(session, self.capture)["record_id"]
        record = create_record(session, self.case_id, self.data)
        if self.position is not None:
            chart_svc.save_positions(session, self.case_id, {record.id: self.position}, reason="create")
        self.version = record.version
        return record.id

    def forward_done(self, value: int) -> None:
        self.record_id = value
        if self.position is not None:
            self.ctx.place_records({value: self.position}, [])
        self.ctx.focus_record(value)

    def backward(self, session: Session) -> None:
        expected = self.ctx.ops.expected("record", self.record_id, self.version)
        self.capture = restore.delete_records_captured(session, {self.record_id: expected})[0]


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
    """Delete records (at the versions the user confirmed) with their links; undo re-creates everything."""

    def __init__(self, ctx: EditContext, versions: Mapping[int, int], text: str):
        super().__init__(ctx, text)
        self.versions = dict(versions)
        self.captures: list[dict[str, Any]] = []

    def forward(self, session: Session) -> None:
        expected = {r: self.ctx.ops.expected("record", r, v) for r, v in self.versions.items()}
        self.captures = restore.delete_records_captured(session, expected)

    def backward(self, session: Session) -> list[int]:
        return restore.restore_records(session, self.captures)

    def backward_done(self, value: list[int]) -> None:
        self.versions = {new: cap["record"]["version"] for new, cap in zip(value, self.captures, strict=True)}
        positions = {}
        for cap in self.captures:
            for place in cap.get("positions", []):
                positions[cap["record"]["id"]] = (place["x"], place["y"])
        self.ctx.place_records(positions, [])


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
