"""Chart verbs: move records (undoable) and keep positions a layout chose."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from casedesk.services import chart_graph as chart_svc
from casedesk.ui.operations.core import Operations
from casedesk.ui.operations.undoable import EditContext, OpCommand, Point


def keep_positions(ops: Operations, case_id: int, positions: Mapping[int, Point], *, reason: str) -> int:
    """Store chart positions (not an undo step: a layout the user did not ask to undo); the job id."""
    chosen = dict(positions)
    return ops.run(lambda s: chart_svc.save_positions(s, case_id, chosen, reason=reason))


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
