"""`casedesk findings list|decide`: a case's saved findings and the analyst's decisions on them."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, Command, Parser, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `findings list` and `findings decide`."""
    findings = sub.add_parser("findings", help="list and decide findings")
    fsub = findings.add_subparsers(dest="findings_cmd", required=True, parser_class=Parser)
    fl = fsub.add_parser("list", parents=[common], help="a case's saved findings, most severe first")
    fl.add_argument("--case", type=int, required=True)
    fl.set_defaults(func=run_list_findings)
    fd = fsub.add_parser("decide", parents=[common], help="confirm, dismiss or re-open a finding")
    fd.add_argument("id", type=int)
    fd.add_argument("status", choices=["confirmed", "dismissed", "open"])
    fd.add_argument("--reason", default="", help="why (required to dismiss)")
    fd.set_defaults(func=run_decide_finding)


def run_list_findings(cmd: Command) -> int:
    """The saved findings of a case (run `analyse` to refresh them)."""
    from casedesk.services.findings import list_findings

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.read() as s:
        rows = list_findings(s, args.case)
    emit(args, rows, lambda: "\n".join(
        f"{f['id']:>5}  {f['severity']:<8}  [{f['status']}]  {f['title']}" for f in rows) or "no findings")
    return EXIT_OK


def run_decide_finding(cmd: Command) -> int:
    """Record a decision on a finding (audited)."""
    from casedesk.services.findings import decide_finding

    args = cmd.args
    ws = cmd.open_workspace()
    with ws.write() as s:
        f = decide_finding(s, args.id, args.status, args.reason)
        payload = {"id": f.id, "status": f.status, "reason": f.reason}
    emit(args, payload, f"finding {payload['id']} {payload['status']}")
    return EXIT_OK
