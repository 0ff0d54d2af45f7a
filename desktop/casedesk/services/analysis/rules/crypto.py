"""Red flags about crypto-assets: compute paid for in crypto, counterparties known only by a wallet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from casedesk.services.analysis.rules.context import Draft, RuleContext, RuleFunction
from casedesk.services.analysis.rules.wording import distinct


def _crypto_terms(params: dict[str, Any]) -> frozenset[str]:
    return frozenset(str(t).lower() for t in params.get("currency_terms", []))


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
        records = distinct([cid, *[m.member_id for m in members], *[t for t, _ in covered]])
        links = distinct([*[m.link_id for m in members if m.link_id is not None], *[lid for _, lid in covered]])
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
            record_ids=distinct([*involved, *[h for hs in holders.values() for h, _ in hs]]),
            link_ids=distinct([*lids, *[cw for hs in holders.values() for _, cw in hs]]),
            details={"wallet_id": wallet, "counterparts": others, "payments": n,
                     "direction": "paid" if paying else "received"})


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
            record_ids=distinct([wid, *counterparts]),
            link_ids=distinct([*payments, *[m.link_id for m in memberships if m.link_id is not None]]),
            details={"wallet_id": wid, "chain": w.chain, "address": w.address, "roles": roles})

# (rule id in red_flags.yaml, function): read by rules.registry
RULES: tuple[tuple[str, RuleFunction], ...] = (
    ("crypto_payment", crypto_payment),
    ("wallet_only_counterparty", wallet_only_counterparty),
)
