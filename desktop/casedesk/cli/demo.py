"""`casedesk demo`: add the built-in demo case."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `demo`."""
    demo = sub.add_parser("demo", parents=[common], help="add the built-in demo case")
    demo.set_defaults(func=run_demo, creates_workspace=True)


def run_demo(cmd: Command) -> int:
    """Load the demo case into the workspace."""
    from casedesk.services.demo import load_demo_case

    ws = cmd.open_workspace()
    with ws.write() as s:
        case = load_demo_case(s)
        case_id = case.id
    emit(cmd.args, {"case_id": case_id}, f"demo case loaded as case {case_id}")
    return EXIT_OK
