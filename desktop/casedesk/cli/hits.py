"""`casedesk hits list|decide`: a case's screening hits and the analyst's decisions on them."""

from __future__ import annotations

import argparse
from typing import Any

from casedesk.cli.core import EXIT_OK, Command, Parser, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `hits list` and `hits decide`."""
    hits = sub.add_parser("hits", help="list and decide screening hits")
    hsub = hits.add_subparsers(dest="hits_cmd", required=True, parser_class=Parser)
    hl = hsub.add_parser("list", parents=[common], help="a case's screening hits")
    hl.add_argument("--case", type=int, required=True)
    hl.add_argument("--status", choices=["open", "confirmed", "dismissed"])
    hl.set_defaults(func=run_hits)
    hd = hsub.add_parser("decide", parents=[common], help="confirm, dismiss or re-open a hit")
    hd.add_argument("hit", type=int)
    hd.add_argument("status", choices=["confirmed", "dismissed", "open"])
    hd.add_argument("--reason", help="why (required to dismiss)")
    hd.set_defaults(func=run_hits)


def hits_text(hits: list[dict[str, Any]]) -> str:
    """One line per hit: id, score, status, record ~ list entry (or "no hits")."""
    return "\n".join(
        f"{h['hit_id']:>5}  {h['score']:5.1f}  [{h['status']}]  {h['record_label']}  ~  "
        f"{h['entry_name']}  ({h['list']})" for h in hits) or "no hits"


def run_hits(cmd: Command) -> int:
    """List a case's hits (`list`) or record a decision on one (`decide`)."""
    from casedesk.services.screening.hits import decide_hit, hit_dict, list_hits

    args = cmd.args
    ws = cmd.open_workspace()
    if args.hits_cmd == "list":
        with ws.read() as s:
            rows = list_hits(s, args.case, status=args.status)
        emit(args, rows, lambda: hits_text(rows))
        return EXIT_OK
    with ws.write() as s:
        hit = decide_hit(s, args.hit, args.status, args.reason or "")
        payload = hit_dict(hit, "")
    emit(args, payload, f"hit {args.hit} {args.status}")
    return EXIT_OK
