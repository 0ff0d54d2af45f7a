"""Undoable edits: one QUndoCommand per visible edit, each step one audited transaction through Operations.

A command is executed first (off the GUI thread) and pushed onto the stack only when it
succeeded, so a refused edit never appears in the Undo menu. Undo and redo run the inverse or
the edit again the same way; if one of them is refused (somebody else changed the record
meanwhile), the stack index is put back and the error shown. Inverses: create ↔ delete (a delete
re-creates from a full capture, under the old ids), update ↔ update back, merge ↔ unmerge,
move ↔ move back. The commands live beside the verbs of their concern (records, links,
evidence, chart).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy.orm import Session

from casedesk.domain.errors import CaseDeskError
from casedesk.ui.operations.core import Operations

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
