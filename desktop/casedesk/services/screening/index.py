"""The candidate index: blocking keys → names, so screening compares only plausible pairs.

Brute force (RapidFuzz cdist over every pair) costs ~72 s for 10,000 × 1,000,000 names here.
The index looks up a name's blocking keys (normalize.variant_keys: tokens, sorted adjacent
pairs, the compact form, prefixes/suffixes of long tokens), rarest first, within a budget, then
pre-scores those candidates with RapidFuzz and hands the best few to the full scorer.

Each list's index is built at import from the precomputed `normalized` forms and stored with
the list (table watchlist_index), so screening loads it instead of rebuilding it; loaded indexes
are cached in memory per workspace until a list is imported or deleted.
"""

from __future__ import annotations

import json
import struct
import threading
import zlib
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.watchlists import Watchlist, WatchlistEntry, WatchlistIndex, WatchlistName
from casedesk.services.progress import Job, Progress
from casedesk.services.screening.name_scoring import Weights, default_weights
from casedesk.services.screening.normalize import (
    NormalizedName,
    exact_keys,
    parse_han,
    parse_variants,
    variant_keys,
)
from casedesk.services.screening.prescore import drop_unlikely, prescore


@dataclass
class Candidate:
    """A stored name worth scoring in full: its index, its position there, its pre-score."""

    pos: int
    prescore: float
    index: NameIndex

    @property
    def name_id(self) -> int:
        """The stored name's id (WatchlistName.id for list indexes)."""
        return int(self.index.name_ids[self.pos])

    @property
    def entry_id(self) -> int:
        """The entry the name belongs to."""
        return int(self.index.entry_ids[self.pos])

    @property
    def exact_only(self) -> bool:
        """Whether the stored name may only match exactly."""
        return bool(self.index.exact_only[self.pos])

    @property
    def han(self) -> str:
        """The stored name's Han form ('' unless all Han)."""
        return self.index.han.get(self.pos, "")

    def variants(self) -> list[tuple[str, bool]]:
        """(text, syllabic) of the stored name's variants."""
        return self.index.variants_of(self.pos)


@dataclass
class NameIndex:
    """Names (with their entry) and their variants, reachable by blocking key."""

    name_ids: list[int] = field(default_factory=list)
    entry_ids: list[int] = field(default_factory=list)
    exact_only: list[bool] = field(default_factory=list)
    first_variant: list[int] = field(default_factory=list)  # variants of name i: [first[i], first[i+1])
    var_text: list[str] = field(default_factory=list)
    var_syllabic: list[bool] = field(default_factory=list)
    var_owner: list[int] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    han: dict[int, str] = field(default_factory=dict)  # position → Han form (all-Han names only)
    fingerprint: Any = None
    list_id: int | None = None
    _idf: dict[str, float] = field(default_factory=dict, repr=False)  # memo of idf()

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
        var_text, var_syl, var_owner = self.var_text, self.var_syllabic, self.var_owner
        for text, syl in variants:
            vi = len(var_text)
            var_text.append(text)
            var_syl.append(syl)
            var_owner.append(pos)
            # variant_keys()/exact_keys() inlined: this loop runs for every stored name.
            toks = text.split()
            keys = ["=" + "".join(toks)]
            if exact_only:
                keys.append("#" + " ".join(sorted(toks)))
            else:
                prev = None
                for t in toks:
                    if len(t) >= 2:
                        keys.append(t)
                    if len(t) >= 7:
                        keys.append("<" + t[:4])
                        keys.append(">" + t[-4:])
                    if prev is not None:
                        keys.append(prev + "|" + t if prev <= t else t + "|" + prev)
                    prev = t
            for k in keys:
                if k in seen:
                    continue
                seen.add(k)
                lst = postings.get(k)
                if lst is None:
                    postings[k] = [vi]
                else:
                    lst.append(vi)

    def idf(self, token: str) -> float:
        """A token's inverse document frequency over this list's names, 0..1 (1: not in the list).

        Small lists say little about which words are common: below 1,000 names every token
        counts as distinctive.
        """
        known = self._idf.get(token)
        if known is not None:
            return known
        n = len(self.var_text)
        if n < 1000:
            return 1.0
        from math import log

        df = len(self.postings.get(token, ()))
        value = self._idf[token] = log((n + 1) / (df + 1)) / log(n + 1)
        return value

    def variants_of(self, pos: int) -> list[tuple[str, bool]]:
        """(text, syllabic) of the variants of the name at a position."""
        end = self.first_variant[pos + 1] if pos + 1 < len(self.first_variant) else len(self.var_text)
        return [(self.var_text[i], bool(self.var_syllabic[i]))
                for i in range(self.first_variant[pos], end)]

    def candidates(self, q: NormalizedName, w: Weights | None = None, *,
                   cutoff: float | None = None, limit: int | None = None) -> list[Candidate]:
        """The stored names most likely to match q, best pre-score first."""
        w = w or default_weights()
        if q.empty:
            return []
        cutoff_final = None if cutoff is None else cutoff
        # RapidFuzz takes cutoffs in 0..100 only: a threshold of 0 or 10 looks at everything.
        cutoff = max(0.0, min(100.0, (w.threshold if cutoff is None else cutoff) - w.prefilter_margin))
        postings = self.postings
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
        best: dict[int, float] = {}
        owner_of = self.var_owner
        for vi in exact_hits:
            best[owner_of[vi]] = 100.0
        if chosen:
            # Variants sharing more of the name's keys first; only the best few are pre-scored.
            # numpy counts the (≤ candidate_budget) postings: a Counter took a quarter of the
            # candidate search.
            arr = np.concatenate([np.frombuffer(p, dtype=np.uint32) if isinstance(p, memoryview)
                                  else np.asarray(p, dtype=np.uint32) for p in chosen])
            vals, first, counts = np.unique(arr, return_index=True, return_counts=True)
            if len(vals) > w.prescore_pool:
                # Ties go to the variant met first, i.e. in the rarer key (as Counter.most_common).
                vals = vals[np.lexsort((first, -counts))[:w.prescore_pool]]
            if exact_hits:
                vals = vals[~np.isin(vals, np.fromiter(exact_hits, dtype=np.uint32))]
            if len(vals):
                prescore(self, q, vals.tolist(), cutoff, best)
        if not q.han and cutoff_final is not None:
            drop_unlikely(self, q, w, best, cutoff_final)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        found_all = [Candidate(p, s, self) for p, s in ranked]
        return found_all if limit is None else found_all[:max(limit, sum(s >= 100.0 for _p, s in ranked))]

