"""Composition root: open the workspace, seed the demo on first run, start Qt and the main window."""

from __future__ import annotations

import sys

from casedesk.domain.errors import CaseDeskError


def open_for_gui(db: str | None):  # noqa: ANN201 - returns a Workspace
    """Open the workspace and, on its very first use, seed it with the demo case."""
    from sqlalchemy import func, select

    from casedesk.domain.models import AuditEntry
    from casedesk.services.demo import load_demo_case
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(db)
    with ws.read() as s:
        fresh = not s.scalar(select(func.count()).select_from(AuditEntry))
    if fresh:
        with ws.write() as s:
            load_demo_case(s)
    return ws


def run_gui(db: str | None = None, argv: list[str] | None = None, *, quit_after: float | None = None) -> int:
    """Open the main window on the workspace (closing it after quit_after seconds if given);
    returns the application's exit status."""
    try:
        ws = open_for_gui(db)
    except CaseDeskError as exc:
        sys.stderr.write(f"casedesk: {exc}\n")
        return 2
    from casedesk.ui.application import create_application, quit_later
    from casedesk.ui.main_window import MainWindow

    app = create_application(argv or sys.argv[:1])
    window = MainWindow(ws)
    window.show()
    if quit_after is not None:
        quit_later(app, quit_after)
    status = app.exec()
    window.ws.dispose()  # lets a background checkpoint after an import finish its copy
    return status
