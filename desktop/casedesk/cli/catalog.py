"""`casedesk catalog list|add|remove`: the accelerator catalog, and the workspace's own models."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from casedesk.cli.core import EXIT_OK, Command, Parser, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `catalog list`, `catalog add` and `catalog remove`."""
    cat = sub.add_parser("catalog", help="the accelerator catalog the analysis classifies by")
    csub = cat.add_subparsers(dest="catalog_cmd", required=True, parser_class=Parser)
    cl = csub.add_parser("list", parents=[common], help="list catalog models (shipped and the workspace's)")
    cl.add_argument("--workspace-only", action="store_true", help="only the models added to this workspace")
    cl.add_argument("--find", metavar="TEXT", help="only models whose name, alias or vendor contains TEXT")
    cl.set_defaults(func=run_catalog)
    ca = csub.add_parser("add", parents=[common],
                         help="add a model to the workspace's catalog (audited; every analysis uses it)")
    ca.add_argument("name", help="the model's name, e.g. 'Ascend 910D'")
    ca.add_argument("--vendor", required=True)
    ca.add_argument("--tpp", type=float, required=True,
                    help="total processing performance in bit-TOPS (dense TOPS × bit length, at its max)")
    ca.add_argument("--die-area", type=float, dest="die_area_mm2", help="die area in mm² (for performance density)")
    ca.add_argument("--io", type=float, dest="io_gbps", help="aggregate bidirectional I/O in GB/s")
    ca.add_argument("--alias", action="append", default=[], help="another spelling (repeat for several)")
    ca.add_argument("--memory", help="e.g. '96 GB HBM3'")
    ca.add_argument("--prc-made", action="store_true", help="designed or made in the PRC (or Macau)")
    ca.add_argument("--not-datacenter", action="store_true", help="a consumer or workstation part")
    ca.add_argument("--announced", type=int, help="year announced")
    ca.add_argument("--notes", default="")
    ca.add_argument("--source", default="", help="where the figures come from: datasheet, page, URL")
    ca.add_argument("--source-file", type=Path, help="a copy of the source (stored hashed in the workspace)")
    ca.add_argument("--evidence", type=int, metavar="EVIDENCE", help="a case's evidence item the figures come from")
    ca.set_defaults(func=run_catalog, creates_workspace=True)
    cr = csub.add_parser("remove", parents=[common], help="remove a model the workspace added")
    cr.add_argument("code", help="the model's code, as `catalog list --workspace-only` shows it")
    cr.set_defaults(func=run_catalog)


def run_catalog(cmd: Command) -> int:
    """List the merged catalog, or add or remove one workspace model in one transaction."""
    from casedesk.services.analysis.workspace_catalog import (
        NewModel,
        add_model,
        entry_dict,
        model_row,
        remove_model,
        workspace_vocabulary,
    )

    args = cmd.args
    ws = cmd.open_workspace()
    if args.catalog_cmd == "add":
        new = NewModel(name=args.name, vendor=args.vendor, tpp=args.tpp, source=args.source,
                       die_area_mm2=args.die_area_mm2, io_gbps=args.io_gbps, aliases=tuple(args.alias),
                       memory=args.memory, datacenter=not args.not_datacenter, prc_made=args.prc_made,
                       announced=args.announced, notes=args.notes)
        with ws.write() as s:
            payload = entry_dict(add_model(s, new, source_file=args.source_file, evidence_id=args.evidence))
        emit(args, payload, f"added {payload['code']} {payload['name']!r} ({payload['vendor']}, "
                            f"TPP {payload['tpp']:,.0f}) to the workspace catalog")
        return EXIT_OK
    if args.catalog_cmd == "remove":
        with ws.write() as s:
            payload = entry_dict(remove_model(s, args.code))
        emit(args, payload, f"removed {payload['code']} {payload['name']!r} from the workspace catalog")
        return EXIT_OK
    with ws.read() as s:
        catalog = workspace_vocabulary(s).accelerators
    rows = [model_row(m) for m in catalog
            if (not args.workspace_only or m.origin == "workspace") and _matches(m, args.find)]
    emit(args, {"models": rows, "count": len(rows)}, lambda: "\n".join(
        f"{r['code']:<24} {r['name']:<28} {r['vendor']:<14} TPP {r['tpp']:>9,.0f}"
        f"  PD {'—' if r['performance_density'] is None else format(r['performance_density'], '.2f'):>6}"
        f"{'  [workspace]' if r['origin'] == 'workspace' else ''}" for r in rows) or "no models")
    return EXIT_OK


def _matches(m: Any, text: str | None) -> bool:
    if not text:
        return True
    needle = text.casefold()
    return any(needle in s.casefold() for s in (m.name, m.vendor, m.code, *m.aliases))
