"""`casedesk report`: write the PDF dossier of a case."""

from __future__ import annotations

import argparse
import sys

from casedesk.cli.core import EXIT_OK, Command, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `report`."""
    report = sub.add_parser("report", parents=[common], help="write the PDF dossier of a case")
    report.add_argument("--case", type=int, required=True)
    report.add_argument("-o", "--output", required=True, metavar="OUT.pdf")
    report.add_argument("--redact", default="none", metavar="PROFILE",
                        help="redaction profile: none, sensitive, external (resources/reporting)")
    report.add_argument("--marking", default="",
                        help="classification marking on every page (default: the case's, else UNCLASSIFIED)")
    report.add_argument("--author", help="author on the cover (default: your name and organisation from "
                                         "Preferences, else the workspace user)")
    report.add_argument("--date", help="date on the cover, YYYY-MM-DD (default: the newest audit entry's)")
    report.add_argument("--as-of", help="the day the compute, ECCN classes and open questions describe "
                                        "(YYYY-MM-DD, or YYYY-MM / YYYY meaning its last day; "
                                        "default: the cover date)")
    report.set_defaults(func=run_report)


def run_report(cmd: Command) -> int:
    """Write the dossier; each stage is named on stderr when that is a terminal."""
    from casedesk.services.progress import run_to_end
    from casedesk.services.reporting import DossierOptions, export_report
    from casedesk.storage.preferences import load_preferences

    args = cmd.args
    ws = cmd.open_workspace()
    author = load_preferences().author_line(ws.actor) if args.author is None else args.author
    options = DossierOptions(marking=args.marking, author=author, redaction=args.redact, date=args.date, as_of=args.as_of)
    shown = {"message": ""}

    def progress(step) -> None:  # noqa: ANN001 - Progress
        if not args.json and step.message != shown["message"] and sys.stderr.isatty():
            shown["message"] = step.message
            sys.stderr.write(f"{step.message}…\n")

    # the audited job: the dossier's export is an audit entry like every other export
    result = run_to_end(export_report(ws, args.case, args.output, options), progress)
    emit(args, result, f"wrote {result['path']} ({result['pages']} pages, sha256 {result['sha256']})")
    return EXIT_OK
