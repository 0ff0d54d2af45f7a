"""`casedesk analyse`: compute totals, ECCN classes and red flags for a case (findings are saved)."""

from __future__ import annotations

import argparse
from typing import Any

from casedesk.cli.core import EXIT_OK, Command, UsageError, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `analyse` (alias `analyze`)."""
    an = sub.add_parser("analyse", aliases=["analyze"], parents=[common],
                        help="compute totals, ECCN classes and red flags (findings are saved)")
    an.add_argument("--case", type=int, required=True)
    an.add_argument("--as-of", help="apply the rules in force on this day (YYYY-MM-DD; default today)")
    an.set_defaults(func=run_analyse)


def run_analyse(cmd: Command) -> int:
    """Run the analysis, save its findings and print compute totals and the current findings."""
    from datetime import date

    from casedesk.services.analysis.engine import run_analysis
    from casedesk.services.findings import list_findings
    from casedesk.services.progress import run_to_end

    args = cmd.args
    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(f"--as-of {args.as_of!r} is not a YYYY-MM-DD date") from None
    ws = cmd.open_workspace()
    with ws.write() as s:
        result = run_to_end(run_analysis(s, args.case, as_of=as_of))
        findings = list_findings(s, args.case)
    current = [f for f in findings if f["status"] != "resolved"]
    payload = {
        "case_id": args.case, "as_of": result.as_of.isoformat(), "compute": result.compute,
        "findings": [{"id": f["id"], "rule": f["rule"], "severity": f["severity"], "title": f["title"],
                      "record_ids": f["record_ids"], "link_ids": f["link_ids"],
                      "explanation": f["explanation"], "status": f["status"], "reason": f["reason"],
                      "details": f["details"]} for f in current],
        "resolved": [{"id": f["id"], "rule": f["rule"], "title": f["title"]}
                     for f in findings if f["status"] == "resolved"],
        "undecided": result.undecided, "counts": result.counts}
    emit(args, payload, lambda: analysis_text(result, current))
    return EXIT_OK


def analysis_text(result: Any, findings: list[dict[str, Any]]) -> str:
    """The human summary: compute totals and groupings, then findings and open questions."""
    compute = result.compute
    t = compute["totals"]
    lines = [f"Compute (rules in force on {result.as_of.isoformat()}): {t['accelerators_text']}"
             f" · TPP {t['total_tpp']:,.0f} · {t['h100_equivalents']:,.0f} H100-equivalents"
             + (f" · {t['controlled_share']:.0%} of TPP controlled" if t["controlled_share"] is not None else "")]
    for f in compute["fleets"]:
        lines.append(f"  {f['label']}: {f['accelerators_text']} · {f['class_text']}")
    for key, title in (("by_datacenter", "data center"), ("by_owner", "owner"),
                       ("by_operator", "operator"), ("by_end_user", "end user")):
        for g in compute[key]:
            lines.append(f"  by {title} {g['label']}: {g['accelerators_text']}"
                         f" · {g['h100_equivalents']:,.0f} H100e")
    c = result.counts
    lines.append(f"Findings: {len(findings)} ({c['created']} new, {c['updated']} updated, "
                 f"{c['reopened']} re-opened, {c['resolved']} resolved)")
    for f in findings:
        lines.append(f"  [{f['severity']}] {f['status']:<9} {f['rule']}: {f['explanation'] or f['title']}")
    if result.undecided:
        lines.append("Could not decide:")
        lines += [f"  - {u['question']}" for u in result.undecided]
    return "\n".join(lines)
