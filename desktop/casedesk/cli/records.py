"""`casedesk records …`: a case's records (today `list`; the editing commands of product/cli.md go here)."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, Parser, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `records list`."""
    records = sub.add_parser("records", help="list records")
    rsub = records.add_subparsers(dest="records_cmd", required=True, parser_class=Parser)
    rl = rsub.add_parser("list", parents=[common], help="list a case's records")
    rl.add_argument("--case", type=int, required=True)
    rl.add_argument("--kind", choices=["party", "wallet", "datacenter", "server", "contract"])
    rl.set_defaults(func=run_list_records)


def run_list_records(cmd: Command) -> int:
    """List a case's records, optionally of one kind."""
    from casedesk.services.listings import list_records

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.read() as s:
        rows = list_records(s, args.case, kind=args.kind)
    emit(args, rows, lambda: "\n".join(f"{r['id']:>6}  {r['kind']:<10}  {r['label']}" for r in rows)
         or "no records")
    return EXIT_OK
