"""`casedesk export --case ID --format ftm|graphml|csv|casepack -o PATH`."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, emit, end_progress_line, progress_to_stderr


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `export`."""
    exp = sub.add_parser("export", parents=[common],
                         help="export a case as FollowTheMoney, GraphML, CSV or a case pack")
    exp.add_argument("--case", type=int, required=True, help="id of the case to export")
    exp.add_argument("--format", required=True, choices=("ftm", "graphml", "csv", "casepack"),
                     help="ftm: FollowTheMoney JSON lines; graphml: a graph for Gephi/yEd/networkx; "
                          "csv: a folder (or a .zip) of one CSV per record kind plus links.csv; "
                          "casepack: the whole case as one portable file")
    exp.add_argument("-o", "--output", required=True, metavar="PATH",
                     help="the file to write (for csv: a new or empty folder, or a .zip file)")
    exp.add_argument("--records", metavar="ID,ID,…",
                     help="export only these records and the links between them (not for casepack)")
    exp.set_defaults(func=run_export)


def run_export(cmd: Command) -> int:
    """Run one export (progress on stderr) and print what was written."""
    from casedesk.cli.core import UsageError
    from casedesk.services.exchange import export_case
    from casedesk.services.progress import run_to_end

    args = cmd.args
    record_ids = None
    if args.records:
        try:
            record_ids = {int(x) for x in args.records.split(",") if x.strip()}
        except ValueError:
            raise UsageError("--records takes record ids separated by commas") from None
    ws = cmd.open_workspace()
    try:
        result = run_to_end(export_case(ws, args.case, args.format, args.output,
                                        record_ids=record_ids), progress_to_stderr)
    finally:
        end_progress_line()
    emit(args, result.as_json(),
         f"wrote {result.path}: {result.records:,} records, {result.links:,} links "
         f"({result.format}, sha256 {result.sha256})"
         + (f"\ncarries the workspace catalog models its fleets use: {', '.join(carried)}"
            if (carried := result.extra.get("catalog_models")) else ""))
    return EXIT_OK
