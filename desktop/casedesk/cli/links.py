"""`casedesk links …`: a case's links (today `list`)."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, Parser, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `links list`."""
    links = sub.add_parser("links", help="list links")
    lsub = links.add_subparsers(dest="links_cmd", required=True, parser_class=Parser)
    ll = lsub.add_parser("list", parents=[common], help="list a case's links")
    ll.add_argument("--case", type=int, required=True)
    ll.set_defaults(func=run_list_links)


def run_list_links(cmd: Command) -> int:
    """List a case's links."""
    from casedesk.services.listings import list_links

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.read() as s:
        rows = list_links(s, args.case)
    emit(args, rows, lambda: "\n".join(
        f"{r['id']:>6}  {r['source_id']} -[{r['type']}]-> {r['target_id']}" for r in rows) or "no links")
    return EXIT_OK
