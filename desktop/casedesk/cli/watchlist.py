"""`casedesk watchlist import|list`: load and list screening lists."""

from __future__ import annotations

import argparse
import sys

from casedesk.cli.core import (
    EXIT_OK,
    Command,
    Parser,
    emit,
    end_progress_line,
    printable,
    progress_to_stderr,
)


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `watchlist import` and `watchlist list`."""
    wl = sub.add_parser("watchlist", help="load and list screening lists")
    wsub = wl.add_subparsers(dest="watchlist_cmd", required=True, parser_class=Parser)
    wi = wsub.add_parser("import", parents=[common], help="load (or replace) a screening list")
    wi.add_argument("file", help="the list file (OFAC SDN: sdn.csv, with alt/add/sdn_comments beside it)")
    wi.add_argument("--format", default="auto",
                    choices=["auto", "csl", "ofac-sdn", "dpl", "ftm", "opensanctions-csv", "un-xml"])
    wi.add_argument("--name", help="list name (a list of the same name is replaced)")
    wi.add_argument("--mapping", help="YAML/JSON column mapping for any other CSV")
    wi.add_argument("--skip-bad-rows", action="store_true",
                    help="import the readable rows and report the malformed ones")
    wi.add_argument("--snapshot-date", help="the list's publication date, if the file has none")
    wi.set_defaults(func=run_watchlist, creates_workspace=True)
    wsub.add_parser("list", parents=[common], help="list loaded lists").set_defaults(func=run_watchlist)
    we = wsub.add_parser("entries", parents=[common],
                         help="a loaded list's entries: names with kind and quality, countries, "
                              "addresses, identifiers, reference, listing date, snapshot")
    we.add_argument("list", help="the list's id or name (see `watchlist list`)")
    we.add_argument("--search", help="only entries with a name containing this text (any case)")
    we.add_argument("--limit", type=int, default=0, help="at most this many entries (default: all)")
    we.set_defaults(func=run_watchlist)


def run_watchlist(cmd: Command) -> int:
    """List the loaded lists (`list`) or load one from a file (`import`)."""
    from pathlib import Path

    from casedesk.services.progress import run_to_end
    from casedesk.services.screening.watchlist_import import import_watchlist, list_watchlists

    args = cmd.args
    ws = cmd.open_workspace()
    if args.watchlist_cmd == "entries":
        from casedesk.services.screening.entry_facts import list_entries

        with ws.read() as s:
            entries = list_entries(s, args.list, search=args.search, limit=args.limit)
        emit(args, entries, lambda: "\n".join(_entry_text(e) for e in entries) or "no entries")
        return EXIT_OK
    if args.watchlist_cmd == "list":
        with ws.read() as s:
            rows = list_watchlists(s)
        emit(args, rows, lambda: "\n".join(
            f"{r['list_id']:>4}  {r['name']}  [{r['format']}]  {r['entries']:,} entries"
            f"  snapshot {r['snapshot_date'] or 'unknown'}"
            + ("" if r["forms_current"] else "  (stored by an older version: re-read at the next screening)")
            for r in rows) or "no lists loaded")
        return EXIT_OK
    mapping = None
    if args.mapping:
        from casedesk.services.screening.formats.mapped import load_mapping

        mapping = load_mapping(Path(args.mapping))
    with ws.write() as s:
        result = run_to_end(import_watchlist(
            s, Path(args.file), fmt=args.format, name=args.name, mapping=mapping,
            skip_bad_rows=args.skip_bad_rows, snapshot_date=args.snapshot_date), progress_to_stderr)
    end_progress_line()
    for problem in result.skipped[:20]:
        sys.stderr.write(f"casedesk: skipped {printable(problem)}\n")
    for warning in result.warnings:
        sys.stderr.write(f"casedesk: warning: {printable(warning)}\n")
    for renamed in result.renamed[:20]:
        sys.stderr.write(f"casedesk: warning: {printable(renamed)}\n")
    if len(result.renamed) > 20:
        sys.stderr.write(f"casedesk: warning: {len(result.renamed) - 20} more rows share an id "
                         "with an earlier row\n")
    emit(args, result.as_json(), lambda: (
        f"{'replaced' if result.replaced else 'loaded'} list {result.list_id} {result.name!r} "
        f"[{result.format}]: {result.entries:,} entries"
        + (f", {len(result.skipped)} bad rows skipped" if result.skipped else "")
        + (f", {result.duplicates} duplicate rows merged" if result.duplicates else "")
        + (f", {len(result.renamed)} rows sharing an id kept apart" if result.renamed else "")
        + (f", {result.kept_decisions} decisions kept, {result.reopened} re-opened"
           if result.replaced else "")))
    return EXIT_OK


def _entry_text(e: dict) -> str:
    """An entry in a few lines: key, name, type; other names with kind; the facts sentence."""
    from casedesk.services.screening.entry_facts import facts_sentence, kind_text

    names = [f"{n['name']} ({kind_text(n)})" for n in e["names"] if n["kind"] != "primary"]
    lines = [f"{e['entry_key']:>10}  {printable(e['name'][:300])}  [{e['entity_type'] or 'unknown'}]"]
    if names:
        lines.append("            also: " + printable("; ".join(names)[:500]))
    if e["identifiers"]:
        lines.append("            ids: " + printable("; ".join(
            f"{i['scheme']} {i['value']}" + (f" ({i['country']})" if i["country"] else "")
            for i in e["identifiers"])[:300]))
    sentence = facts_sentence(e)
    if sentence:
        lines.append("            " + printable(sentence.removeprefix("List entry: ")[:500]))
    return "\n".join(lines)
