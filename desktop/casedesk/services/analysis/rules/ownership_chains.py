"""Red flags about who owns whom: ownership reaching out of a country of concern, and
intermediaries (parties between compute and another user) with no identified owner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from casedesk.services.analysis.ownership import party_country
from casedesk.services.analysis.rules.context import Draft, RuleContext, RuleFunction
from casedesk.services.analysis.rules.wording import country_phrase, distinct


class Act(NamedTuple):
    """One way a party stands between compute and someone else, with the records and links showing it."""

    text: str
    record_ids: list[int]
    link_ids: list[int]


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




def _intermediations(ctx: RuleContext, pid: int, params: dict[str, Any]) -> list[Act]:
    """Evidence that a party stands between compute and a *different* user (empty: it does not).

    Owning or operating compute is not enough: someone else must use what it provides, it must
    broker for someone (intermediary_for), be used by someone (uses_compute_of), or hold a
    provider-side role in a contract with another party on the user side.
    """
    g, inv = ctx.graph, ctx.inventory
    acts: list[Act] = []
    seen: set[int] = set()
    for fid, recs, lks in g.provided_fleets(pid):
        if fid in seen:
            continue  # owned and operated: one act
        seen.add(fid)
        users = [(u, r) for u, r in inv.end_uses.get(fid, ()) if u != pid]
        if not users:
            continue
        verb = "operates" if g.links[lks[0]].type == "operates" else "owns"
        names = list(dict.fromkeys(g.name(u) for u, _ in users))
        acts.append(Act(f"{verb} the {g.name(fid)}, used by {_few(names)}",
                        [*recs, fid, *[x for _, r in users for x in r.record_ids]],
                        [*lks, *[x for _, r in users for x in r.link_ids]]))
    for lt in params.get("link_types_broker", ["intermediary_for"]):
        for lid in g.out_links(lt, pid):
            other = g.links[lid].target
            if other != pid:
                acts.append(Act(f"acts as intermediary for {g.name(other)}", [other], [lid]))
    for lt in params.get("link_types_in", ["uses_compute_of"]):
        for lid in g.in_links(lt, pid):
            other = g.links[lid].source
            if other != pid:
                acts.append(Act(f"provides compute to {g.name(other)}", [other], [lid]))
    provider_roles = set(params.get("provider_roles", []))
    user_roles = set(params.get("user_roles", ["customer", "lessee", "buyer"]))
    own_wallets = {g.links[lid].target for lid in g.out_links("controls_wallet", pid)}
    for m in g.memberships.get(pid, ()):
        if m.role not in provider_roles:
            continue
        others = [o for o in g.members.get(m.contract_id, ())
                  if o.role in user_roles and o.member_id != pid and o.member_id not in own_wallets]
        if others:
            acts.append(Act(f"is {m.role} in {g.name(m.contract_id)} for "
                            f"{_few([g.name(o.member_id) for o in others])}",
                            [m.contract_id, *[o.member_id for o in others]],
                            [x for x in (m.link_id, *[o.link_id for o in others]) if x is not None]))
    return acts


def _few(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def intermediary_without_owner(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A party standing between compute and another user, with no identified beneficial owner.

    A party that only owns or operates compute nobody else is recorded to use is no
    intermediary: if its owner is unknown that is an open question (gap owner_unknown), not a flag.
    """
    g, own = ctx.graph, ctx.ownership
    kinds = set(params.get("party_kinds", ["company", "platform", "organization"]))
    provider_roles = set(params.get("provider_roles", []))
    # Candidates come from the link indexes, not a scan of every party.
    candidates: set[int] = set()
    for lt in ("operates", "owns_asset", *params.get("link_types_broker", ["intermediary_for"])):
        candidates.update(g.out.get(lt, {}))
    for lt in params.get("link_types_in", ["uses_compute_of"]):
        candidates.update(g.inc.get(lt, {}))
    candidates.update(pid for pid, ms in g.memberships.items() if any(m.role in provider_roles for m in ms))
    for pid in sorted(candidates):
        row = g.parties.get(pid)
        if row is None or row.party_kind not in kinds:
            continue
        known, _ = own.beneficial_owner_known(pid)
        if known:
            continue
        acts = _intermediations(ctx, pid, params)
        if not acts:
            if g.provided_fleets(pid):
                ctx.undecided("intermediary_without_owner", [pid],
                              f"{g.name(pid)}: no owner chain reaches a person or a known parent "
                              "company (it holds or operates compute nobody else is recorded to use)",
                              gap="owner_unknown")
            continue
        officers = [g.links[lid].source for lid in g.in_links("officer_of", pid)]
        owners = own.owners(pid)
        known_text = ("no owner is recorded" if not owners else
                      "its recorded owners lead to no person or known parent company")
        off = (f" (officers are recorded: {', '.join(g.name(o) for o in officers[:3])})"
               if officers else "")
        texts = [a.text for a in acts]
        yield Draft(
            subject_key=str(pid), title=f"No identified beneficial owner: {g.name(pid)}",
            explanation=(f"{g.name(pid)} {'; '.join(texts[:3])}{' and more' if len(texts) > 3 else ''}, "
                         f"but {known_text}{off}."),
            record_ids=distinct([pid, *[r for a in acts for r in a.record_ids], *[e.owner for e in owners]]),
            link_ids=distinct([*[x for a in acts for x in a.link_ids], *[e.link_id for e in owners]]),
            details={"party_id": pid, "acts": texts, "owners": [e.owner for e in owners],
                     "officers": officers})


# (rule id in red_flags.yaml, function): read by rules.registry
RULES: tuple[tuple[str, RuleFunction], ...] = (
    ("ownership_into_concern", ownership_into_concern),
    ("intermediary_without_owner", intermediary_without_owner),
)
