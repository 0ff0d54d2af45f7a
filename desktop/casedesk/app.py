"""Composition root: open the workspace, seed the demo on first run, start Qt and the main window."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from casedesk.domain.errors import (
    CaseDeskError,
    EncryptedWorkspaceError,
    NoWorkspaceError,
    WrongPassphraseError,
)


def open_for_gui(db: str | None, *, create: bool = True, passphrase: str | None = None):  # noqa: ANN201
    """Open the workspace (a Workspace) and, on its very first use, seed it with the demo case."""
    from sqlalchemy import func, select

    from casedesk.domain.models import AuditEntry
    from casedesk.services.demo import load_demo_case
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(db, create=create, passphrase=passphrase)
    with ws.read() as s:
        fresh = not s.scalar(select(func.count()).select_from(AuditEntry))
    if fresh:
        with ws.write() as s:
            load_demo_case(s)
    return ws


def open_with_questions(db: str | None, *, ask_to_create: Callable[[str], bool],
                        ask_passphrase: Callable[[str, bool], str | None]):  # noqa: ANN201
    """Open the window's first workspace, asking before creating a named file that does not exist
    and for an encrypted one's passphrase (again after a wrong one); None when the user declines.

    The default workspace in the user's data folder is created on first use without a question.
    """
    from casedesk.storage.workspace import resolve_target

    target = resolve_target(db)
    create = db is None and not os.environ.get("CASEDESK_DB")
    passphrase = None
    while True:
        try:
            return open_for_gui(db, create=create, passphrase=passphrase)
        except NoWorkspaceError:
            if not ask_to_create(target):
                return None
            create = True
        except EncryptedWorkspaceError as exc:
            passphrase = ask_passphrase(target, isinstance(exc, WrongPassphraseError))
            if passphrase is None:
                return None


def run_gui(db: str | None = None, argv: list[str] | None = None, *, quit_after: float | None = None) -> int:
    """Open the main window on the workspace (closing it after quit_after seconds if given);
    returns the application's exit status."""
    from casedesk.ui.application import create_application, quit_later
    from casedesk.ui.dialogs.workspace_prompts import ask_passphrase, ask_to_create

    app = create_application(argv or sys.argv[:1])
    try:
        ws = open_with_questions(db, ask_to_create=lambda path: ask_to_create(None, path),
                                 ask_passphrase=lambda path, wrong: ask_passphrase(None, path, wrong=wrong))
    except CaseDeskError as exc:
        sys.stderr.write(f"casedesk: {exc}\n")
        return 2
    if ws is None:
        sys.stderr.write("casedesk: no workspace opened\n")
        return 0
    from casedesk.ui.main_window import MainWindow

    window = MainWindow(ws)
    window.show()
    if quit_after is not None:
        quit_later(app, quit_after)
    status = app.exec()
    window.ws.dispose()  # lets a background checkpoint after an import finish its copy
    return status
