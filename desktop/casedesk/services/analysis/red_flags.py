"""Red-flag rules: small registered functions, each yielding explained finding drafts.

A rule receives the analysis context (the case graph, the compute inventory, ownership, the
vocabulary, screening hits) and its parameters from resources/analysis/red_flags.yaml, and yields
drafts naming the records and links that explain it (the path, subject first) with one sentence.
What a rule cannot decide it reports through ``ctx.undecided`` instead of guessing.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from casedesk.domain.countries import country_name
from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import ValidationError, VocabularyError
from casedesk.paths import resources_dir
from casedesk.services.analysis.datafile import read_data_file
from casedesk.services.analysis.graph import CaseGraph, Route
from casedesk.services.analysis.ownership import Headquarters, Ownership, party_country
from casedesk.services.analysis.compute import FleetCompute, Inventory, combine_qualifiers, count_text

_FILE = "red_flags.yaml"
# Fleets share a handful of date strings: parse each once.
_date = functools.lru_cache(maxsize=4096)(parse_partial_date)
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class RuleSpec:
    """A rule's data: id, title, severity, description, source and parameters."""

    id: str
    title: str
    severity: str
    description: str
    source: str
    params: dict[str, Any]


@dataclass(frozen=True)
class RuleBook:
    """Every rule's data, in file order, and the ownership walk settings."""

    rules: tuple[RuleSpec, ...]
    ownership: dict[str, Any]

    def get(self, rule_id: str) -> RuleSpec:
        """The spec of a rule (KeyError if unknown)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@dataclass
class Draft:
    """A finding a rule raises: subject, sentence, explaining path and details."""

    subject_key: str
    title: str
    explanation: str
    record_ids: list[int]
    link_ids: list[int]
    details: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None  # None: the rule's severity


@dataclass
class RuleContext:
    """What every rule reads, and where it reports what it could not decide."""

    graph: CaseGraph
    inventory: Inventory
    ownership: Ownership
    vocab: Any
    as_of: date
    screening_hits: list[dict[str, Any]] = field(default_factory=list)
    undecided_items: list[dict[str, Any]] = field(default_factory=list)
    _hq: dict[int, Headquarters] = field(default_factory=dict)

    def undecided(self, rule: str, record_ids: Iterable[int], question: str) -> None:
        """Record something a rule could not decide (shown to the user, never guessed)."""
        self.undecided_items.append({"rule": rule, "record_ids": list(dict.fromkeys(record_ids)),
                                     "question": question})

    def headquarters(self, party_id: int) -> Headquarters:
        """The headquarters rule for a party (cached per run)."""
        hq = self._hq.get(party_id)
        if hq is None:
            hq = self._hq[party_id] = self.ownership.headquarters(party_id, self.vocab)
        return hq

    def of_concern(self, alpha2: str | None) -> bool:
        """True if a country is D:5 or Macau on the analysis date."""
        return self.ownership.of_concern(alpha2, self.vocab)


RuleFunction = Callable[[RuleContext, dict[str, Any]], Iterable[Draft]]
_REGISTRY: dict[str, RuleFunction] = {}


def red_flag(rule_id: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under an id of red_flags.yaml."""
    def register(fn: RuleFunction) -> RuleFunction:
        if rule_id in _REGISTRY:
            raise ValueError(f"rule {rule_id!r} registered twice")
        _REGISTRY[rule_id] = fn
        return fn
    return register


def registered_rules() -> dict[str, RuleFunction]:
    """The registered rule functions by id."""
    return dict(_REGISTRY)


@functools.cache
def default_rulebook() -> RuleBook:
    """The shipped rule data (resources/analysis/red_flags.yaml), loaded once."""
    return load_rulebook(resources_dir() / "analysis" / _FILE)


