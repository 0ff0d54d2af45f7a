"""`casedesk links list|add|delete`: a case's links, made only where the vocabulary allows them."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, Parser, emit, field_values


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register the links commands."""
    links = sub.add_parser("links", help="list, add and delete links")
    lsub = links.add_subparsers(dest="links_cmd", required=True, parser_class=Parser)
    ll = lsub.add_parser("list", parents=[common], help="list a case's links")
    ll.add_argument("--case", type=int, required=True)
    ll.set_defaults(func=run_list_links)
    la = lsub.add_parser("add", parents=[common], help="create a link the vocabulary allows")
    la.add_argument("--case", type=int, required=True)
    la.add_argument("--type", required=True, dest="link_type")
    la.add_argument("--from", type=int, required=True, dest="source")
    la.add_argument("--to", type=int, required=True, dest="target")
    la.add_argument("--set", action="append", metavar="FIELD=VALUE", help="a link field (repeatable)")
    la.set_defaults(func=run_add_link)
    ld = lsub.add_parser("delete", parents=[common], help="delete a link")
    ld.add_argument("id", type=int)
    ld.add_argument("--expect-version", type=int, help="refuse (exit 3) if the link is no longer at N")
    ld.set_defaults(func=run_delete_link)


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


def run_add_link(cmd: Command) -> int:
    """Create a link between two records of the case."""
    from casedesk.services.links import add_link

    args = cmd.args
    values = field_values(args.set)
    ws = cmd.open_workspace()
    with ws.write() as s:
        link = add_link(s, args.case, args.link_type, args.source, args.target, **values)
        payload = {"id": link.id, "version": link.version}
    emit(args, payload, f"created link {payload['id']}")
    return EXIT_OK


def run_delete_link(cmd: Command) -> int:
    """Delete a link; with --expect-version, exit 3 if it moved on."""
    from casedesk.services.links import delete_link, get_link

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.write() as s:
        seen = args.expect_version if args.expect_version is not None else get_link(s, args.id).version
        delete_link(s, args.id, expected_version=seen)
    emit(args, {"id": args.id}, f"deleted link {args.id}")
    return EXIT_OK
