"""The case graph as plain dicts, loaded once by column selects, and the compute relations on it.

Analysis reads a whole case (100,000 records, 300,000 links) in about a second this way; ORM
entities would take ten times as long. The same structure also holds a record's neighbourhood
(a few hops) so the inspector can compute one record's figures without loading the case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import String, or_, select, type_coerce
from sqlalchemy.orm import Session

from casedesk.domain.models import (
    CaseText,
    Contract,
    ContractParty,
    DataCenter,
    Link,
    Party,
    Record,
    ServerFleet,
    Wallet,
)
from casedesk.services.in_lists import in_chunks

# Contract roles whose holder receives (uses) the compute the contract covers.
END_USER_ROLES = frozenset({"customer", "lessee"})


class PartyRow(NamedTuple):
    party_kind: str
    country: str | None
    hq_country: str | None


class WalletRow(NamedTuple):
    chain: str
    address: str


class DataCenterRow(NamedTuple):
    country: str | None
    city: str


class FleetRow(NamedTuple):
    accelerator_model: str
    per_server: int | None
    server_count: int | None
    qualifier: str
    status: str
    installed_on: str | None
    in_service_on: str | None
    days_to_service: int | None
    decommissioned_on: str | None = None


class ContractRow(NamedTuple):
    contract_type: str
    currency: str
    chain: str | None
    contract_address: str
    tx_hashes: list[str]
    accelerator_count: int | None
    start_on: str | None
    end_on: str | None = None


class LinkRow(NamedTuple):
    type: str
    source: int
    target: int
    share_pct: float | None
    role: str
    start_on: str | None
    end_on: str | None


class Membership(NamedTuple):
    """A record's part in a contract: from a ContractParty row (link None) or a party_to link."""

    contract_id: int
    member_id: int
    role: str
    link_id: int | None


@dataclass(frozen=True)
class Route:
    """How one record reaches another: the records and links on the way, in order."""

    record_ids: tuple[int, ...]
    link_ids: tuple[int, ...]
    via: str  # how, as a phrase: "through a uses-compute-of link", "as customer of <contract>"