def load_rulebook(path: Path) -> RuleBook:
    """Load and check a rules file against the registry (VocabularyError names entry and field)."""
    doc = read_data_file(path, _FILE)
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise VocabularyError(_FILE, "(file)", "rules", "expected a list of rules")
    specs = []
    for i, raw in enumerate(doc["rules"]):
        if not isinstance(raw, dict):
            raise VocabularyError(_FILE, f"rules[#{i + 1}]", "(entry)", "expected a mapping")
        rid = str(raw.get("id") or f"rules[#{i + 1}]")
        for name in ("id", "title", "severity", "description", "source"):
            if not isinstance(raw.get(name), str) or not raw[name].strip():
                raise VocabularyError(_FILE, rid, name, "is required text")
        unknown = set(raw) - {"id", "title", "severity", "description", "source", "params"}
        if unknown:
            raise VocabularyError(_FILE, rid, sorted(unknown)[0], "unknown field")
        if raw["severity"] not in SEVERITIES:
            raise VocabularyError(_FILE, rid, "severity", f"one of {', '.join(SEVERITIES)}")
        params = raw.get("params") or {}
        if not isinstance(params, dict):
            raise VocabularyError(_FILE, rid, "params", "expected a mapping")
        for key, value in params.items():
            if key.startswith("severity") and value not in SEVERITIES:
                raise VocabularyError(_FILE, rid, f"params.{key}", f"one of {', '.join(SEVERITIES)}")
        if rid not in _REGISTRY:
            raise VocabularyError(_FILE, rid, "id", "no rule function is registered under this id")
        specs.append(RuleSpec(rid, raw["title"], raw["severity"], raw["description"], raw["source"],
                              params))
    missing = set(_REGISTRY) - {s.id for s in specs}
    if missing:
        raise VocabularyError(_FILE, sorted(missing)[0], "id", "registered rule has no entry")
    return RuleBook(tuple(specs), dict(doc.get("ownership") or {}))


# --- wording helpers --------------------------------------------------------------------------


# Country names read with "the" in running text.
_THE = frozenset({"US", "GB", "NL", "AE", "PH", "CZ", "DO", "CF", "CD", "BS", "GM", "KM", "MV",
                  "MH", "SB", "VA", "KY", "FK", "FO", "TC", "VG", "VI"})


@functools.lru_cache(maxsize=512)
def _country(alpha2: str | None) -> str:
    if not alpha2:
        return "an unrecorded country"
    try:
        name = country_name(alpha2)
    except ValidationError:
        return alpha2
    return f"{'the ' if alpha2.upper() in _THE else ''}{name} ({alpha2})"


def _hq_phrase(ctx: RuleContext, hq: Headquarters) -> str:
    """', headquartered in China (CN),' or ', whose ultimate parent X is headquartered in …,'."""
    word = "based" if ctx.graph.parties.get(hq.party_id, None) and \
        ctx.graph.parties[hq.party_id].party_kind == "person" else "headquartered"
    if hq.basis == "ultimate_parent" and hq.via is not None:
        where = f", registered in {_country(hq.country)}," if hq.country else ","
        return (f"{where} whose ultimate parent {ctx.graph.name(hq.via.top)} is headquartered "
                f"in {_country(hq.parent_country)},")
    return f", {word} in {_country(hq.country)},"


def _join(items: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(items))


def _fleet_phrase(f: FleetCompute) -> str:
    cls = f.ic_class.eccn if f.ic_class and f.ic_class.eccn else "3A090"
    eccn = f", {f.eccn}" if f.eccn else ""
    return f"{f.accelerators_text()} ({cls}{eccn})"


# --- the rules --------------------------------------------------------------------------------


