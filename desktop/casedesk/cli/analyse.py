"""`casedesk analyse`: compute totals, ECCN classes and red flags for a case (findings are saved)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from casedesk.cli.core import EXIT_OK, Command, UsageError, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `analyse` (alias `analyze`)."""
    an = sub.add_parser("analyse", aliases=["analyze"], parents=[common],
                        help="compute totals, ECCN classes and red flags (findings are saved)")
    an.add_argument("--case", type=int, required=True)
    an.add_argument("--as-of", help="analyse the case as it stood on this day: fleets installed and not "
                                    "decommissioned, contracts and links in force, rules in force "
                                    "(YYYY-MM-DD, or YYYY-MM / YYYY meaning its last day; default today)")
    an.set_defaults(func=run_analyse)


def run_analyse(cmd: Command) -> int:
    """Run the analysis, save its findings and print compute totals and the current findings."""
    from casedesk.services.analysis.engine import run_analysis
    from casedesk.services.findings import list_findings
    from casedesk.services.progress import run_to_end

    args = cmd.args
    as_of = parse_as_of(args.as_of)
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
        "open_questions": [{"rule": q["rule"], "gap": q["gap"], "title": q["title"],
                            "record_ids": q["record_ids"], "count": q["count"], "items": q["items"]}
                           for q in result.open_questions],
        "left_out": result.left_out,
        "undecided": result.undecided, "counts": result.counts}
    emit(args, payload, lambda: analysis_text(result, current))
    return EXIT_OK


def analysis_text(result: Any, findings: list[dict[str, Any]]) -> str:
    """The human summary: compute totals and groupings, then findings and open questions."""
    from casedesk.services.analysis.questions import questions_text

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
    out = result.left_out or {}
    if out.get("fleets") or out.get("rules_not_in_force"):
        gone = "; ".join(f"{f['label']} ({f['why']})" for f in out.get("fleets", []))
        lines.append(f"Left out as of {result.as_of.isoformat()}: " + "; ".join(
            x for x in (gone, ", ".join(f"rule {r} (not yet in force)"
                                        for r in out.get("rules_not_in_force", []))) if x))
    if result.open_questions:
        lines.append(f"Open questions ({len(result.open_questions)}): data gaps, not red flags")
        lines += questions_text(result.open_questions)
    return "\n".join(lines)


def parse_as_of(text: str | None) -> date | None:
    """The analysis day of --as-of: an ISO date, or a partial date (its last day); None if absent."""
    from casedesk.domain.dates import parse_partial_date
    from casedesk.domain.errors import ValidationError

    if not text:
        return None
    try:
        return parse_partial_date(text).last_day()
    except ValidationError as exc:
        raise UsageError(f"--as-of {text!r} is not a date: {exc}") from None