@dataclass
class CaseGraph:
    """A case's records and links as plain data, with per-type adjacency indexes."""

    case_id: int
    kind: dict[int, str] = field(default_factory=dict)
    label: dict[int, str] = field(default_factory=dict)
    parties: dict[int, PartyRow] = field(default_factory=dict)
    wallets: dict[int, WalletRow] = field(default_factory=dict)
    datacenters: dict[int, DataCenterRow] = field(default_factory=dict)
    fleets: dict[int, FleetRow] = field(default_factory=dict)
    contracts: dict[int, ContractRow] = field(default_factory=dict)
    links: dict[int, LinkRow] = field(default_factory=dict)
    out: dict[str, dict[int, list[int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    inc: dict[str, dict[int, list[int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    members: dict[int, list[Membership]] = field(default_factory=lambda: defaultdict(list))
    memberships: dict[int, list[Membership]] = field(default_factory=lambda: defaultdict(list))
    complete: bool = True  # False for a neighbourhood: absent records may exist in the case
    _dc_cache: dict[int, list[tuple[int, int]]] = field(default_factory=dict, repr=False)

    # --- building ---

    def add_link(self, lid: int, row: LinkRow) -> None:
        """Index a link (party_to links also count as contract memberships)."""
        if lid in self.links:
            return
        self._dc_cache.clear()
        self.links[lid] = row
        self.out[row.type][row.source].append(lid)
        self.inc[row.type][row.target].append(lid)
        if row.type == "party_to":
            self.add_membership(Membership(row.target, row.source, row.role.strip().lower(), lid))

    def add_membership(self, m: Membership) -> None:
        """Index a contract membership."""
        self.members[m.contract_id].append(m)
        self.memberships[m.member_id].append(m)

    # --- adjacency ---

    def out_links(self, link_type: str, source: int) -> list[int]:
        """Ids of links of a type leaving a record."""
        by_source = self.out.get(link_type)
        return by_source.get(source, []) if by_source else []

    def in_links(self, link_type: str, target: int) -> list[int]:
        """Ids of links of a type arriving at a record."""
        by_target = self.inc.get(link_type)
        return by_target.get(target, []) if by_target else []

    def name(self, rid: int) -> str:
        """A record's label, or '#id' when it is not loaded."""
        return self.label.get(rid, f"#{rid}")

    # --- compute relations ---

    def fleets_at(self, datacenter_id: int) -> list[tuple[int, int]]:
        """(fleet id, hosted_at link id) for the fleets hosted at a data center."""
        return [(self.links[lid].source, lid) for lid in self.in_links("hosted_at", datacenter_id)
                if self.links[lid].source in self.fleets]

    def datacenters_of(self, fleet_id: int) -> list[tuple[int, int]]:
        """(data center id, hosted_at link id) for where a fleet is hosted (cached per fleet)."""
        cached = self._dc_cache.get(fleet_id)
        if cached is None:
            cached = self._dc_cache[fleet_id] = [
                (self.links[lid].target, lid) for lid in self.out_links("hosted_at", fleet_id)
                if self.links[lid].target in self.datacenters]
        return cached

    def fleets_reached(self, rid: int) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
        """Fleets a fleet/data center record stands for: (fleet, extra records, extra links)."""
        if rid in self.fleets:
            return [(rid, (), ())]
        if rid in self.datacenters:
            return [(f, (rid,), (lid,)) for f, lid in self.fleets_at(rid)]
        return []

    def owners_of(self, fleet_id: int) -> list[Route]:
        """Legal owners of a fleet (owns_asset), each route ending at the fleet."""
        return [Route((self.links[lid].source, fleet_id), (lid,), "owns")
                for lid in self.in_links("owns_asset", fleet_id)]

    def operators_of(self, fleet_id: int) -> list[Route]:
        """Operators of a fleet: `operates` the fleet, or the data center hosting it."""
        routes = [Route((self.links[lid].source, fleet_id), (lid,), "operates")
                  for lid in self.in_links("operates", fleet_id)]
        for dc, hosted in self.datacenters_of(fleet_id):
            routes += [Route((self.links[lid].source, dc, fleet_id), (lid, hosted),
                             "operates the data center hosting")
                       for lid in self.in_links("operates", dc)]
        return routes

    def provided_fleets(self, provider: int) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
        """Fleets a party provides: it operates or owns them, or operates their data center."""
        out = []
        for lt in ("operates", "owns_asset"):
            for lid in self.out_links(lt, provider):
                for f, recs, lks in self.fleets_reached(self.links[lid].target):
                    out.append((f, recs, (lid, *lks)))
        return out

    def controllers_of_wallet(self, wallet_id: int) -> list[tuple[int, int]]:
        """(party id, controls_wallet link id) for the parties holding a wallet."""
        return [(self.links[lid].source, lid) for lid in self.in_links("controls_wallet", wallet_id)]

    def end_uses(self, fleet_id: int) -> list[tuple[int, Route]]:
        """Who uses a fleet's compute, and how: (end user id, route from end user to fleet).

        An end user holds a `uses_compute_of` link to the fleet, its data center or a party that
        provides it, or is a customer/lessee of a contract that `covers` the fleet or its data
        center. A wallet customer resolves to the parties controlling it; a wallet nobody is
        known to control is itself returned (a counterparty known only by address).
        """
        out: list[tuple[int, Route]] = []
        # Direct use of the fleet.
        for lid in self.in_links("uses_compute_of", fleet_id):
            u = self.links[lid].source
            out.append((u, Route((u, fleet_id), (lid,), "through a uses-compute-of link")))
        for dc, hosted in self.datacenters_of(fleet_id):
            for lid in self.in_links("uses_compute_of", dc):
                u = self.links[lid].source
                out.append((u, Route((u, dc, fleet_id), (lid, hosted),
                                         f"using the compute of {self.name(dc)}")))
        # Through a provider (platform, operator, owner).
        providers: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
        for lt in ("operates", "owns_asset"):
            for lid in self.in_links(lt, fleet_id):
                providers.append((self.links[lid].source, (), (lid,)))
            for dc, hosted in self.datacenters_of(fleet_id):
                for lid in self.in_links(lt, dc):
                    providers.append((self.links[lid].source, (dc,), (lid, hosted)))
        for provider, recs, lks in providers:
            for lid in self.in_links("uses_compute_of", provider):
                u = self.links[lid].source
                if u != provider:
                    out.append((u, Route((u, provider, *recs, fleet_id), (lid, *lks),
                                         f"using the compute of {self.name(provider)}")))
        # By contract.
        covering: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
        for lid in self.in_links("covers", fleet_id):
            covering.append((self.links[lid].source, (), (lid,)))
        for dc, hosted in self.datacenters_of(fleet_id):
            for lid in self.in_links("covers", dc):
                covering.append((self.links[lid].source, (dc,), (lid, hosted)))
        for contract, recs, lks in covering:
            for m in self.members.get(contract, ()):
                if m.role not in END_USER_ROLES:
                    continue
                mlinks = (m.link_id,) if m.link_id is not None else ()
                via = f"as {m.role} of {self.name(contract)}"
                if m.member_id in self.wallets:
                    holders = self.controllers_of_wallet(m.member_id)
                    for holder, cw in holders:
                        out.append((holder, Route((holder, m.member_id, contract, *recs, fleet_id),
                                                  (cw, *mlinks, *lks), f"{via} (through {self.name(m.member_id)})")))
                    if not holders:
                        out.append((m.member_id, Route((m.member_id, contract, *recs, fleet_id),
                                                       (*mlinks, *lks), via)))
                else:
                    out.append((m.member_id, Route((m.member_id, contract, *recs, fleet_id),
                                                   (*mlinks, *lks), via)))
        return out

    def fleets_used_by(self, party_id: int) -> set[int]:
        """Fleets whose end users include the party (computed from the party's side)."""
        fleets: set[int] = set()
        for lid in self.out_links("uses_compute_of", party_id):
            t = self.links[lid].target
            fleets.update(f for f, _, _ in self.fleets_reached(t))
            if t in self.parties:
                fleets.update(f for f, _, _ in self.provided_fleets(t))
        members = list(self.memberships.get(party_id, ()))
        for lid in self.out_links("controls_wallet", party_id):
            members += self.memberships.get(self.links[lid].target, ())
        for m in members:
            if m.role in END_USER_ROLES:
                for lid in self.out_links("covers", m.contract_id):
                    fleets.update(f for f, _, _ in self.fleets_reached(self.links[lid].target))
        return fleets


# --- loading ----------------------------------------------------------------------------------

_R, _P, _W, _D, _S, _C, _L, _CP = (Record.__table__.c, Party.__table__.c, Wallet.__table__.c,
                                   DataCenter.__table__.c, ServerFleet.__table__.c,
                                   Contract.__table__.c, Link.__table__.c, ContractParty.__table__.c)
# The role is read as plain text: CaseText's per-row hook (NUL escapes on PostgreSQL) costs more
# than the whole rest of the row here, and a role is only compared with contract role codes.
_LINK_COLS = (_L.id, _L.link_type, _L.source_id, _L.target_id, _L.share_pct,
              type_coerce(_L.role, String()), _L.start_on, _L.end_on)


def _fill_kind_rows(session: Session, graph: CaseGraph, where_record: object) -> None:
    """Load the kind tables' columns for the records selected by `where_record`."""
    for rid, pk, country, hq in session.execute(
            select(_P.id, _P.party_kind, _P.country, _P.hq_country).join(Record.__table__, _R.id == _P.id)
            .where(where_record)).all():
        graph.parties[rid] = PartyRow(pk or "company", country, hq)
    for rid, chain, address in session.execute(
            select(_W.id, _W.chain, _W.address).join(Record.__table__, _R.id == _W.id).where(where_record)).all():
        graph.wallets[rid] = WalletRow(chain, address)
    for rid, country, city in session.execute(
            select(_D.id, _D.country, _D.city).join(Record.__table__, _R.id == _D.id).where(where_record)).all():
        graph.datacenters[rid] = DataCenterRow(country, city or "")
    for row in session.execute(
            select(_S.id, _S.accelerator_model, _S.accelerators_per_server, _S.server_count,
                   _S.count_qualifier, _S.status, _S.installed_on, _S.in_service_on, _S.days_to_service,
                   _S.decommissioned_on)
            .join(Record.__table__, _R.id == _S.id).where(where_record)).all():
        graph.fleets[row[0]] = FleetRow(row[1] or "", row[2], row[3], row[4] or "exact", row[5] or "",
                                        row[6], row[7], row[8], row[9])
    for row in session.execute(
            select(_C.id, _C.contract_type, _C.currency, _C.chain, _C.contract_address, _C.tx_hashes,
                   _C.accelerator_count, _C.start_on, _C.end_on)
            .join(Record.__table__, _R.id == _C.id).where(where_record)).all():
        graph.contracts[row[0]] = ContractRow(row[1] or "other", row[2] or "", row[3], row[4] or "",
                                              list(row[5] or []), row[6], row[7], row[8])


def _raw_rows(session: Session, sql: str, case_id: int) -> list[tuple[Any, ...]]:
    """Run a fixed SELECT on the DB-API cursor of the session's connection: plain tuples.

    Used for the two big tables only: SQLAlchemy's Row objects cost about twice the fetch time
    again when 300,000 of them are indexed and sliced (measured in benchmarks/bench_analysis.py).
    """
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle in ("qmark", "numeric") else "%s"
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql.replace(":case_id", mark), (case_id,))
        return cursor.fetchall()
    finally:
        cursor.close()


def load_case_graph(session: Session, case_id: int) -> CaseGraph:
    """Load every record, link and contract membership of a case (column selects only)."""
    graph = CaseGraph(case_id)
    unescape = session.bind.dialect.name == "postgresql"
    text_type = CaseText()
    for rid, kind, label in _raw_rows(
            session, 'SELECT id, kind, label FROM "record" WHERE case_id = :case_id', case_id):
        graph.kind[rid] = kind
        if unescape and "\ue000" in label:  # CaseText's NUL escape, undone as the ORM would
            label = text_type.process_result_value(label, session.bind.dialect)
        graph.label[rid] = label
    _fill_kind_rows(session, graph, _R.case_id == case_id)
    # The hot loop of a big case (300,000 links): add_link inlined, locals bound once.
    links, out, inc, make = graph.links, graph.out, graph.inc, LinkRow._make
    for row in _raw_rows(session, "SELECT id, link_type, source_id, target_id, share_pct, role, "
                                  'start_on, end_on FROM "link" WHERE case_id = :case_id', case_id):
        lid, lt, src, tgt = row[0], row[1], row[2], row[3]
        link = links[lid] = make(row[1:])
        out[lt][src].append(lid)
        inc[lt][tgt].append(lid)
        if lt == "party_to":
            graph.add_membership(Membership(tgt, src, link.role.strip().lower(), lid))
    for cid, pid, role in session.execute(
            select(_CP.contract_id, _CP.party_id, _CP.role)
            .join(Record.__table__, _R.id == _CP.contract_id).where(_R.case_id == case_id)):
        graph.add_membership(Membership(cid, pid, (role or "").strip().lower(), None))
    return graph


# The link types that relate a record to the compute it owns, operates, hosts, covers or uses.
COMPUTE_LINK_TYPES = ("uses_compute_of", "operates", "owns_asset", "hosted_at", "covers",
                      "controls_wallet", "party_to")


def load_neighbourhood(session: Session, record_id: int, hops: int = 5,
                       link_types: Iterable[str] = COMPUTE_LINK_TYPES,
                       max_records: int = 20000) -> CaseGraph:
    """Load the records within `hops` links of the given types (or contract memberships)."""
    types = list(link_types)
    case_id = session.scalar(select(_R.case_id).where(_R.id == record_id))
    graph = CaseGraph(case_id if case_id is not None else 0, complete=False)
    if case_id is None:
        return graph
    seen = {record_id}
    frontier = {record_id}
    for _ in range(hops):
        if not frontier or len(seen) > max_records:
            break
        nxt: set[int] = set()
        for chunk in in_chunks(frontier):
            for row in session.execute(select(*_LINK_COLS).where(
                    or_(_L.source_id.in_(chunk), _L.target_id.in_(chunk)), _L.link_type.in_(types))):
                graph.add_link(row[0], LinkRow(*row[1:]))
                nxt.update((row[2], row[3]))
            for cid, pid, role in session.execute(
                    select(_CP.contract_id, _CP.party_id, _CP.role)
                    .where(or_(_CP.contract_id.in_(chunk), _CP.party_id.in_(chunk)))):
                m = Membership(cid, pid, (role or "").strip().lower(), None)
                if m not in graph.members.get(cid, ()):
                    graph.add_membership(m)
                nxt.update((cid, pid))
        frontier = nxt - seen
        seen |= nxt
    for chunk in in_chunks(seen):
        for rid, kind, label in session.execute(
                select(_R.id, _R.kind, _R.label).where(_R.id.in_(chunk))):
            graph.kind[rid] = kind
            graph.label[rid] = label
        _fill_kind_rows(session, graph, _R.id.in_(chunk))
    return graph
