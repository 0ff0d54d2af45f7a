"""Ownership and control on the case graph: indirect shares, ultimate parents, the headquarters rule.

Edges come from two link types, read as "owner → owned":
  * ``owns`` (owner → body) with a share in percent (None when not stated);
  * ``subsidiary_of`` (child → parent), read as parent → child with control but no stated share.
Only links in force on the analysis date count (start/end dates on the link).

Indirect ownership multiplies shares along a path and sums over the simple paths (no party twice),
so a cycle adds nothing and terminates. A party's *controlling parents* are its subsidiary_of
targets and its bodies' owners holding more than the control threshold (50 %); its *ultimate
parent* is where that chain ends. Persons are not parents: a natural person is a beneficial owner,
not a headquarters, so the chain stops at the top body.

The headquarters rule (export-controls.md §1.5): an entity is treated as headquartered in Macau or
a Country Group D:5 country when it, or its ultimate parent, is (hq_country, else country),
wherever it is registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import ValidationError
from casedesk.services.analysis.graph import CaseGraph

_EPS = 1e-9


class Edge(NamedTuple):
    """One ownership or control relation, owner → owned (a tuple: a big case has 100,000)."""

    owner: int
    owned: int
    link_id: int
    share: float | None  # fraction 0..1, None when not stated
    kind: str  # "owns" or "subsidiary_of"

    def controls(self, threshold: float) -> bool:
        """True if the edge gives control: a parent link, or a share above the threshold."""
        return self.kind == "subsidiary_of" or (self.share is not None and self.share > threshold)


class Chain(NamedTuple):
    """A path up the ownership graph, from a party to one of its (ultimate) parents or owners."""

    record_ids: tuple[int, ...]  # the party first, the parent last
    link_ids: tuple[int, ...]
    cycle: bool = False  # the walk stopped because the chain loops back

    @property
    def top(self) -> int:
        """The record at the end of the chain."""
        return self.record_ids[-1]


@dataclass(frozen=True)
class Headquarters:
    """Whether the headquarters rule puts a party in a country of concern, and why."""

    party_id: int
    country: str | None  # the party's own hq_country, else country
    of_concern: bool | None  # None: could not decide
    basis: str | None  # "itself" | "ultimate_parent"
    via: Chain | None  # the chain to the parent that decides
    parent_country: str | None
    undecided: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def record_ids(self) -> tuple[int, ...]:
        """The party and, when the parent decides, the chain up to it."""
        return self.via.record_ids if self.via else (self.party_id,)

    @property
    def link_ids(self) -> tuple[int, ...]:
        """The links of the deciding chain."""
        return self.via.link_ids if self.via else ()

    @property
    def decisive_country(self) -> str | None:
        """The country that decides: the parent's when it decides, else the party's own."""
        return self.parent_country if self.basis == "ultimate_parent" else self.country


@dataclass
class Aggregate:
    """An owner's aggregated interest in a body over every simple path."""

    share: float = 0.0  # sum over paths whose shares are all stated
    unknown_paths: int = 0  # paths with at least one share not stated
    control: bool = False  # some path controls at every step
    paths: list[Chain] = field(default_factory=list)  # the first few paths, for explanation

    def text(self) -> str:
        """'62.5 %', 'at least 40 % (some shares not stated)', 'control (share not stated)'."""
        if self.unknown_paths and self.share <= _EPS:
            return "control (share not stated)" if self.control else "a share not stated"
        pct = f"{self.share * 100:.4g} %"
        return f"at least {pct} (some shares not stated)" if self.unknown_paths else pct

    def phrase(self) -> str:
        """'owned 62.5 % by', 'controlled (share not stated) by', …: reads before the owner."""
        if self.unknown_paths and self.share <= _EPS:
            return "controlled (share not stated) by" if self.control else "owned (share not stated) by"
        return f"owned {self.text()} by"


def party_country(graph: CaseGraph, pid: int) -> str | None:
    """A party's headquarters country, else its country of registration (None if neither)."""
    row = graph.parties.get(pid)
    if row is None:
        return None
    return row.hq_country or row.country or None


def _in_force(start: str | None, end: str | None, on: date) -> bool:
    """True unless the link's dates show it had ended or not begun by `on` (bad dates: in force)."""
    try:
        if end and parse_partial_date(end).last_day() < on:
            return False
        if start and parse_partial_date(start).first_day() > on:
            return False
    except ValidationError:
        return True
    return True