# --- stored form ---------------------------------------------------------------------------------
# A list's index is stored (zlib-compressed) as: 4-byte header length, a JSON header (format
# version, section lengths, Han forms), then the sections: name ids, entry ids (int64), exact-only
# flags (bytes), first variant of each name, owner of each variant (uint32), syllabic flags
# (bytes), variant texts and keys ("\n"-joined UTF-8), posting offsets and the postings (uint32).
# Plain arrays and text, never pickle: a workspace file may come from someone else.

_FORMAT = 1


def index_to_bytes(index: NameIndex) -> bytes:
    """The stored form of an index."""
    keys = list(index.postings)
    offsets = array("I", [0])
    flat = array("I")
    for k in keys:
        flat.extend(index.postings[k])
        offsets.append(len(flat))
    sections = [array("q", index.name_ids).tobytes(), array("q", index.entry_ids).tobytes(),
                bytes(bytearray(map(bool, index.exact_only))),
                array("I", index.first_variant).tobytes(), array("I", index.var_owner).tobytes(),
                bytes(bytearray(map(bool, index.var_syllabic))),
                "\n".join(index.var_text).encode("utf-8", "surrogatepass"),
                "\n".join(keys).encode("utf-8", "surrogatepass"),
                offsets.tobytes(), flat.tobytes()]
    header = json.dumps({"format": _FORMAT, "lengths": [len(x) for x in sections],
                         "han": {str(k): v for k, v in index.han.items()}},
                        ensure_ascii=False).encode("utf-8")
    return zlib.compress(struct.pack("<I", len(header)) + header + b"".join(sections), 1)


def index_from_bytes(data: bytes) -> NameIndex | None:
    """An index from its stored form (None when the form is not one this version reads)."""
    try:
        raw = zlib.decompress(data)
        (hlen,) = struct.unpack_from("<I", raw)
        header = json.loads(raw[4:4 + hlen])
        if header.get("format") != _FORMAT:
            return None
        parts, pos = [], 4 + hlen
        for length in header["lengths"]:
            parts.append(raw[pos:pos + length])
            pos += length
        arrays = []
        for code, part in zip("qq", parts[:2]):
            a = array(code)
            a.frombytes(part)
            arrays.append(a)
        first, owner, offsets, flat = array("I"), array("I"), array("I"), array("I")
        first.frombytes(parts[3])
        owner.frombytes(parts[4])
        offsets.frombytes(parts[8])
        flat.frombytes(parts[9])
        index = NameIndex()
        index.name_ids, index.entry_ids = arrays  # type: ignore[assignment]
        index.exact_only = parts[2]  # type: ignore[assignment]
        index.first_variant, index.var_owner = first, owner  # type: ignore[assignment]
        index.var_syllabic = parts[5]  # type: ignore[assignment]
        index.var_text = parts[6].decode("utf-8", "surrogatepass").split("\n") if parts[6] else []
        keys = parts[7].decode("utf-8", "surrogatepass").split("\n") if parts[7] else []
        view = memoryview(flat)
        index.postings = {k: view[offsets[i]:offsets[i + 1]] for i, k in enumerate(keys)}  # type: ignore[misc]
        index.han = {int(k): v for k, v in header.get("han", {}).items()}
        return index
    except (zlib.error, struct.error, ValueError, KeyError, IndexError, TypeError):
        return None  # damaged or foreign: rebuilt from the names


