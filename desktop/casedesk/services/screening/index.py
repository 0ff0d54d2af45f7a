"""The candidate index: blocking keys → names, so screening compares only plausible pairs.

Brute force (RapidFuzz cdist over every pair) costs ~72 s for 10,000 × 1,000,000 names here.
The index looks up a name's blocking keys (normalize.variant_keys: tokens, sorted adjacent
pairs, the compact form, prefixes/suffixes of long tokens), rarest first, within a budget, then
pre-scores those candidates with RapidFuzz and hands the best few to the full scorer.

Indexes are built from the stored, precomputed `normalized` column and cached in memory per
workspace until a list is imported or deleted.
"""

from __future__ import annotations

import threading
from collections import Counter
from itertools import chain
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.watchlists import Watchlist, WatchlistEntry, WatchlistName
from casedesk.services.progress import Job, Progress
from casedesk.services.screening.matcher import Weights, default_weights
from casedesk.services.screening.normalize import (
    NormalizedName,
    exact_keys,
    parse_han,
    parse_variants,
    variant_keys,
)


@dataclass
class Candidate:
    """A stored name worth scoring in full: its position in the index and its pre-score."""

    pos: int
    prescore: float


@dataclass
class NameIndex:
    """Names (with their entry) and their variants, reachable by blocking key."""

    name_ids: list[int] = field(default_factory=list)
    entry_ids: list[int] = field(default_factory=list)
    exact_only: list[bool] = field(default_factory=list)
    first_variant: list[int] = field(default_factory=list)  # variants of name i: [first[i], first[i+1])
    var_text: list[str] = field(default_factory=list)
    var_compact: list[str] = field(default_factory=list)
    var_syllabic: list[bool] = field(default_factory=list)
    var_owner: list[int] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    han: dict[int, str] = field(default_factory=dict)  # position → Han form (all-Han names only)
    fingerprint: Any = None

    def __len__(self) -> int:
        return len(self.name_ids)

    def add(self, name_id: int, entry_id: int, normalized: str, exact_only: bool) -> None:
        """Add one stored name (its serialized variants) to the index."""
        variants = parse_variants(normalized)
        if not variants:
            return
        pos = len(self.name_ids)
        self.name_ids.append(name_id)
        self.entry_ids.append(entry_id)
        self.exact_only.append(exact_only)
        self.first_variant.append(len(self.var_text))
        if "|^" in normalized:
            self.han[pos] = parse_han(normalized)
        postings = self.postings
        seen: set[str] = set()
        for text, syl in variants:
            vi = len(self.var_text)
            self.var_text.append(text)
            self.var_compact.append(text.replace(" ", ""))
            self.var_syllabic.append(syl)
            self.var_owner.append(pos)
            keys = exact_keys(text) if exact_only else variant_keys(text)
            for k in keys:
                if k in seen:
                    continue
                seen.add(k)
                lst = postings.get(k)
                if lst is None:
                    postings[k] = [vi]
                else:
                    lst.append(vi)

    def variants_of(self, pos: int) -> list[tuple[str, bool]]:
        """(text, syllabic) of the variants of the name at a position."""
        end = self.first_variant[pos + 1] if pos + 1 < len(self.first_variant) else len(self.var_text)
        return [(self.var_text[i], self.var_syllabic[i]) for i in range(self.first_variant[pos], end)]

    def candidates(self, q: NormalizedName, w: Weights | None = None, *,
                   cutoff: float | None = None, limit: int | None = None) -> list[Candidate]:
        """The stored names most likely to match q, best pre-score first."""
        w = w or default_weights()
        if q.empty:
            return []
        cutoff = (w.threshold if cutoff is None else cutoff) - w.prefilter_margin
        limit = limit or w.max_scored
        postings = self.postings
        found: set[int] = set()
        exact_hits: set[int] = set()
        budget = w.candidate_budget
        keys: set[str] = set()
        for v in q.variants:
            for k in exact_keys(v.text):
                exact_hits.update(postings.get(k, ()))
            if not q.exact_only:
                keys.update(variant_keys(v.text))
        # Rarest keys first, within one budget for all of the name's variants; a single common
        # key is still looked up when nothing rarer exists (a one-word name).
        total = 0
        chosen = []
        for df, k in sorted((len(postings[k]), k) for k in keys if k in postings):
            if total + df > budget and (total or df > budget):
                break
            chosen.append(postings[k])
            total += df
        if chosen:
            # Variants sharing more of the name's keys first; only the best few are pre-scored.
            counts = Counter(chain.from_iterable(chosen))
            found = {vi for vi, _n in counts.most_common(w.prescore_pool)}
        best: dict[int, float] = {}
        owner_of = self.var_owner
        for vi in exact_hits:
            best[owner_of[vi]] = 100.0
        found -= exact_hits
        if found:
            idx = list(found)
            texts = [self.var_text[i] for i in idx]
            compacts = [self.var_compact[i] for i in idx]
            keep = limit * 2
            for v in q.variants:
                for scorer, query, choices in ((fuzz.token_set_ratio, v.text, texts),
                                               (fuzz.ratio, v.compact, compacts)):
                    for _c, score, j in process.extract(query, choices, scorer=scorer,
                                                        score_cutoff=cutoff, limit=keep):
                        owner = owner_of[idx[j]]
                        if score > best.get(owner, -1) and not self.exact_only[owner]:
                            best[owner] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        exact = [Candidate(p, s) for p, s in ranked if s >= 100.0]
        rest = [Candidate(p, s) for p, s in ranked if s < 100.0]
        return exact + rest[:max(0, limit - len(exact))] if len(exact) < limit else exact


