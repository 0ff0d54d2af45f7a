"""`casedesk dedupe`: suggest duplicate records within a case."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `dedupe`."""
    dd = sub.add_parser("dedupe", parents=[common], help="suggest duplicate records within a case")
    dd.add_argument("--case", type=int, required=True)
    dd.add_argument("--threshold", type=float)
    dd.set_defaults(func=run_dedupe)


def run_dedupe(cmd: Command) -> int:
    """List pairs of a case's records that may be the same."""
    from casedesk.services.screening.entity_resolution import find_duplicates

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.read() as s:
        pairs = find_duplicates(s, args.case, threshold=args.threshold)
    emit(args, {"case_id": args.case, "pairs": pairs}, lambda: "\n".join(
        f"{p['score']:5.1f}  {p['record_a']} {p['label_a']!r}  ~  {p['record_b']} {p['label_b']!r}"
        for p in pairs) or "no duplicate suggestions")
    return EXIT_OK
