"""The argument parser: the global options, then each command group adds its own commands."""

from __future__ import annotations

import argparse

from casedesk import __version__
from casedesk.cli import (
    analyse,
    cases,
    catalog,
    dedupe,
    demo,
    encrypt,
    evidence,
    export,
    findings,
    gui,
    hits,
    importing,
    links,
    records,
    report,
    screen,
    verify,
    watchlist,
)
from casedesk.cli.core import Parser

# the order commands appear in `casedesk --help`
COMMAND_GROUPS = (gui, cases, demo, records, links, evidence, analyse, catalog, findings, watchlist, screen, hits,
                  dedupe, importing, verify, report, export, encrypt)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p = Parser(prog="casedesk", description="CaseDesk: offline due-diligence case manager.")
    p.add_argument("--db", help="workspace: a SQLite file path or a postgresql+psycopg:// URL "
                                "(default: $CASEDESK_DB, else the workspace in your data folder)")
    p.add_argument("--version", action="version", version=f"casedesk {__version__}")
    p.add_argument("--no-backup", action="store_true",
                   help="upgrade a PostgreSQL database without a pg_dump first (you made your own)")
    sub = p.add_subparsers(dest="command", parser_class=Parser)
    for group in COMMAND_GROUPS:
        group.add_commands(sub, common)
    return p
