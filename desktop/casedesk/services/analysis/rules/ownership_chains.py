"""Red flags about who owns whom: ownership reaching out of a country of concern, and
intermediaries in the compute chain with no identified owner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from casedesk.services.analysis.ownership import party_country
from casedesk.services.analysis.rules.context import Draft, RuleContext, RuleFunction
from casedesk.services.analysis.rules.wording import country_phrase, distinct


def ownership_into_concern(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A party outside the countries of concern owned (directly or not) from inside them."""
    g, own = ctx.graph, ctx.ownership
    owners_in_concern = [p for p in g.parties if ctx.of_concern(party_country(g, p))
                         and p in own.down]
    reached: dict[int, list[tuple[int, Any]]] = {}
    for origin in owners_in_concern:
        for target, agg in own.interests_of(origin).items():
            if not ctx.of_concern(party_country(g, target)):
                reached.setdefault(target, []).append((origin, agg))
    for target, owners in reached.items():
        owners.sort(key=lambda oa: (not oa[1].control, -oa[1].share, oa[0]))
        origin, agg = owners[0]
        paths = [c for _, a in owners[:5] for c in a.paths[:3]]
        records = distinct([target, *[x for c in paths for x in c.record_ids]])
        links = distinct([x for c in paths for x in c.link_ids])
        via = "directly" if all(len(c.record_ids) == 2 for c in agg.paths) else \
            f"through {len(agg.paths)} ownership path{'s' if len(agg.paths) != 1 else ''}"
        also = ""
        if len(owners) > 1:
            also = f"; also owned by {len(owners) - 1} more part{'ies' if len(owners) > 2 else 'y'} in countries of concern"
        controlling = agg.control or agg.share > 0.5
        explanation = (f"{g.name(target)}, in {country_phrase(party_country(g, target))}, is "
                       f"{agg.phrase()} {g.name(origin)}, in {country_phrase(party_country(g, origin))}, "
                       f"{via}{also}.")
        yield Draft(
            subject_key=str(target),
            title=f"Ownership of {g.name(target)} crosses into a country of concern",
            explanation=explanation, record_ids=records, link_ids=links,
            severity=params.get("severity_when_control") if controlling else None,
            details={"party_id": target, "owners": [
                {"party_id": o, "country": party_country(g, o), "share": round(a.share, 6),
                 "share_text": a.text(), "paths_with_unstated_share": a.unknown_paths,
                 "control": a.control} for o, a in owners]})




def intermediary_without_owner(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A body providing, operating, brokering or paid for compute with no identified owner."""
    g, own = ctx.graph, ctx.ownership
    kinds = set(params.get("party_kinds", ["company", "platform", "organization"]))
    roles_in = set(params.get("contract_roles", []))
    out_types = params.get("link_types_out", [])
    in_types = params.get("link_types_in", [])
    # Candidates come from the link indexes, not a scan of every party.
    candidates: set[int] = set()
    for lt in out_types:
        candidates.update(g.out.get(lt, {}))
    for lt in in_types:
        candidates.update(g.inc.get(lt, {}))
    candidates.update(pid for pid, ms in g.memberships.items() if any(m.role in roles_in for m in ms))
    for pid in sorted(candidates):
        row = g.parties.get(pid)
        if row is None or row.party_kind not in kinds:
            continue
        role_links = [lid for lt in out_types for lid in g.out_links(lt, pid)]
        role_links += [lid for lt in in_types for lid in g.in_links(lt, pid)]
        contracts = [m for m in g.memberships.get(pid, ()) if m.role in roles_in]
        if not role_links and not contracts:
            continue
        known, _ = own.beneficial_owner_known(pid)
        if known:
            continue
        acts = []
        for lid in role_links:
            link = g.links[lid]
            other = link.target if link.source == pid else link.source
            lt = ctx.vocab.link_types.get(link.type)
            if lt is None:
                verb = link.type.replace("_", " ")
            else:
                verb = lt.label if link.source == pid else lt.inverse_label
            acts.append(f"{verb} the {g.name(other)}" if other in g.fleets else f"{verb} {g.name(other)}")
        acts += [f"is {m.role} in {g.name(m.contract_id)}" for m in contracts]
        officers = [g.links[lid].source for lid in g.in_links("officer_of", pid)]
        owners = own.owners(pid)
        known_text = ("no owner is recorded" if not owners else
                      "its recorded owners lead to no person or known parent company")
        off = (f" (officers are recorded: {', '.join(g.name(o) for o in officers[:3])})"
               if officers else "")
        yield Draft(
            subject_key=str(pid), title=f"No identified beneficial owner: {g.name(pid)}",
            explanation=(f"{g.name(pid)} {'; '.join(acts[:3])}{' and more' if len(acts) > 3 else ''}, "
                         f"but {known_text}{off}."),
            record_ids=distinct([pid, *[g.links[lid].target if g.links[lid].source == pid else g.links[lid].source
                                     for lid in role_links], *[m.contract_id for m in contracts],
                              *[e.owner for e in owners]]),
            link_ids=distinct([*role_links, *[m.link_id for m in contracts if m.link_id is not None],
                            *[e.link_id for e in owners]]),
            details={"party_id": pid, "acts": acts, "owners": [e.owner for e in owners],
                     "officers": officers})

# (rule id in red_flags.yaml, function): read by rules.registry
RULES: tuple[tuple[str, RuleFunction], ...] = (
    ("ownership_into_concern", ownership_into_concern),
    ("intermediary_without_owner", intermediary_without_owner),
)
