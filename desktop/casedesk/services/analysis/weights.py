"""How much compute a finding touches: the controlled TPP of the fleets its records stand for.

Findings sort by severity, then by this weight: among critical findings, the one reaching the
most 3A090-controlled compute comes first (TPP weighs each accelerator by its performance, so
2,400 H100s outweigh 2,400 A100s).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from casedesk.services.analysis.compute import Inventory
from casedesk.services.analysis.graph import CaseGraph


def fleets_touched(record_ids: Iterable[int], graph: CaseGraph, inventory: Inventory) -> set[int]:
    """The fleets a set of records stands for: fleets themselves, those hosted at a data center,
    covered by a contract, or owned, operated or used by a party."""
    out: set[int] = set()
    for rid in record_ids:
        if rid in inventory.fleets:
            out.add(rid)
        elif rid in graph.datacenters:
            out.update(f for f, _ in graph.fleets_at(rid))
        elif rid in graph.contracts:
            for lid in graph.out_links("covers", rid):
                out.update(f for f, _, _ in graph.fleets_reached(graph.links[lid].target))
        else:
            for group in (inventory.by_owner, inventory.by_operator, inventory.by_end_user):
                t = group.get(rid)
                if t is not None:
                    out.update(t.fleet_ids)
    return out


def compute_touched(record_ids: Iterable[int], graph: CaseGraph, inventory: Inventory) -> dict[str, Any]:
    """{controlled_tpp, tpp, controlled_accelerators} over the distinct fleets a finding touches."""
    c_tpp = tpp = 0.0
    c_acc = 0
    for fid in fleets_touched(record_ids, graph, inventory):
        f = inventory.fleets.get(fid)
        if f is None or f.total_tpp is None:
            continue
        tpp += f.total_tpp
        if f.controlled:
            c_tpp += f.total_tpp
            c_acc += f.accelerators or 0
    return {"controlled_tpp": round(c_tpp, 1), "tpp": round(tpp, 1), "controlled_accelerators": c_acc}

