"""`casedesk cases list|new`."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, Parser, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `cases list` and `cases new`."""
    cases = sub.add_parser("cases", help="list or create cases")
    csub = cases.add_subparsers(dest="cases_cmd", required=True, parser_class=Parser)
    csub.add_parser("list", parents=[common], help="list cases").set_defaults(func=run_cases)
    new = csub.add_parser("new", parents=[common], help="create a case")
    new.add_argument("title")
    new.add_argument("--description")
    new.set_defaults(func=run_cases)


def run_cases(cmd: Command) -> int:
    """Create a case (`new`) or list them (`list`)."""
    from casedesk.services.cases import create_case, list_cases

    args = cmd.args
    ws = cmd.open_workspace()
    if args.cases_cmd == "new":
        with ws.write() as s:
            case = create_case(s, args.title, args.description or "")
            case_id = case.id
        emit(args, {"id": case_id, "title": args.title}, f"created case {case_id}")
        return EXIT_OK
    with ws.read() as s:
        cases = list_cases(s)
    emit(args, [{"id": c.id, "title": c.title, "records": c.records, "links": c.links,
                 "created_at": c.created_at} for c in cases],
         lambda: "\n".join(f"{c.id:>5}  {c.title}  ({c.records} records, {c.links} links)"
                           for c in cases) or "no cases")
    return EXIT_OK
