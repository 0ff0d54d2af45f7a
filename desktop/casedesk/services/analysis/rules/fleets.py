"""Red flags about fleets: controlled compute used from a country of concern, fleets stood up
suspiciously fast, contracts counting more accelerators than their fleets hold, PRC-made 3A090 ICs."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date
from typing import Any

from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import ValidationError
from casedesk.services.analysis.compute import combine_qualifiers, count_text
from casedesk.services.analysis.graph import Route
from casedesk.services.analysis.ownership import party_country
from casedesk.services.analysis.rules.context import Draft, RuleContext, RuleFunction
from casedesk.services.analysis.rules.wording import (
    country_phrase,
    distinct,
    fleet_phrase,
    hq_phrase,
)

# Fleets share a handful of date strings: parse each once.
_date = functools.lru_cache(maxsize=4096)(parse_partial_date)


def hq_controlled_compute(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """Controlled accelerators used by a party the headquarters rule puts in a country of concern.

    Before the headquarters rule took effect (params.headquarters_rule_from, the AC/S rule of
    2023-11-17) only the destination counted: a fleet at a data center in a country of concern.
    """
    g, inv = ctx.graph, ctx.inventory
    since = params.get("headquarters_rule_from")
    hq_rule = since is None or ctx.as_of >= date.fromisoformat(str(since))
    for fid, f in inv.fleets.items():
        if not f.controlled:
            continue  # not 3A090, or undecided (already listed by the compute step)
        routes: dict[int, list[Route]] = {}
        for user, route in inv.end_uses.get(fid, []):
            routes.setdefault(user, []).append(route)
        for user, rs in routes.items():
            if user not in g.parties:
                continue  # a wallet nobody is known to hold: wallet_only_counterparty reports it
            hq = ctx.headquarters(user)
            if hq.of_concern is None:
                ctx.undecided("hq_controlled_compute", [user, fid],
                              f"whether {g.name(user)}, an end user of {g.name(fid)}, is headquartered "
                              f"in a country of concern: {hq.undecided}")
                continue
            if not hq.of_concern:
                continue
            dcs = g.datacenters_of(fid)
            dc_countries = [g.datacenters[dc].country for dc, _ in dcs]
            where = ""
            known = [c for c in dc_countries if c]
            if not hq_rule and not any(ctx.of_concern(c) for c in known):
                continue  # remote use from abroad: not within the rules in force on that day
            if known and all(not ctx.of_concern(c) and c != hq.decisive_country for c in known):
                where = f" remotely from a data center in {country_phrase(known[0])}"
            elif known:
                where = f" at a data center in {country_phrase(known[0])}"
            how = "; ".join(dict.fromkeys(r.via for r in rs))
            status = f" (fleet status: {f.status})" if f.status and f.status != "in_service" else ""
            explanation = (f"{g.name(user)}{hq_phrase(ctx, hq)} uses {fleet_phrase(f)} of the "
                           f"{g.name(fid)}{where}{status} ({how}).")
            records = distinct([user, *hq.record_ids, *[x for r in rs for x in r.record_ids],
                             *[dc for dc, _ in dcs]])
            links = distinct([*hq.link_ids, *[x for r in rs for x in r.link_ids], *[h for _, h in dcs]])
            nac = bool(f.ic_class and f.ic_class.nac_eligible)
            yield Draft(
                subject_key=f"{user}:{fid}",
                title=f"{g.name(user)} uses controlled compute: {g.name(fid)}",
                explanation=explanation, record_ids=records, link_ids=links,
                severity=params.get("severity_when_nac_eligible") if nac else None,
                details={"party_id": user, "fleet_id": fid, "hq_basis": hq.basis,
                         "country": hq.country, "parent_id": hq.via.top if hq.via else None,
                         "parent_country": hq.parent_country, "datacenter_countries": dc_countries,
                         "ic_class": f.ic_class.as_dict() if f.ic_class else None,
                         "fleet_eccn": f.eccn, "accelerators": f.accelerators,
                         "qualifier": f.qualifier, "via": [r.via for r in rs],
                         "notes": list(hq.notes)})




def _days_between(installed: str | None, in_service: str | None) -> tuple[int, int] | None:
    """(fewest, most) days from installation to service that the two dates allow, or None."""
    if not installed or not in_service:
        return None
    a, b = _date(installed), _date(in_service)
    return (b.first_day() - a.last_day()).days, (b.last_day() - a.first_day()).days


def quick_stand_up(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A fleet in service within `max_days` of installation for one foreign end user."""
    g, inv = ctx.graph, ctx.inventory
    limit = int(params.get("max_days", 30))
    for fid, row in g.fleets.items():
        users: dict[int, list[Route]] = {}
        for user, route in inv.end_uses.get(fid, []):
            users.setdefault(user, []).append(route)
        if len(users) != 1:
            continue
        user, routes = next(iter(users.items()))
        # How long from installation to service.
        try:
            bounds = ((row.days_to_service, row.days_to_service) if row.days_to_service is not None
                      else _days_between(row.installed_on, row.in_service_on))
        except ValidationError:
            bounds = None
        if bounds is None:
            if row.installed_on or row.in_service_on:
                ctx.undecided("quick_stand_up", [fid],
                              f"how soon {g.name(fid)} went into service: "
                              f"{'service' if row.installed_on else 'installation'} date not recorded")
            continue
        low, high = bounds
        if low > limit:
            continue
        if high < 0:
            ctx.undecided("quick_stand_up", [fid], f"{g.name(fid)} is recorded as in service "
                                                   "before it was installed: check the dates")
            continue
        if high > limit:
            ctx.undecided("quick_stand_up", [fid],
                          f"whether {g.name(fid)} went into service within {limit} days: installed "
                          f"{parse_partial_date(row.installed_on).display()}, in service "
                          f"{parse_partial_date(row.in_service_on).display()} "
                          f"(between {max(low, 0)} and {high} days)")
            continue
        # Is the single end user foreign to where the fleet runs?
        dcs = g.datacenters_of(fid)
        dc_countries = {g.datacenters[dc].country for dc, _ in dcs} - {None}
        if user in g.parties:
            hq = ctx.headquarters(user)
            user_country = hq.decisive_country or party_country(g, user)
        else:
            hq, user_country = None, None
        if not dc_countries or not user_country:
            missing = "the data center's country" if not dc_countries else f"the country of {g.name(user)}"
            ctx.undecided("quick_stand_up", [fid, user],
                          f"whether the single end user of {g.name(fid)} is foreign: {missing} is not recorded")
            continue
        if user_country in dc_countries:
            continue
        days = f"{low} days" if low == high else f"at most {high} days"
        installed = (f" ({parse_partial_date(row.installed_on).display()})"
                     if row.installed_on else "")
        dc_text = ", ".join(country_phrase(c) for c in sorted(dc_countries))
        explanation = (f"The {g.name(fid)} went into service {days} after installation{installed} "
                       f"for a single foreign end user, {g.name(user)}, of {country_phrase(user_country)}, "
                       f"at a data center in {dc_text}.")
        records = distinct([fid, user, *[x for r in routes for x in r.record_ids], *[d for d, _ in dcs],
                         *(hq.record_ids if hq and hq.basis == "ultimate_parent" else ())])
        links = distinct([*[x for r in routes for x in r.link_ids], *[h for _, h in dcs],
                       *(hq.link_ids if hq and hq.basis == "ultimate_parent" else ())])
        yield Draft(
            subject_key=str(fid), title=f"Stood up quickly for one foreign customer: {g.name(fid)}",
            explanation=explanation, record_ids=records, link_ids=links,
            details={"fleet_id": fid, "end_user_id": user, "days_min": low, "days_max": high,
                     "days_source": "days_to_service" if row.days_to_service is not None else "dates",
                     "end_user_country": user_country, "datacenter_countries": sorted(dc_countries),
                     "max_days": limit})




