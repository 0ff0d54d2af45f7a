"""Red flags from screening: a watchlist hit on a record near the compute."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from casedesk.services.analysis.graph import CaseGraph
from casedesk.services.analysis.rules.context import Draft, RuleContext, RuleFunction
from casedesk.services.analysis.rules.wording import distinct


def screening_hit_in_chain(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A screening hit on a record connected to a server fleet (nearest fleet, shortest path)."""
    g, inv = ctx.graph, ctx.inventory
    statuses = set(params.get("statuses", ["open", "confirmed"]))
    hits = [h for h in ctx.screening_hits if h["status"] in statuses and h["record_id"] in g.kind]
    if not hits or not g.fleets:
        return
    types = tuple(params.get("link_types", ()))
    max_hops = int(params.get("max_hops", 6))
    # One breadth-first search from every fleet at once: each record learns its nearest fleet
    # and the step towards it, so every hit's path is read back in O(path length).
    step: dict[int, tuple[int | None, int | None]] = {f: (None, None) for f in g.fleets}
    depth = {f: 0 for f in g.fleets}
    queue = deque(g.fleets)
    while queue:
        node = queue.popleft()
        if depth[node] >= max_hops:
            continue
        for nxt, lid in _neighbours(g, node, types):
            if nxt not in step:
                step[nxt] = (node, lid)
                depth[nxt] = depth[node] + 1
                queue.append(nxt)
    for h in hits:
        rid = h["record_id"]
        if rid not in step:
            continue
        records, links = [rid], []
        node = rid
        while step[node][0] is not None:
            prev, lid = step[node]
            if lid is not None:
                links.append(lid)
            records.append(prev)
            node = prev
        fleet = records[-1]
        f = inv.fleets.get(fleet)
        n = depth[rid]
        distance = "is itself the fleet" if n == 0 else f"is {n} step{'s' if n != 1 else ''} from"
        target = "" if n == 0 else f" the {g.name(fleet)}"
        holds = f" ({f.accelerators_text()})" if f else ""
        explanation = (f"{g.name(rid)} matches {h['entry_name']!r} on {h['list_name']} "
                       f"(score {h['score']:.0f}, {h['status']}) and {distance}{target}{holds}.")
        yield Draft(
            subject_key=f"{rid}:{h['list_name']}:{h['entry_key']}",
            title=f"Screening hit near the compute: {g.name(rid)}",
            explanation=explanation, record_ids=distinct(records), link_ids=distinct(links),
            severity=params.get("severity_when_confirmed") if h["status"] == "confirmed" else None,
            details={"hit_id": h["id"], "record_id": rid, "list_name": h["list_name"],
                     "entry_key": h["entry_key"], "entry_name": h["entry_name"],
                     "score": h["score"], "hit_status": h["status"], "fleet_id": fleet, "hops": n})


def _neighbours(g: CaseGraph, node: int, types: tuple[str, ...]) -> Iterator[tuple[int, int | None]]:
    """Records one link (of the given types) or one contract membership away, either direction."""
    for lt in types:
        for lid in g.out_links(lt, node):
            yield g.links[lid].target, lid
        for lid in g.in_links(lt, node):
            yield g.links[lid].source, lid
    for m in g.members.get(node, ()):
        yield m.member_id, m.link_id
    for m in g.memberships.get(node, ()):
        yield m.contract_id, m.link_id

# (rule id in red_flags.yaml, function): read by rules.registry
RULES: tuple[tuple[str, RuleFunction], ...] = (
    ("screening_hit_in_chain", screening_hit_in_chain),
)