_LOCK = threading.Lock()
_CACHE: dict[str, NameIndex] = {}


def forget_indexes() -> None:
    """Drop cached indexes (after a list is imported or deleted)."""
    with _LOCK:
        _CACHE.clear()


def _fingerprint(session: Session) -> tuple:
    rows = session.execute(select(Watchlist.id, Watchlist.imported_at, Watchlist.entry_count)
                           .order_by(Watchlist.id)).all()
    return tuple(tuple(r) for r in rows)


def build_index(session: Session) -> Job[NameIndex]:
    """Build the index of every loaded list's names from the stored normalised forms."""
    index = NameIndex()
    total = session.scalar(select(Watchlist.entry_count).limit(1)) is not None
    count = sum(r[2] for r in _fingerprint(session)) if total else 0
    yield Progress(0, count or None, "building the screening index")
    stmt = (select(WatchlistName.id, WatchlistName.entry_id, WatchlistName.normalized,
                   WatchlistName.exact_only)
            .order_by(WatchlistName.id)
            .execution_options(yield_per=50000))
    n = 0
    for name_id, entry_id, normalized, exact_only in session.execute(stmt):
        index.add(name_id, entry_id, normalized, bool(exact_only))
        n += 1
        if n % 100000 == 0:
            yield Progress(n, None, f"indexed {n:,} names")
    return index


def get_index(session: Session) -> Job[NameIndex]:
    """The cached index of the session's workspace, rebuilt when the lists changed."""
    key = str(session.get_bind().url)
    fp = _fingerprint(session)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None and cached.fingerprint == fp:
        return cached
    index = yield from build_index(session)
    index.fingerprint = fp
    with _LOCK:
        _CACHE.clear()  # one workspace's index at a time: a million names is ~1 GB
        _CACHE[key] = index
    return index


def entry_list_ids(session: Session, entry_ids: list[int]) -> dict[int, int]:
    """list_id of each entry id."""
    out: dict[int, int] = {}
    for start in range(0, len(entry_ids), 900):
        chunk = entry_ids[start:start + 900]
        out.update(session.execute(select(WatchlistEntry.id, WatchlistEntry.list_id)
                                   .where(WatchlistEntry.id.in_(chunk))).all())
    return out