@red_flag("hq_controlled_compute")
def hq_controlled_compute(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """Controlled accelerators used by a party the headquarters rule puts in a country of concern."""
    g, inv = ctx.graph, ctx.inventory
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
            if known and all(not ctx.of_concern(c) and c != hq.decisive_country for c in known):
                where = f" remotely from a data center in {_country(known[0])}"
            elif known:
                where = f" at a data center in {_country(known[0])}"
            how = "; ".join(dict.fromkeys(r.via for r in rs))
            status = f" (fleet status: {f.status})" if f.status and f.status != "in_service" else ""
            explanation = (f"{g.name(user)}{_hq_phrase(ctx, hq)} uses {_fleet_phrase(f)} of the "
                           f"{g.name(fid)}{where}{status} ({how}).")
            records = _join([user, *hq.record_ids, *[x for r in rs for x in r.record_ids],
                             *[dc for dc, _ in dcs]])
            links = _join([*hq.link_ids, *[x for r in rs for x in r.link_ids], *[h for _, h in dcs]])
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


@red_flag("ownership_into_concern")
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
        records = _join([target, *[x for c in paths for x in c.record_ids]])
        links = _join([x for c in paths for x in c.link_ids])
        via = "directly" if all(len(c.record_ids) == 2 for c in agg.paths) else \
            f"through {len(agg.paths)} ownership path{'s' if len(agg.paths) != 1 else ''}"
        also = ""
        if len(owners) > 1:
            also = f"; also owned by {len(owners) - 1} more part{'ies' if len(owners) > 2 else 'y'} in countries of concern"
        controlling = agg.control or agg.share > 0.5
        explanation = (f"{g.name(target)}, in {_country(party_country(g, target))}, is "
                       f"{agg.phrase()} {g.name(origin)}, in {_country(party_country(g, origin))}, "
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


def _crypto_terms(params: dict[str, Any]) -> frozenset[str]:
    return frozenset(str(t).lower() for t in params.get("currency_terms", []))


@red_flag("crypto_payment")
def crypto_payment(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """Contracts paid in cryptocurrency, and payments between wallets."""
    g = ctx.graph
    terms = _crypto_terms(params)
    for cid, c in g.contracts.items():
        reasons = []
        if c.chain:
            reasons.append(f"on the {c.chain} chain")
        words = set(re.findall(r"[a-z0-9]+", c.currency.lower()))
        if words & terms:
            reasons.append(f"currency {c.currency!r}")
        if c.contract_address:
            reasons.append("an on-chain contract address")
        if c.tx_hashes:
            reasons.append(f"{len(c.tx_hashes)} transaction hash{'es' if len(c.tx_hashes) != 1 else ''}")
        members = g.members.get(cid, [])
        wallet_members = [m for m in members if m.member_id in g.wallets]
        if wallet_members:
            reasons.append("wallet " + ", ".join(f"{g.name(m.member_id)} as {m.role}" for m in wallet_members))
        if not reasons:
            continue
        covered = [(g.links[lid].target, lid) for lid in g.out_links("covers", cid)]
        records = _join([cid, *[m.member_id for m in members], *[t for t, _ in covered]])
        links = _join([*[m.link_id for m in members if m.link_id is not None], *[lid for _, lid in covered]])
        yield Draft(
            subject_key=f"contract:{cid}", title=f"Paid in cryptocurrency: {g.name(cid)}",
            explanation=f"{g.name(cid)} is paid in cryptocurrency ({'; '.join(reasons)}).",
            record_ids=records, link_ids=links,
            details={"contract_id": cid, "reasons": reasons, "chain": c.chain, "currency": c.currency})
    # Payments involving a wallet, one finding per paying wallet (or per paid wallet when the
    # payer is a party or contract): "W paid A, B and C in cryptocurrency".
    by_payer: dict[int, list[int]] = {}
    for lt in params.get("payment_link_types", ["paid", "transferred_to"]):
        for lids in g.out.get(lt, {}).values():
            for lid in lids:
                link = g.links[lid]
                if link.source in g.wallets:
                    by_payer.setdefault(link.source, []).append(lid)
                elif link.target in g.wallets:
                    by_payer.setdefault(link.target, []).append(lid)
    for wallet, lids in by_payer.items():
        others = list(dict.fromkeys(g.links[lid].target if g.links[lid].source == wallet
                                    else g.links[lid].source for lid in lids))
        involved = [wallet, *others]
        holders = {w: g.controllers_of_wallet(w) for w in involved if w in g.wallets}

        def who(w: int, holders: dict[int, list[tuple[int, int]]] = holders) -> str:
            hs = holders.get(w)
            if w not in g.wallets:
                return g.name(w)
            return (f"{g.name(w)} (held by {', '.join(g.name(h) for h, _ in hs[:2])})" if hs
                    else f"{g.name(w)} (holder unknown)")
        paying = g.links[lids[0]].source == wallet
        shown = ", ".join(who(o) for o in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        n = len(lids)
        sentence = (f"{who(wallet)} paid {shown}" if paying else f"{shown} paid {who(wallet)}")
        yield Draft(
            subject_key=f"payment:{wallet}",
            title=f"Crypto payments {'from' if paying else 'to'} {g.name(wallet)}",
            explanation=f"{sentence} in cryptocurrency ({n} recorded payment{'s' if n != 1 else ''}).",
            record_ids=_join([*involved, *[h for hs in holders.values() for h, _ in hs]]),
            link_ids=_join([*lids, *[cw for hs in holders.values() for _, cw in hs]]),
            details={"wallet_id": wallet, "counterparts": others, "payments": n,
                     "direction": "paid" if paying else "received"})


@red_flag("wallet_only_counterparty")
def wallet_only_counterparty(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A wallet in a contract or payment that no party is known to control or own."""
    g = ctx.graph
    types = params.get("payment_link_types", ["paid", "transferred_to"])
    for wid, w in g.wallets.items():
        if g.in_links("controls_wallet", wid) or g.in_links("owns_asset", wid):
            continue
        payments = [lid for lt in types for lid in (*g.out_links(lt, wid), *g.in_links(lt, wid))]
        memberships = g.memberships.get(wid, [])
        if not payments and not memberships:
            continue
        counterparts = [g.links[lid].target if g.links[lid].source == wid else g.links[lid].source
                        for lid in payments]
        counterparts += [m.contract_id for m in memberships]
        roles = [f"{m.role} in {g.name(m.contract_id)}" for m in memberships]
        roles += [f"{'paid' if g.links[lid].source == wid else 'was paid by'} {g.name(o)}"
                  for lid, o in zip(payments, counterparts)]
        short = w.address if len(w.address) <= 14 else f"{w.address[:6]}…{w.address[-4:]}"
        yield Draft(
            subject_key=str(wid), title=f"Counterparty known only by wallet: {g.name(wid)}",
            explanation=(f"{g.name(wid)} ({w.chain} {short}) {'; '.join(roles[:4])}"
                         f"{' and more' if len(roles) > 4 else ''}, but no party is known to control it."),
            record_ids=_join([wid, *counterparts]),
            link_ids=_join([*payments, *[m.link_id for m in memberships if m.link_id is not None]]),
            details={"wallet_id": wid, "chain": w.chain, "address": w.address, "roles": roles})


@red_flag("screening_hit_in_chain")
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
            explanation=explanation, record_ids=_join(records), link_ids=_join(links),
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


def _days_between(installed: str | None, in_service: str | None) -> tuple[int, int] | None:
    """(fewest, most) days from installation to service that the two dates allow, or None."""
    if not installed or not in_service:
        return None
    a, b = _date(installed), _date(in_service)
    return (b.first_day() - a.last_day()).days, (b.last_day() - a.first_day()).days


@red_flag("quick_stand_up")
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
        dc_text = ", ".join(_country(c) for c in sorted(dc_countries))
        explanation = (f"The {g.name(fid)} went into service {days} after installation{installed} "
                       f"for a single foreign end user, {g.name(user)}, of {_country(user_country)}, "
                       f"at a data center in {dc_text}.")
        records = _join([fid, user, *[x for r in routes for x in r.record_ids], *[d for d, _ in dcs],
                         *(hq.record_ids if hq and hq.basis == "ultimate_parent" else ())])
        links = _join([*[x for r in routes for x in r.link_ids], *[h for _, h in dcs],
                       *(hq.link_ids if hq and hq.basis == "ultimate_parent" else ())])
        yield Draft(
            subject_key=str(fid), title=f"Stood up quickly for one foreign customer: {g.name(fid)}",
            explanation=explanation, record_ids=records, link_ids=links,
            details={"fleet_id": fid, "end_user_id": user, "days_min": low, "days_max": high,
                     "days_source": "days_to_service" if row.days_to_service is not None else "dates",
                     "end_user_country": user_country, "datacenter_countries": sorted(dc_countries),
                     "max_days": limit})


@red_flag("intermediary_without_owner")
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
            record_ids=_join([pid, *[g.links[lid].target if g.links[lid].source == pid else g.links[lid].source
                                     for lid in role_links], *[m.contract_id for m in contracts],
                              *[e.owner for e in owners]]),
            link_ids=_join([*role_links, *[m.link_id for m in contracts if m.link_id is not None],
                            *[e.link_id for e in owners]]),
            details={"party_id": pid, "acts": acts, "owners": [e.owner for e in owners],
                     "officers": officers})


@red_flag("quantity_mismatch")
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
            record_ids=_join([cid, *covered]), link_ids=_join([x for v in covered.values() for x in v]),
            details={"contract_id": cid, "contract_count": c.accelerator_count, "fleet_total": total,
                     "fleet_range": [low, None if high == float("inf") else high]})


@red_flag("prc_advanced_ic")
def prc_advanced_ic(ctx: RuleContext, params: dict[str, Any]) -> Iterator[Draft]:
    """A fleet of PRC-made ICs at 3A090 level (BIS GP10 guidance, May 2025)."""
    g, inv = ctx.graph, ctx.inventory
    for fid, f in inv.fleets.items():
        if not f.prc_3a090:
            continue
        parties = [r for r in (*g.owners_of(fid), *g.operators_of(fid))]
        users = [r for _, r in inv.end_uses.get(fid, [])]
        records = _join([fid, *[x for r in (*parties, *users) for x in r.record_ids]])
        links = _join([x for r in (*parties, *users) for x in r.link_ids])
        yield Draft(
            subject_key=str(fid), title=f"PRC-made 3A090-level ICs: {g.name(fid)}",
            explanation=(f"The {g.name(fid)} holds {_fleet_phrase(f)}, PRC-made ICs at 3A090 level: "
                         "BIS's May-2025 guidance (GP10) says using, selling, financing or servicing "
                         "them risks violating the EAR."),
            record_ids=records, link_ids=links,
            details={"fleet_id": fid, "model": f.model_name, "accelerators": f.accelerators})
