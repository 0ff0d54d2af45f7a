"""Import verbs: check every row of a file against a case, import it (one transaction), undo the import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casedesk.domain.errors import CaseDeskError
from casedesk.services.importing import ImportOptions, SourceInfo
from casedesk.services.importing.engine import analyse_import, run_import
from casedesk.services.importing.undo import undo_import as undo_batch
from casedesk.ui.operations.core import Operations
from casedesk.ui.operations.undoable import EditContext, OpCommand

OnDone = Callable[[Any], None]
OnError = Callable[[str], None]


def preview(ops: Operations, case_id: int, info: SourceInfo, mapping: Any, options: ImportOptions, *,
            on_done: OnDone, on_error: OnError) -> int:
    """Check every row and match it against the case, writing nothing; on_done gets the ImportPlan."""
    return ops.submit_job(
        lambda ws: analyse_import(ws, case_id, info.path, mapping, options=options, info=info),
        on_done=on_done, on_error=on_error)


def import_file(ops: Operations, case_id: int, info: SourceInfo, mapping: Any, options: ImportOptions,
                decisions: Mapping[str, int | None], *, on_done: OnDone, on_error: OnError) -> int:
    """Import the file into the case in one transaction (cancel rolls it back); on_done gets the ImportResult."""
    chosen = dict(decisions)
    return ops.submit_job(
        lambda ws: run_import(ws, case_id, info.path, mapping, options=options, decisions=chosen, info=info),
        on_done=on_done, on_error=on_error)


def import_ftm(ops: Operations, case_id: int, path: Path, options: ImportOptions, *,
               on_done: OnDone, on_error: OnError) -> int:
    """Import a FollowTheMoney entity file into the case in one transaction; on_done gets the FtmImport."""
    from casedesk.services.exchange.ftm_in import run_ftm_import

    return ops.submit_job(lambda ws: run_ftm_import(ws, case_id, path, options=options, vocab=ops.vocab),
                          on_done=on_done, on_error=on_error)


def undo_import(ops: Operations, batch_id: int, *, on_done: OnDone,
                on_error: Callable[[Any], None]) -> int:
    """Remove what import batch `batch_id` added, in one audited transaction; on_done gets the UndoneImport."""
    return ops.run(lambda s: undo_batch(s, batch_id), on_done=on_done, on_error=on_error)


class ImportCommand(OpCommand):
    """An import already written, on the undo stack: undo removes the batch; it cannot be redone."""

    def __init__(self, ctx: EditContext, batch_id: int, filename: str):
        super().__init__(ctx, f"Import of {filename}")
        self.batch_id = batch_id
        self.undone = False

    def push_done(self) -> None:
        """Put the finished import on the stack without running anything."""
        self._first = True
        self.ctx.undo_stack.push(self)

    def forward(self, session: Session) -> Any:
        raise CaseDeskError("an undone import cannot be redone: import the file again")

    def backward(self, session: Session) -> Any:
        return undo_batch(session, self.batch_id)

    def backward_done(self, value: Any) -> None:
        self.undone = True

    def mark_undone(self) -> None:
        """The import was undone elsewhere (the wizard's button): step the stack past it quietly."""
        self.undone = True
        stack = self.ctx.undo_stack
        if stack.index() > 0 and stack.command(stack.index() - 1) is self:
            self._skip = True
            stack.undo()