class Ownership:
    """Ownership and control relations of a case graph on one day, with their problems."""

    def __init__(self, graph: CaseGraph, as_of: date, *, control_threshold_pct: float = 50.0,
                 max_depth: int = 12, max_paths: int = 2000, max_total_paths: int = 1_000_000):
        self.graph = graph
        self.as_of = as_of
        self.threshold = control_threshold_pct / 100.0
        self.max_depth = max_depth
        self.max_paths = max_paths
        # A budget over every walk of the run, so a pathological graph cannot stall the analysis.
        self._budget = max_total_paths
        self.budget_exhausted = False
        self.up: dict[int, list[Edge]] = {}  # owned -> edges to its owners
        self.down: dict[int, list[Edge]] = {}  # owner -> edges to what it owns
        self.problems: list[dict[str, Any]] = []
        for lt in ("owns", "subsidiary_of"):
            for lid in [x for lids in graph.out.get(lt, {}).values() for x in lids]:
                link = graph.links[lid]
                if not _in_force(link.start_on, link.end_on, as_of):
                    continue
                if lt == "owns":
                    share = None if link.share_pct is None else link.share_pct / 100.0
                    edge = Edge(link.source, link.target, lid, share, "owns")
                else:
                    edge = Edge(link.target, link.source, lid, None, "subsidiary_of")
                if edge.owner == edge.owned:
                    continue
                self.up.setdefault(edge.owned, []).append(edge)
                self.down.setdefault(edge.owner, []).append(edge)
        self._check_sums()
        self._check_cycles()
        self._parents_memo: dict[int, list[Chain]] = {}
        self._concern: dict[str, bool] = {}

    # --- data problems ---

    def _check_sums(self) -> None:
        for owned, edges in self.up.items():
            total = sum(e.share for e in edges if e.kind == "owns" and e.share is not None)
            if total > 1.0 + 1e-6:
                self.problems.append({
                    "rule": "ownership", "record_ids": [owned, *[e.owner for e in edges]],
                    "link_ids": [e.link_id for e in edges],
                    "question": f"the stated shares in {self.graph.name(owned)} sum to "
                                f"{total * 100:.4g} % (more than 100 %): indirect shares through it "
                                "are computed as stated and may be overstated"})

    def _check_cycles(self) -> None:
        """Report every strongly connected group of owners (Tarjan's algorithm, iterative)."""
        index: dict[int, int] = {}
        low: dict[int, int] = {}
        on_stack: set[int] = set()
        stack: list[int] = []
        counter = 0
        for root in list(self.down):
            if root in index:
                continue
            work = [(root, iter(self.down.get(root, ())))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, it = work[-1]
                advanced = False
                for edge in it:
                    nxt = edge.owned
                    if nxt not in index:
                        index[nxt] = low[nxt] = counter
                        counter += 1
                        stack.append(nxt)
                        on_stack.add(nxt)
                        work.append((nxt, iter(self.down.get(nxt, ()))))
                        advanced = True
                        break
                    if nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                if advanced:
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        x = stack.pop()
                        on_stack.discard(x)
                        group.append(x)
                        if x == node:
                            break
                    if len(group) > 1:
                        names = ", ".join(self.graph.name(x) for x in sorted(group)[:6])
                        more = f" and {len(group) - 6} more" if len(group) > 6 else ""
                        members = set(group)
                        self.problems.append({
                            "rule": "ownership", "record_ids": sorted(group),
                            "link_ids": sorted(e.link_id for x in group for e in self.down.get(x, ())
                                               if e.owned in members),
                            "question": f"ownership cycle among {names}{more}: indirect shares are "
                                        "summed over paths that visit no party twice"})

    # --- control and ultimate parents ---

    def owners(self, pid: int) -> list[Edge]:
        """Edges to the direct owners and parents of a party."""
        return self.up.get(pid, [])

    def controlling_parents(self, pid: int) -> list[Edge]:
        """Edges to the bodies that control a party (parent link, or a share above the threshold)."""
        return [e for e in self.up.get(pid, ())
                if e.controls(self.threshold)
                and self.graph.parties.get(e.owner, None) is not None
                and self.graph.parties[e.owner].party_kind != "person"]

    def ultimate_parents(self, pid: int) -> list[Chain]:
        """Chains from a party to each of its ultimate parents (empty if nothing controls it)."""
        memo = self._parents_memo.get(pid)
        if memo is not None:
            return memo
        out: list[Chain] = []
        # Depth-first over controlling parents with the path kept, so a loop is seen, not followed.
        stack: list[tuple[tuple[int, ...], tuple[int, ...]]] = [((pid,), ())]
        while stack and len(out) < self.max_paths:
            recs, links = stack.pop()
            node = recs[-1]
            parents = self.controlling_parents(node)
            if not parents or len(recs) > self.max_depth:
                if len(recs) > 1:
                    out.append(Chain(recs, links))
                continue
            for e in parents:
                if e.owner in recs:
                    out.append(Chain(recs, links, cycle=True))
                else:
                    stack.append(((*recs, e.owner), (*links, e.link_id)))
        uniq = list({(c.record_ids, c.link_ids): c for c in out}.values())
        self._parents_memo[pid] = uniq
        return uniq

    # --- the headquarters rule ---

    def of_concern(self, alpha2: str | None, vocab: Any) -> bool:
        """True if the country is D:5 or Macau on the analysis date (cached per run)."""
        if not alpha2:
            return False
        hit = self._concern.get(alpha2)
        if hit is None:
            hit = self._concern[alpha2] = vocab.is_country_of_concern(alpha2, self.as_of)
        return hit

    def headquarters(self, pid: int, vocab: Any) -> Headquarters:
        """Apply the headquarters rule to a party (see module docstring)."""
        own = party_country(self.graph, pid)
        notes: list[str] = []
        if own and self.of_concern(own, vocab):
            return Headquarters(pid, own, True, "itself", None, None)
        chains = self.ultimate_parents(pid)
        if len({c.top for c in chains}) > 1:
            notes.append(f"{self.graph.name(pid)} has more than one controlling parent: "
                         "each was checked")
        if any(c.cycle for c in chains):
            notes.append(f"the control chain above {self.graph.name(pid)} loops back on itself")
        unknown_parent = None
        for chain in chains:
            top_country = party_country(self.graph, chain.top)
            if top_country and self.of_concern(top_country, vocab):
                return Headquarters(pid, own, True, "ultimate_parent", chain, top_country,
                                    notes=tuple(notes))
            if not top_country and unknown_parent is None:
                unknown_parent = chain
        if own is None and not chains:
            return Headquarters(pid, None, None, None, None, None,
                                undecided=f"no country or headquarters recorded for {self.graph.name(pid)}",
                                notes=tuple(notes))
        if own is None:
            return Headquarters(pid, None, None, None, None, None,
                                undecided=f"no country recorded for {self.graph.name(pid)}; its "
                                          "ultimate parent is not in a country of concern",
                                notes=tuple(notes))
        if unknown_parent is not None:
            return Headquarters(pid, own, None, None, unknown_parent, None,
                                undecided=f"no country recorded for {self.graph.name(unknown_parent.top)}, "
                                          f"the ultimate parent of {self.graph.name(pid)}",
                                notes=tuple(notes))
        return Headquarters(pid, own, False, None, chains[0] if chains else None,
                            party_country(self.graph, chains[0].top) if chains else None,
                            notes=tuple(notes))

    # --- indirect ownership ---

    def interests_of(self, origin: int) -> dict[int, Aggregate]:
        """Aggregated interest of `origin` in every body below it (sum over simple paths)."""
        result: dict[int, Aggregate] = {}
        paths = 0
        # (records on the path, links, product of shares or None if some share is unstated, control)
        stack: list[tuple[tuple[int, ...], tuple[int, ...], float | None, bool]] = [
            ((origin,), (), 1.0, True)]
        truncated = False
        if self._budget < 0:
            return result
        while stack:
            recs, links, share, control = stack.pop()
            if len(recs) > self.max_depth:
                truncated = True
                continue
            for e in self.down.get(recs[-1], ()):
                if e.owned in recs:
                    continue  # a cycle: the path would visit a party twice
                paths += 1
                self._budget -= 1
                if paths > self.max_paths or self._budget < 0:
                    truncated = True
                    break
                s = None if (share is None or e.share is None) else share * e.share
                c = control and e.controls(self.threshold)
                new_recs, new_links = (*recs, e.owned), (*links, e.link_id)
                agg = result.setdefault(e.owned, Aggregate())
                if s is None:
                    agg.unknown_paths += 1
                else:
                    agg.share += s
                agg.control = agg.control or c
                if len(agg.paths) < 5:
                    agg.paths.append(Chain(tuple(reversed(new_recs)), tuple(reversed(new_links))))
                stack.append((new_recs, new_links, s, c))
        if truncated and self._budget < 0:
            if not self.budget_exhausted:
                self.budget_exhausted = True
                self.problems.append({
                    "rule": "ownership", "record_ids": [origin], "link_ids": [],
                    "question": "the ownership graph has too many paths to walk in full: "
                                f"aggregated shares below {self.graph.name(origin)} and later owners "
                                "were not computed"})
        elif truncated:
            self.problems.append({
                "rule": "ownership", "record_ids": [origin], "link_ids": [],
                "question": f"the ownership tree below {self.graph.name(origin)} is too deep or "
                            f"wide (over {self.max_depth} levels or {self.max_paths} paths): "
                            "indirect shares were computed on part of it"})
        return result

    def beneficial_owner_known(self, pid: int) -> tuple[bool, Chain | None]:
        """Whether an owner chain above a party reaches a person or a known parent.

        A known parent is an owning or parent body with a recorded country; an owner without one
        (an unnamed investor group, say) identifies no one, so the walk goes on above it.
        Returns (known, the chain that shows it).
        """
        seen = {pid}
        stack: list[tuple[tuple[int, ...], tuple[int, ...]]] = [((pid,), ())]
        while stack:
            recs, links = stack.pop()
            for e in self.up.get(recs[-1], ()):
                if e.owner in seen:
                    continue
                seen.add(e.owner)
                chain = ((*recs, e.owner), (*links, e.link_id))
                row = self.graph.parties.get(e.owner)
                if row is None:
                    continue
                if row.party_kind == "person":
                    return True, Chain(*chain)
                if (row.hq_country or row.country) and row.party_kind != "investor_group":
                    return True, Chain(*chain)
                stack.append(chain)
        return False, None
