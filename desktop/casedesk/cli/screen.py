"""`casedesk screen`: screen a case's parties and wallets against every loaded list."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, emit, end_progress_line, progress_to_stderr
from casedesk.cli.hits import hits_text


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `screen`."""
    sc = sub.add_parser("screen", parents=[common],
                        help="screen a case's parties and wallets against every list")
    sc.add_argument("--case", type=int, required=True)
    sc.add_argument("--threshold", type=score_0_100, metavar="0-100",
                    help="minimum score 0-100 (default from weights.yaml)")
    sc.set_defaults(func=run_screen)


def score_0_100(text: str) -> float:
    """A threshold as typed: a number from 0 to 100 (argparse type; the message quotes the text)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (give a score from 0 to 100)") from None
    if not 0 <= value <= 100:  # also refuses nan, inf
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 100")
    return value


def run_screen(cmd: Command) -> int:
    """Screen the case and print the hits it now has."""
    from casedesk.services.progress import run_to_end
    from casedesk.services.screening.screen import screen_case

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.write() as s:
        result = run_to_end(screen_case(s, args.case, threshold=args.threshold), progress_to_stderr)
    end_progress_line()
    emit(args, result.as_json(), lambda: hits_text(result.hits))
    return EXIT_OK
