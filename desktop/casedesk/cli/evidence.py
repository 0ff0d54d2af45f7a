"""`casedesk evidence add`: store a file as content-addressed, graded evidence, optionally cited."""

from __future__ import annotations

import argparse
from pathlib import Path

from casedesk.cli.core import EXIT_OK, Command, Parser, UsageError, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `evidence add`."""
    evidence = sub.add_parser("evidence", help="add evidence files")
    esub = evidence.add_subparsers(dest="evidence_cmd", required=True, parser_class=Parser)
    ea = esub.add_parser("add", parents=[common], help="store a file as evidence of a case")
    ea.add_argument("file", type=Path)
    ea.add_argument("--case", type=int, required=True)
    ea.add_argument("--grade", default="F6", help="Admiralty grade, e.g. B2 (default F6: not yet judged)")
    ea.add_argument("--title", help="default: the file name")
    ea.add_argument("--source", help="where it came from (default: the file's path)")
    ea.add_argument("--cite", type=int, metavar="RECORD", help="cite it on this record")
    ea.add_argument("--cite-link", type=int, metavar="LINK", help="cite it on this link")
    ea.add_argument("--claim", default="", help="what the evidence shows about the record or link")
    ea.add_argument("--locator", default="", help="page, row or quote")
    ea.set_defaults(func=run_add_evidence)


def run_add_evidence(cmd: Command) -> int:
    """Store the file (the same bytes are kept once) and cite it where asked, in one transaction."""
    from casedesk.services.evidence import attach_file, cite

    args = cmd.args
    if args.cite is not None and args.cite_link is not None:
        raise UsageError("cite the evidence on a record (--cite) or on a link (--cite-link), not both")
    if args.claim and args.cite is None and args.cite_link is None:
        raise UsageError("--claim needs --cite RECORD or --cite-link LINK")
    ws = cmd.open_workspace()
    with ws.write() as s:
        ev = attach_file(s, args.case, args.file, grade=args.grade, title=args.title, source=args.source or "")
        payload = {"evidence_id": ev.id, "sha256": ev.sha256}
        if args.cite is not None or args.cite_link is not None:
            c = cite(s, ev.id, record_id=args.cite, link_id=args.cite_link, locator=args.locator,
                     claim=args.claim)
            payload["citation_id"] = c.id
    emit(args, payload, f"evidence {payload['evidence_id']} sha256 {payload['sha256']}")
    return EXIT_OK
