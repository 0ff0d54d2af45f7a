"""`main`: parse, run one command, close what it opened, and turn errors into exit codes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import ExitStack

from casedesk.cli.core import EXIT_BAD_INPUT, EXIT_CONFLICT, EXIT_INTERNAL, Command, printable
from casedesk.cli.parser import build_parser
from casedesk.domain.errors import CaseDeskError, ConflictError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "command", None):
            from casedesk.app import run_gui

            return run_gui(args.db)
        if not hasattr(args, "json"):
            args.json = False
        from casedesk.services.collector import few_gc_passes

        # One command is one bulk job: the cycle collector's full passes over a loaded case graph
        # cost as much as printing it (an analysis of 100k records spent 1 s of 11 in them).
        with ExitStack() as closing, few_gc_passes():
            return args.func(Command(args, closing))
    except ConflictError as exc:  # somebody else's change came first: who, when, and nothing written
        sys.stderr.write(f"casedesk: conflict: {printable(str(exc)).splitlines()[0]}\n")
        return EXIT_CONFLICT
    except CaseDeskError as exc:
        sys.stderr.write(f"casedesk: {printable(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("casedesk: interrupted\n")
        return 130
    except Exception as exc:  # a bug, not bad input: keep the traceback in a log, not on screen
        log = write_crash_log()
        sys.stderr.write(f"casedesk: internal error ({type(exc).__name__}: {printable(str(exc))[:200]}); "
                         f"details in {log}\n")
        return EXIT_INTERNAL


def write_crash_log() -> str:
    """Append the current traceback to the user's crash log; returns the log's path."""
    import tempfile
    import traceback
    from pathlib import Path

    from platformdirs import user_log_dir

    # The user's log folder, else the temporary folder (a HOME that is not writable must not turn
    # one error into a second traceback on screen).
    for path in (Path(user_log_dir("CaseDesk", appauthor=False)) / "crash.log",
                 Path(tempfile.gettempdir()) / "casedesk-crash.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(traceback.format_exc() + "\n")
            return str(path)
        except OSError:
            continue
    return "no writable folder (the crash log could not be written)"