def save_list_index(session: Session, list_id: int, index: NameIndex, fingerprint: str) -> None:
    """Store a list's index (replacing the one stored before)."""
    from sqlalchemy import delete, insert

    from casedesk.domain.clock import now_iso

    index.list_id, index.fingerprint = list_id, fingerprint
    session.execute(delete(WatchlistIndex).where(WatchlistIndex.list_id == list_id))
    session.execute(insert(WatchlistIndex).values(list_id=list_id, fingerprint=fingerprint,
                                                  data=index_to_bytes(index), created_at=now_iso()))


# --- the workspace's indexes ---------------------------------------------------------------------

@dataclass
class MultiIndex:
    """The indexes of every loaded list, queried together."""

    parts: list[NameIndex] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def candidates(self, q: NormalizedName, w: Weights | None = None, *,
                   cutoff: float | None = None, limit: int | None = None) -> list[Candidate]:
        """The best candidates over all lists."""
        w = w or default_weights()
        found = [c for p in self.parts for c in p.candidates(q, w, cutoff=cutoff, limit=limit)]
        found.sort(key=lambda c: -c.prescore)
        # Every candidate is kept unless the caller asks for a cap (the full scorer ranks them).
        return found if limit is None else found[:max(limit, sum(c.prescore >= 100.0 for c in found))]


_LOCK = threading.Lock()
_CACHE: dict[str, dict[int, NameIndex]] = {}


def fingerprint_of(wl: Watchlist) -> str:
    """What a stored index must agree with to be reused: the list's import stamp, size and forms' version."""
    return f"{wl.id}:{wl.imported_at}:{wl.entry_count}:{(wl.details or {}).get('forms_version', '')}"


def forget_indexes() -> None:
    """Drop cached indexes (after a list is imported or deleted)."""
    with _LOCK:
        _CACHE.clear()


def _lists(session: Session) -> list[tuple[int, str]]:
    return [(w.id, fingerprint_of(w)) for w in session.scalars(select(Watchlist).order_by(Watchlist.id))]


def _build_list_index(session: Session, list_id: int) -> NameIndex:
    index = NameIndex()
    stmt = (select(WatchlistName.id, WatchlistName.entry_id, WatchlistName.normalized,
                   WatchlistName.exact_only)
            .join(WatchlistEntry, WatchlistEntry.id == WatchlistName.entry_id)
            .where(WatchlistEntry.list_id == list_id)
            .order_by(WatchlistName.id)
            .execution_options(yield_per=50000))
    for name_id, entry_id, normalized, exact_only in session.execute(stmt):
        index.add(name_id, entry_id, normalized, bool(exact_only))
    return index


def build_index(session: Session) -> Job[MultiIndex]:
    """Build every list's index from the stored names (ignoring stored indexes)."""
    lists = _lists(session)
    parts = []
    for n, (list_id, fp) in enumerate(lists):
        yield Progress(n, len(lists), "building the screening index")
        index = _build_list_index(session, list_id)
        index.list_id, index.fingerprint = list_id, fp
        parts.append(index)
    return MultiIndex(parts)


def get_index(session: Session) -> Job[MultiIndex]:
    """The workspace's index: cached in memory, else loaded from storage, else built."""
    key = str(session.get_bind().url)
    lists = _lists(session)
    with _LOCK:
        cached = dict(_CACHE.get(key, {}))
    parts = []
    for n, (list_id, fp) in enumerate(lists):
        index = cached.get(list_id)
        if index is None or index.fingerprint != fp:
            yield Progress(n, len(lists), "loading the screening index")
            row = session.execute(select(WatchlistIndex.fingerprint, WatchlistIndex.data)
                                  .where(WatchlistIndex.list_id == list_id)).first()
            index = index_from_bytes(row.data) if row is not None and row.fingerprint == fp else None
            if index is None:
                yield Progress(n, len(lists), "building the screening index")
                index = _build_list_index(session, list_id)
            index.list_id, index.fingerprint = list_id, fp
        parts.append(index)
    with _LOCK:
        _CACHE.clear()  # one workspace's indexes at a time: a million names take ~1 GB
        _CACHE[key] = {p.list_id: p for p in parts}
    return MultiIndex(parts)
