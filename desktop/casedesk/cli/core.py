"""What every command shares: exit codes, UsageError, the parser class, output, the command context."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from casedesk.domain.errors import CaseDeskError

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_CONFLICT, EXIT_INTERNAL = 0, 1, 2, 3, 70


class UsageError(CaseDeskError):
    """The command line itself is wrong."""


class Parser(argparse.ArgumentParser):
    """An argument parser that raises UsageError instead of exiting."""

    def error(self, message: str) -> None:  # argparse would print usage and exit 2 itself
        raise UsageError(message)


@dataclass(frozen=True)
class Command:
    """One run of a command: its parsed options and the stack that closes what it opened."""

    args: argparse.Namespace
    closing: ExitStack

    def open_workspace(self):  # noqa: ANN201 - a storage.workspace.Workspace
        """Open the --db workspace; main() disposes of it when the command returns.

        Only commands registered with `creates_workspace=True` (they can start from nothing) make a
        missing file; the others exit 2 with "no workspace at PATH" and create nothing. An encrypted
        workspace takes its passphrase from CASEDESK_PASSPHRASE, else a prompt on a terminal.
        """
        from casedesk.storage.workspace import is_encrypted, open_workspace

        passphrase = None
        if is_encrypted(self.args.db):
            passphrase = read_passphrase("Passphrase of the encrypted workspace: ")
        create = getattr(self.args, "creates_workspace", False)
        new_file = new_workspace_file(self.args.db) if create else None
        ws = open_workspace(self.args.db, create=create, backup=not getattr(self.args, "no_backup", False),
                            passphrase=passphrase)
        if new_file is not None:
            # a command that fails leaves no half-made workspace behind: nothing changed
            self.closing.push(lambda exc_type, _exc, _tb: _remove_if_failed(new_file, exc_type))
        # dispose() lets a background WAL checkpoint finish before the process exits
        self.closing.callback(ws.dispose)
        for problem in ws.receipt_problems:  # checked on every open: a cut history shows at once
            sys.stderr.write(f"warning: the workspace does not match this install's head receipt: {problem}\n")
        return ws


def new_workspace_file(db: str | None):  # noqa: ANN201 - a Path, or None
    """The SQLite file db names when it does not exist yet (this command would create it)."""
    from pathlib import Path

    from casedesk.storage.engine import is_url
    from casedesk.storage.workspace import resolve_target, sqlite_path_of

    target = sqlite_path_of(resolve_target(db))
    if is_url(target):
        return None
    path = Path(target).expanduser()
    return None if path.exists() else path.resolve()


def _remove_if_failed(path, exc_type) -> bool:  # noqa: ANN001
    """Exit callback: delete the workspace file this command created when the command failed."""
    if exc_type is not None:
        from casedesk.storage.sqlcipher import remove_with_sidecars

        remove_with_sidecars(path)
    return False


PASSPHRASE_ENV = "CASEDESK_PASSPHRASE"


def read_passphrase(prompt: str, *, confirm: bool = False) -> str | None:
    """The passphrase from CASEDESK_PASSPHRASE, else asked on the terminal (never echoed);
    None without either (the opener then says the workspace is encrypted)."""
    import getpass
    import os

    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise UsageError("the two passphrases differ; nothing was changed")
    return first


def field_values(pairs: list[str] | None) -> dict[str, str]:
    """`--set FIELD=VALUE` options as {field: value} (the services validate each value)."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {pair!r}: write FIELD=VALUE")
        if name in values:
            raise UsageError(f"--set {name}: given twice")
        values[name] = value
    return values


def emit(args: argparse.Namespace, payload: Any, human: Callable[[], str] | str) -> None:
    """Print the payload as JSON with --json, else the human text (made terminal-safe)."""
    if args.json:
        sys.stdout.write(json_text(payload) + "\n")
    else:
        text = human() if callable(human) else human
        if text:
            sys.stdout.write(printable(text) + "\n")


# Indented JSON goes through json's pure-Python encoder, about 20 times slower than its C one: the
# analysis of a 100k-record case (27,000 findings, 24,000 fleets) spent 10 s printing itself.
_INDENT_BELOW = 1_000_000  # characters: a document a person reads is indented, a bulk one is not


def json_text(payload: Any) -> str:
    """The --json document: indented for reading, compact (one line) when it is over a million characters."""
    compact = json.dumps(payload, ensure_ascii=False, default=str)
    if len(compact) >= _INDENT_BELOW:
        return compact
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def printable(text: str) -> str:
    """Make user data safe on a terminal: control characters become visible escapes."""
    out = []
    for ch in text:
        if ch == "\n" or ch == "\t" or (ch.isprintable() and ch not in "\u202e\u202d\u2066\u2067\u2068"):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def progress_to_stderr(step) -> None:  # noqa: ANN001 - a Progress
    """Show a long job's current step on one overwritten stderr line (only on a terminal)."""
    if sys.stderr.isatty() and step.message:
        sys.stderr.write(f"\r{step.message[:100]:<100}")
        sys.stderr.flush()


def end_progress_line() -> None:
    """Finish the line progress_to_stderr kept overwriting."""
    if sys.stderr.isatty():
        sys.stderr.write("\n")
