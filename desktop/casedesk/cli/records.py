"""`casedesk records list|add|show|edit|delete|merge`: a case's records, edited as in the inspector."""

from __future__ import annotations

import argparse
from typing import Any

from casedesk.cli.core import EXIT_OK, Command, Parser, emit, field_values

KINDS = ["party", "wallet", "datacenter", "server", "contract"]


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register the records commands."""
    records = sub.add_parser("records", help="list, add, show, edit, delete and merge records")
    rsub = records.add_subparsers(dest="records_cmd", required=True, parser_class=Parser)
    rl = rsub.add_parser("list", parents=[common], help="list a case's records")
    rl.add_argument("--case", type=int, required=True)
    rl.add_argument("--kind", choices=KINDS)
    rl.set_defaults(func=run_list_records)
    ra = rsub.add_parser("add", parents=[common], help="create a record")
    ra.add_argument("--case", type=int, required=True)
    ra.add_argument("--kind", choices=KINDS, required=True)
    ra.add_argument("--label", required=True)
    ra.add_argument("--set", action="append", metavar="FIELD=VALUE", help="a field value (repeatable)")
    ra.set_defaults(func=run_add_record)
    rs = rsub.add_parser("show", parents=[common], help="one record with names, citations, other cases")
    rs.add_argument("id", type=int)
    rs.set_defaults(func=run_show_record)
    re_ = rsub.add_parser("edit", parents=[common], help="change fields of a record")
    re_.add_argument("id", type=int)
    re_.add_argument("--set", action="append", metavar="FIELD=VALUE", required=True)
    re_.add_argument("--expect-version", type=int, help="refuse (exit 3) if the record is no longer at N")
    re_.set_defaults(func=run_edit_record)
    rd = rsub.add_parser("delete", parents=[common], help="delete a record and its links")
    rd.add_argument("id", type=int)
    rd.add_argument("--expect-version", type=int, help="refuse (exit 3) if the record is no longer at N")
    rd.set_defaults(func=run_delete_record)
    rm = rsub.add_parser("merge", parents=[common], help="merge DROP into KEEP, keeping everything")
    rm.add_argument("keep", type=int)
    rm.add_argument("drop", type=int)
    rm.set_defaults(func=run_merge_records)


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


def run_add_record(cmd: Command) -> int:
    """Create a record, each value validated as in the inspector."""
    from casedesk.services.records import RecordIn, create_record

    args = cmd.args
    values = field_values(args.set)
    ws = cmd.open_workspace()
    with ws.write() as s:
        record = create_record(s, args.case, RecordIn(args.kind, {**values, "label": args.label}))
        payload = {"id": record.id, "version": record.version}
    emit(args, payload, f"created {args.kind} {payload['id']}")
    return EXIT_OK


def run_show_record(cmd: Command) -> int:
    """One record with its aliases, identifiers, addresses, citations and the cases it also appears in."""
    from casedesk.services.record_details import record_details
    from casedesk.services.screening.entity_resolution import other_cases_for_record

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.read() as s:
        d = record_details(s, args.id)
        others = other_cases_for_record(s, args.id)
    payload = {"id": d["id"], "case_id": d["case_id"], "kind": d["kind"], "label": d["label"],
               "version": d["version"], "fields": d["values"], "aliases": d["aliases"],
               "identifiers": d["identifiers"], "addresses": d["addresses"], "citations": d["citations"],
               "links": d["links"], "findings": d["findings"], "other_cases": others}
    emit(args, payload, lambda: _show_text(payload))
    return EXIT_OK


def _show_text(d: dict[str, Any]) -> str:
    lines = [f"{d['kind']} {d['id']} (version {d['version']}, case {d['case_id']}): {d['label']}"]
    lines += [f"  {name}: {value}" for name, value in d["fields"].items()
              if value not in (None, "", [], False) and name != "label"]
    lines += [f"  alias: {a['name']}" for a in d["aliases"]]
    lines += [f"  identifier: {i['scheme']} {i['value']}" for i in d["identifiers"]]
    lines += [f"  address: {a['full']}" for a in d["addresses"]]
    lines += [f"  cited: {c.get('title', c.get('evidence_id'))} {c.get('locator', '')}".rstrip()
              for c in d["citations"]]
    lines += [f"  also in case {o['case_id']} ({o['case_title']}): record {o['record_id']} {o['label']}"
              f" ({o['score']:.0f})" for o in d["other_cases"]]
    return "\n".join(lines)


def run_edit_record(cmd: Command) -> int:
    """Change fields; with --expect-version, exit 3 if the record moved on."""
    from casedesk.services.records import get_record, update_record

    args = cmd.args
    values = field_values(args.set)
    ws = cmd.open_workspace()
    with ws.write() as s:
        # Without --expect-version the edit starts from the version read here, in its own transaction.
        seen = args.expect_version if args.expect_version is not None else get_record(s, args.id).version
        record = update_record(s, args.id, values, expected_version=seen)
        payload = {"id": record.id, "version": record.version}
    emit(args, payload, f"record {payload['id']} now at version {payload['version']}")
    return EXIT_OK


def run_delete_record(cmd: Command) -> int:
    """Delete a record and its links (kept in the audit)."""
    from casedesk.services.records import delete_record, get_record

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.write() as s:
        seen = args.expect_version if args.expect_version is not None else get_record(s, args.id).version
        delete_record(s, args.id, expected_version=seen)
    emit(args, {"id": args.id}, f"deleted record {args.id}")
    return EXIT_OK


def run_merge_records(cmd: Command) -> int:
    """Merge DROP into KEEP; prints what moved."""
    from casedesk.services.records import merge_records
    from casedesk.services.restore import capture_record

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.write() as s:
        cap = capture_record(s, args.drop)
        merge_records(s, args.keep, args.drop)
    moved = {name: len(cap[name]) for name in ("aliases", "identifiers", "addresses", "links", "citations",
                                               "events", "hits", "duplicate_decisions")}
    moved["screening_hits"] = moved.pop("hits")
    emit(args, {"id": args.keep, "merged": args.drop, "moved": moved},
         lambda: f"merged record {args.drop} into {args.keep}: "
                 + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in moved.items() if n) or "nothing to move")
    return EXIT_OK
