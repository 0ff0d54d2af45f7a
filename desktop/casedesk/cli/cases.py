"""`casedesk cases list|new|import`."""

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
    new.set_defaults(func=run_cases, creates_workspace=True)
    imp = csub.add_parser("import", parents=[common],
                          help="add the case of a case pack (every hash checked first)")
    imp.add_argument("file", metavar="FILE.casepack")
    imp.add_argument("--again", action="store_true",
                     help="import a pack this workspace has imported before as one more case")
    imp.set_defaults(func=run_cases_import, creates_workspace=True)


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


def run_cases_import(cmd: Command) -> int:
    """Check a case pack whole and add its case; a pack failing any check is refused (exit 2)."""
    from casedesk.cli.core import end_progress_line, progress_to_stderr
    from casedesk.services.exchange.casepack_in import import_casepack
    from casedesk.services.progress import run_to_end

    args = cmd.args
    ws = cmd.open_workspace()
    try:
        result = run_to_end(import_casepack(ws, args.file, again=args.again), progress_to_stderr)
    finally:
        end_progress_line()
    o = result.origin
    emit(args, result.as_json(),
         f"imported case {result.case_id}: {result.records:,} records, {result.links:,} links, "
         f"{result.evidence:,} evidence items; from case {o['case_id']} of workspace "
         f"{o['workspace']} ({o['workspace_name']}), exported by {o['exporter']} at {o['exported_at']}"
         + (f"; its head receipt is signed by key {o['receipt_key']}"
            f"{'' if o['receipt_key_known'] else ' (a key this workspace has not seen before)'}"
            if o.get("receipt_key") else "; the pack carries no head receipt")
         + (f"\nnote: this pack was imported before as case "
            f"{', '.join(map(str, result.earlier_imports))}" if result.earlier_imports else "")
         + "".join(f"\n{line}" for line in result.catalog.lines()))
    return EXIT_OK
