"""`casedesk gui`: open the main window."""

from __future__ import annotations

import argparse

from casedesk.cli.core import Command


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `gui`."""
    p = sub.add_parser("gui", help="open the main window")
    # Hidden: close the window after SECONDS (smoke tests of the installed program, start-up timing).
    p.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    p.set_defaults(func=run_gui)


def run_gui(cmd: Command) -> int:
    """Open the main window on the --db workspace; returns the application's exit status."""
    from casedesk.app import run_gui as open_main_window

    return open_main_window(cmd.args.db, quit_after=cmd.args.quit_after)