def quantity_mismatch(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A contract's accelerator count that the fleets it covers cannot hold."""
    g, inv = ctx.graph, ctx.inventory
    tol = float(params.get("about_tolerance_pct", 10)) / 100.0
    for cid, c in g.contracts.items():
        if c.accelerator_count is None:
            continue
        covered: dict[int, tuple[int, ...]] = {}
        for lid in g.out_links("covers", cid):
            for fid, _recs, lks in g.fleets_reached(g.links[lid].target):
                covered.setdefault(fid, (lid, *lks))
        if not covered:
            ctx.undecided("quantity_mismatch", [cid], f"{g.name(cid)} states {c.accelerator_count:,} "
                                                      "accelerators but covers no fleet to compare with")
            continue
        fleets = [inv.fleets[f] for f in covered if f in inv.fleets]
        unknown = [f for f in fleets if f.accelerators is None]
        if unknown:
            ctx.undecided("quantity_mismatch", [cid, *[f.fleet_id for f in unknown]],
                          f"whether {g.name(cid)}'s {c.accelerator_count:,} accelerators reconcile: "
                          f"the size of {', '.join(f.label for f in unknown)} is not recorded")
            continue
        low, high = 0.0, 0.0
        for f in fleets:
            n = float(f.accelerators or 0)
            lo, hi = {"exact": (n, n), "at_least": (n, float("inf")), "at_most": (0.0, n),
                      "about": (n * (1 - tol), n * (1 + tol))}.get(f.qualifier, (n, n))
            low, high = low + lo, high + hi
        if low - 1e-9 <= c.accelerator_count <= high + 1e-9:
            continue
        total = sum(f.accelerators or 0 for f in fleets)
        held = count_text(total, combine_qualifiers(f.qualifier for f in fleets))
        parts = "; ".join(f"{f.label}: {f.accelerators_text()}" for f in fleets[:4])
        yield Draft(
            subject_key=str(cid), title=f"Quantities do not reconcile: {g.name(cid)}",
            explanation=(f"{g.name(cid)} states {c.accelerator_count:,} accelerators, but the fleets "
                         f"it covers hold {held} ({parts})."),
            record_ids=distinct([cid, *covered]), link_ids=distinct([x for v in covered.values() for x in v]),
            details={"contract_id": cid, "contract_count": c.accelerator_count, "fleet_total": total,
                     "fleet_range": [low, None if high == float("inf") else high]})


def prc_advanced_ic(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A fleet of PRC-made ICs at 3A090 level (BIS GP10 guidance, May 2025)."""
    g, inv = ctx.graph, ctx.inventory
    for fid, f in inv.fleets.items():
        if not f.prc_3a090:
            continue
        parties = [r for r in (*g.owners_of(fid), *g.operators_of(fid))]
        users = [r for _, r in inv.end_uses.get(fid, [])]
        records = distinct([fid, *[x for r in (*parties, *users) for x in r.record_ids]])
        links = distinct([x for r in (*parties, *users) for x in r.link_ids])
        yield Draft(
            subject_key=str(fid), title=f"PRC-made 3A090-level ICs: {g.name(fid)}",
            explanation=(f"The {g.name(fid)} holds {fleet_phrase(f)}, PRC-made ICs at 3A090 level: "
                         "BIS's May-2025 guidance (GP10) says using, selling, financing or servicing "
                         "them risks violating the EAR."),
            record_ids=records, link_ids=links,
            details={"fleet_id": fid, "model": f.model_name, "accelerators": f.accelerators})

# (rule id in red_flags.yaml, function): read by rules.registry
RULES: tuple[tuple[str, RuleFunction], ...] = (
    ("hq_controlled_compute", hq_controlled_compute),
    ("quick_stand_up", quick_stand_up),
    ("quantity_mismatch", quantity_mismatch),
    ("prc_advanced_ic", prc_advanced_ic),
)
