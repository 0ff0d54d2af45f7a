"""Workspace verbs off the GUI thread: open (creating and upgrading as needed), encrypt, decrypt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casedesk.domain.errors import CaseDeskError
from casedesk.storage.workspace import Workspace, open_workspace
from casedesk.ui.tasks import TaskRunner


def open_in_background(runner: TaskRunner, target: str, *, on_done: Callable[[Workspace], None],
                       on_error: Callable[[Any], None], create: bool = False,
                       passphrase: str | None = None) -> int:
    """Open the workspace at a path or URL with the one opener the CLI and the app use; the job id.

    A missing file is created only with create=True (else on_error gets NoWorkspaceError); an
    encrypted one needs its passphrase (else EncryptedWorkspaceError or WrongPassphraseError).
    """
    def job() -> Workspace | CaseDeskError:
        try:
            return open_workspace(target, create=create, passphrase=passphrase)
        except CaseDeskError as exc:  # a user-facing reason, not a bug: hand it back as a value
            return exc

    return runner.submit(job, on_done=lambda r: on_error(r) if isinstance(r, CaseDeskError) else on_done(r),
                         on_error=on_error)


def convert_in_background(runner: TaskRunner, ws: Workspace, *, encrypt: bool, passphrase: str,
                          on_done: Callable[[Workspace, Any], None],
                          on_error: Callable[[Any], None]) -> int:
    """Encrypt (or decrypt) the open SQLite workspace with services.encryption, then open the result.

    The open workspace's connections are closed first (the conversion refuses a file in use); on
    a refusal (a wrong passphrase, a copy that does not verify) the file is as it was and the old
    workspace reconnects when next used. on_done gets (the reopened workspace, the Conversion)."""
    from casedesk.services.encryption import decrypt_workspace, encrypt_workspace

    target = ws.target

    def job() -> tuple[Workspace, Any] | CaseDeskError:
        try:
            ws.dispose()
            done = (encrypt_workspace if encrypt else decrypt_workspace)(target, passphrase)
            return open_workspace(str(done.path), passphrase=passphrase if encrypt else None), done
        except CaseDeskError as exc:  # a user-facing reason, not a bug: hand it back as a value
            return exc

    return runner.submit(job, on_done=lambda r: on_error(r) if isinstance(r, CaseDeskError) else on_done(*r),
                         on_error=on_error)
