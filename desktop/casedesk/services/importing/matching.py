"""Duplicate detection for imports: within the file, and against the records already in the case.

Within the file, the same party, wallet or data center on many rows becomes one record (matched
on identifiers, wallet address or normalised name). Against the case, identifiers and wallet
addresses match exactly; names match fuzzily (RapidFuzz ratio on token-sorted normalised names,
i.e. token_sort_ratio) and become suggestions a person decides on.

The name normaliser is a seam: pass any ``Callable[[str], str]`` (the script-aware screening
normaliser can replace ``simple_normalize`` without touching this module).
"""

from __future__ import annotations

import os
import queue
import re
import sys
import threading
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.models import Alias, DataCenter, Identifier, Link, Party, Record, Wallet
from casedesk.services.importing.converting import MATCHED_KINDS, EntityDraft

NameNormalizer = Callable[[str], str]

_NON_WORD = re.compile(r"[\W_]+")


# ASCII letters and digits kept (lower-cased), everything else a space: what the regex below
# does to an ASCII name, as one str.translate (most imported names are ASCII).
_ASCII_FOLD = {c: (chr(c).lower() if chr(c).isalnum() else " ") for c in range(128)}


def simple_normalize(name: str) -> str:
    """Casefold, NFKC (full-width → ASCII), punctuation to spaces, collapsed spaces."""
    if name.isascii():
        return " ".join(name.translate(_ASCII_FOLD).split())
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split())


def name_key(name: str, normalize: NameNormalizer = simple_normalize) -> str:
    """The comparable form of a name: normalised, tokens sorted (word order does not matter)."""
    return " ".join(sorted(normalize(name).split()))


@dataclass(frozen=True)
class Candidate:
    """An existing record an incoming one may be: why, how sure, and whether it is an exact match."""

    record_id: int
    label: str
    score: float
    reason: str
    exact: bool

    def as_json(self) -> dict[str, Any]:
        """Plain data for the CLI."""
        return {
            "record_id": self.record_id,
            "record_label": self.label,
            "score": round(self.score, 1),
            "reason": self.reason,
            "exact": self.exact,
        }


class RowSpans:
    """The rows an entity appears on, kept compact: first ranges, then only a count.

    Ranges are kept flat in an array of 64-bit ints ([first, last, first, last, …]): a million-
    row file can have a hundred thousand entities, each on dozens of rows.
    """

    __slots__ = ("ranges", "count", "limit")

    def __init__(self, row: int, limit: int):
        self.ranges = array("q", (row, row))
        self.count = 1
        self.limit = limit

    def add(self, row: int) -> None:
        """Note one more row (rows arrive in increasing order; the same row twice counts once)."""
        last = self.ranges[-1]
        if row == last:
            return
        self.count += 1
        if row == last + 1:
            self.ranges[-1] = row
        elif len(self.ranges) < 2 * self.limit:
            self.ranges.extend((row, row))

    @property
    def first(self) -> int:
        """The first row."""
        return self.ranges[0]

    def locator(self) -> str:
        """'row 5', 'rows 5–9, 12', or '… and 1,234 more rows' past the range limit."""
        r = self.ranges
        pairs = [(r[i], r[i + 1]) for i in range(0, len(r), 2)]
        listed = sum(b - a + 1 for a, b in pairs)
        parts = [str(a) if a == b else f"{a}–{b}" for a, b in pairs]
        text = ("row " if self.count == 1 else "rows ") + ", ".join(parts)
        if self.count > listed:
            text += f" … and {self.count - listed:,} more rows"
        return text


@dataclass(eq=False, slots=True)
class Entity:
    """One distinct incoming record: what it is, where it goes (new or an existing record)."""

    key: str
    kind: str
    label: str
    party_kind: str | None
    spans: RowSpans
    draft: EntityDraft | None = None  # kept only until the record is written
    record_id: int | None = None  # id of the new record, or of the existing one merged into
    existing: bool = False
    candidates: tuple[Candidate, ...] = ()
    norm: str = ""  # the normalised label
    names: set[str] | None = None  # normalised names beyond the label, made when a row adds one
    ident_values: dict[str, str] | None = None  # scheme -> value
    # Fields known so far (for fill-ins): the first draft's own dict until a later row adds one.
    known: dict[str, Any] = field(default_factory=dict)
    known_own: bool = False
    extra: dict[str, Any] | None = None  # what later rows add: fields, aliases, identifiers, notes
    citation_id: int | None = None  # when the new record was cited as it was inserted

    def has_name(self, norm: str) -> bool:
        """True when the entity already goes by this normalised name."""
        return norm == self.norm or (self.names is not None and norm in self.names)

    def add_name(self, norm: str) -> None:
        """Note another normalised name of the entity."""
        if self.names is None:
            self.names = set()
        self.names.add(norm)


# (entity, [(score, record id), …]) for each incoming name similar to names of the case
FuzzyResults = list[tuple[Entity, list[tuple[int, int]]]]


def draft_keys(draft: EntityDraft, normalize: NameNormalizer) -> tuple[list[str], str | None]:
    """(exact keys, name key) a draft is deduplicated on within a file (computed once per draft)."""
    if draft.keys is None:
        if draft.kind == "wallet":
            draft.keys = ([f"wallet|{draft.fields['match_key']}"], None)
            draft.norm = draft.fields["match_key"]
        else:
            draft.norm = normalize(draft.label)
            draft.name_key = " ".join(sorted(draft.norm.split()))
            draft.keys = (
                [f"{draft.kind}|id|{i.scheme}|{i.value}" for i in draft.identifiers]
                if draft.identifiers
                else [],
                f"{draft.kind}|name|{draft.name_key}",
            )
    return draft.keys


def draft_norm(draft: EntityDraft, normalize: NameNormalizer) -> str:
    """The draft's normalised label (computed with its keys)."""
    if draft.keys is None:
        draft_keys(draft, normalize)
    return draft.norm


class FileIndex:
    """The distinct entities seen so far in a file, by identifier, address and name."""

    def __init__(self, normalize: NameNormalizer, span_limit: int):
        self.normalize = normalize
        self.span_limit = span_limit
        self.by_key: dict[str, Entity] = {}

    def find(self, draft: EntityDraft) -> Entity | None:
        """The entity this draft is, if it was seen before (in the file or earlier in this row)."""
        if draft.entity is not None:
            return draft.entity
        if draft.kind not in MATCHED_KINDS:
            return None
        exact, name = draft_keys(draft, self.normalize)
        for k in exact:
            hit = self.by_key.get(k)
            if hit is not None:
                return hit
        if name is not None:
            hit = self.by_key.get(name)
            # Same name but a different value for the same identifier scheme: two bodies.
            if hit is not None and not (
                hit.ident_values
                and any(
                    hit.ident_values.get(i.scheme, i.value) != i.value for i in draft.identifiers
                )
            ):
                return hit
        return None

    def new(self, draft: EntityDraft, row: int) -> Entity:
        """A new entity for a draft (not yet registered)."""
        exact, name = draft_keys(draft, self.normalize)
        key = (
            exact[0]
            if exact
            else (name if draft.kind in MATCHED_KINDS else f"{draft.kind}|row|{row}|{draft.key}")
        )
        return Entity(
            key=key,
            kind=draft.kind,
            label=draft.label,
            party_kind=draft.party_kind,
            spans=RowSpans(row, self.span_limit),
            draft=draft,
            norm=draft.norm,
            ident_values={i.scheme: i.value for i in draft.identifiers}
            if draft.identifiers
            else None,
            known=draft.fields,
        )

    def register(self, ent: Entity, draft: EntityDraft) -> None:
        """Make an entity findable by every key of a draft describing it."""
        if ent.kind not in MATCHED_KINDS or draft.entity is not None:
            return
        exact, name = draft_keys(draft, self.normalize)
        for k in exact:
            self.by_key.setdefault(k, ent)
        if name is not None:
            self.by_key.setdefault(name, ent)
        if draft.shared:
            # find() would give this entity for the draft from now on: remember it
            draft.entity = self.find(draft)


_NOT_FILLED = frozenset({"label", "notes", "address", "match_key", "chain"})


def merge_later(ent: Entity, draft: EntityDraft, row: int, normalize: NameNormalizer) -> None:
    """Note what a later row adds to an entity: empty fields it fills, new names and identifiers.

    Conflicting values are kept as a note on the record rather than silently dropped.
    """
    notes = draft.fields.get("notes")
    if ent.kind == "wallet":
        # a wallet's label, chain and address are its key: only notes and custodian can add
        if not notes and len(draft.fields) <= 4 and not draft.aliases and not draft.identifiers:
            return
    extra = ent.extra
    if ent.kind != "wallet":
        norm = draft_norm(draft, normalize)
        if not ent.has_name(norm):
            ent.add_name(norm)
            extra = extra if extra is not None else {}
            extra.setdefault("aliases", []).append(draft.label)
        for alias in draft.aliases:
            n = normalize(alias.name)
            if not ent.has_name(n):
                ent.add_name(n)
                extra = extra if extra is not None else {}
                extra.setdefault("aliases", []).append(alias.name)
    for ident in draft.identifiers:
        if ent.ident_values is None:
            ent.ident_values = {}
        if ident.scheme not in ent.ident_values:
            ent.ident_values[ident.scheme] = ident.value
            extra = extra if extra is not None else {}
            extra.setdefault("identifiers", []).append(ident)
    for addr in draft.addresses:
        extra = extra if extra is not None else {}
        have = extra.setdefault("addresses", [])
        if addr.full not in [a.full for a in have]:
            have.append(addr)
    if draft.fields is not ent.known:
        for name, value in draft.fields.items():
            if name in _NOT_FILLED or value is None or value == "" or value == []:
                continue
            old = ent.known.get(name)
            if old is None or old == "" or old == []:
                if not ent.known_own:
                    ent.known = dict(ent.known)
                    ent.known_own = True
                ent.known[name] = value
                extra = extra if extra is not None else {}
                extra.setdefault("fields", {})[name] = value
            elif old != value:
                extra = extra if extra is not None else {}
                extra.setdefault("notes", []).append(
                    f"row {row} gives {name} {value!s:.80} (kept {old!s:.80})"
                )
    if notes:
        extra = extra if extra is not None else {}
        lines = extra.setdefault("notes", [])
        if len(lines) < 200:
            lines.append(f"row {row}: {notes}")
    ent.extra = extra


class CaseIndex:
    """The case's existing parties, wallets and data centers, loaded once for matching."""

    def __init__(
        self,
        session: Session,
        case_id: int,
        kinds: Iterable[str],
        *,
        normalize: NameNormalizer = simple_normalize,
        threshold: float = 88.0,
        limit: int = 3,
    ):
        self.normalize = normalize
        self.threshold = threshold
        self.limit = limit
        self.labels: dict[int, str] = {}
        self.party_kinds: dict[int, str | None] = {}
        self.kinds: dict[int, str] = {}
        self.identifiers: dict[tuple[str, str, str], int] = {}
        self.wallets: dict[str, int] = {}
        self.name_keys: dict[str, list[str]] = {}
        self.name_ids: dict[str, list[int]] = {}
        self.same_name: dict[tuple[str, str], list[int]] = {}
        self._links: dict[tuple[str, int, int], int] | None = None
        self._sorted: dict[str, tuple[list[str], list[int], list[int]]] = {}
        self._session, self._case_id = session, case_id
        kinds = set(kinds) & set(MATCHED_KINDS)
        rec = Record.__table__.c
        for kind in sorted(kinds):
            keys: list[str] = []
            ids: list[int] = []
            if kind == "party":
                rows = session.execute(
                    select(rec.id, rec.label, Party.__table__.c.party_kind)
                    .join(Party.__table__, Party.__table__.c.id == rec.id)
                    .where(rec.case_id == case_id)
                )
            elif kind == "wallet":
                rows = session.execute(
                    select(rec.id, rec.label, Wallet.__table__.c.match_key)
                    .join(Wallet.__table__, Wallet.__table__.c.id == rec.id)
                    .where(rec.case_id == case_id)
                )
            else:
                rows = session.execute(
                    select(rec.id, rec.label, DataCenter.__table__.c.id)
                    .join(DataCenter.__table__, DataCenter.__table__.c.id == rec.id)
                    .where(rec.case_id == case_id)
                )
            for rid, label, extra in rows:
                self.labels[rid] = label
                self.kinds[rid] = kind
                if kind == "party":
                    self.party_kinds[rid] = extra
                if kind == "wallet":
                    self.wallets.setdefault(extra, rid)
                else:
                    keys.append(name_key(label, normalize))
                    ids.append(rid)
            if kind != "wallet" and ids:
                al = Alias.__table__.c
                for rid, name in session.execute(
                    select(al.record_id, al.name)
                    .join(Record.__table__, rec.id == al.record_id)
                    .where(rec.case_id == case_id, rec.kind == kind)
                ):
                    keys.append(name_key(name, normalize))
                    ids.append(rid)
                idc = Identifier.__table__.c
                for rid, scheme, value in session.execute(
                    select(idc.record_id, idc.scheme, idc.value)
                    .join(Record.__table__, rec.id == idc.record_id)
                    .where(rec.case_id == case_id, rec.kind == kind)
                ):
                    self.identifiers.setdefault((kind, scheme, value), rid)
            self.name_keys[kind] = keys
            self.name_ids[kind] = ids
            for k, rid in zip(keys, ids):
                same = self.same_name.setdefault((kind, k), [])
                if rid not in same:
                    same.append(rid)

    def match_exact(self, draft: EntityDraft) -> tuple[Candidate, ...]:
        """Existing records this draft is on identifiers or address, or by an identical name."""
        found: dict[int, Candidate] = {}
        if not self.labels:
            return ()  # an empty case: nothing to match
        if draft.kind == "wallet":
            rid = self.wallets.get(draft.fields["match_key"])
            if rid is not None:
                found[rid] = Candidate(
                    rid, self.labels[rid], 100.0, f"same {draft.fields['chain']} address", True
                )
            return tuple(found.values())
        for ident in draft.identifiers:
            rid = self.identifiers.get((draft.kind, ident.scheme, ident.value))
            if rid is not None and rid not in found:
                found[rid] = Candidate(
                    rid, self.labels[rid], 100.0, f"same {ident.scheme} {ident.value}", True
                )
        draft_keys(draft, self.normalize)
        for rid in self.same_name.get((draft.kind, draft.name_key), ())[: self.limit]:
            if rid not in found:
                found[rid] = Candidate(rid, self.labels[rid], 100.0, "same name", False)
        return tuple(found.values())

    def match_fuzzy(self, items: Sequence[tuple[Entity, str]]) -> None:
        """Add similar-name candidates (below identical) to many entities at once (all cores)."""
        self.apply_fuzzy(self.fuzzy_scores(items, workers=-1))

    def fuzzy_scores(
        self, items: Sequence[tuple[Entity, str]], *, workers: int = -1
    ) -> FuzzyResults:
        """(entity, [(score, record id)…]) for items whose name key is similar to a case name.

        items are (entity, name key); RapidFuzz cdist compares them with every existing name of
        the kind, in slices that keep the score matrix small. Reads the index, changes nothing:
        safe on another thread while the caller goes on (apply_fuzzy adds the results).
        """
        if not items:
            return []
        from rapidfuzz import fuzz, process

        out: FuzzyResults = []
        kinds = {ent.kind for ent, _ in items}
        for kind in kinds:
            if self.name_keys.get(kind):
                group = items if len(kinds) == 1 else [it for it in items if it[0].kind == kind]
                self._fuzzy_kind(kind, group, process, fuzz, workers, out)
        return out

    def prepare_fuzzy(self) -> None:
        """Sort each kind's names by length once (before fuzzy_scores runs on another thread)."""
        for kind in self.name_keys:
            self._by_length(kind)

    def _by_length(self, kind: str) -> tuple[list[str], list[int], list[int]]:
        made = self._sorted.get(kind)
        if made is None:
            keys = self.name_keys[kind]
            ordered = sorted(range(len(keys)), key=lambda j: len(keys[j]))
            choices = [keys[j] for j in ordered]
            made = self._sorted[kind] = (
                choices,
                [self.name_ids[kind][j] for j in ordered],
                [len(c) for c in choices],
            )
        return made

    def apply_fuzzy(self, results: FuzzyResults) -> None:
        """Add fuzzy_scores' results to their entities' candidates."""
        for ent, hits in results:
            self._add_fuzzy(ent, hits)

    def _fuzzy_kind(
        self,
        kind: str,
        group: list[tuple[Entity, str]],
        process: Any,
        fuzz: Any,
        workers: int,
        out: FuzzyResults,
    ) -> None:
        # Two names can only reach the threshold when their lengths are close
        # (2·min/(a+b) ≥ t), so each query length is compared with a window of choices only.
        choices, ids, lengths = self._by_length(kind)
        ratio = self.threshold / (200.0 - self.threshold)
        # Queries grouped by length with C-level passes (sorted indexes, bisect), not a Python
        # loop per name: on the scoring thread every step holds the GIL the import waits for.
        keys = [k for _, k in group]
        key_lengths = list(map(len, keys))
        order = sorted(range(len(keys)), key=key_lengths.__getitem__)
        ordered_lengths = sorted(key_lengths)
        from bisect import bisect_left, bisect_right

        first = bisect_right(ordered_lengths, 0)  # empty names are never compared
        while first < len(order):
            length = ordered_lengths[first]
            last = bisect_right(ordered_lengths, length, first)
            queries = order[first:last]
            first = last
            lo = bisect_left(lengths, int(length * ratio))
            hi = bisect_right(lengths, int(length / ratio) + 1)
            if lo >= hi:
                continue
            window, window_ids = choices[lo:hi], ids[lo:hi]
            step = max(1, 4_000_000 // len(window))
            for start in range(0, len(queries), step):
                part = queries[start : start + step]
                # ratio on token-sorted names == token_sort_ratio, with the sorting done once
                scores = process.cdist(
                    [keys[j] for j in part],
                    window,
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=self.threshold,
                    dtype="uint8",
                    workers=workers,
                )
                if not scores.any():  # the usual case, and 70 times cheaper than nonzero()
                    continue
                found: dict[int, list[tuple[int, int]]] = {}
                qs, cs = scores.nonzero()
                for q, c in zip(qs.tolist(), cs.tolist()):
                    found.setdefault(q, []).append((int(scores[q, c]), window_ids[c]))
                for q, hits in found.items():
                    out.append((group[part[q]][0], hits))

    def _add_fuzzy(self, ent: Entity, hits: list[tuple[int, int]]) -> None:
        have = {c.record_id for c in ent.candidates}
        extra = []
        for score, rid in sorted(hits, key=lambda h: (-h[0], h[1])):
            if rid in have or score >= 100:
                continue
            have.add(rid)
            extra.append(
                Candidate(rid, self.labels[rid], float(score), f"name {score}% similar", False)
            )
            if len(extra) >= self.limit:
                break
        if extra:
            ent.candidates = tuple(
                sorted(
                    (*ent.candidates, *extra), key=lambda c: (not c.exact, -c.score, c.record_id)
                )
            )

    def existing_link(self, link_type: str, source_id: int, target_id: int) -> int | None:
        """The id of the case's link of this type between these two records, if there is one."""
        if self._links is None:
            lc = Link.__table__.c
            self._links = {}
            for lid, t, s, g in self._session.execute(
                select(lc.id, lc.link_type, lc.source_id, lc.target_id)
                .where(lc.case_id == self._case_id)
                .order_by(lc.id)
            ):
                self._links.setdefault((t, s, g), lid)
        return self._links.get((link_type, source_id, target_id))


class FuzzyScorer:
    """Scores batches of names against a CaseIndex on a background thread while the import goes on.

    RapidFuzz releases the GIL only when it scores on its own worker threads (with workers=1 it
    takes the GIL back over and over, and waits each time behind the busy main thread: 2.5 s
    instead of 0.65 s for 100,000 names), so every batch runs with workers=2. The thread and the
    workers it starts take the lowest scheduling priority where the system allows it per thread
    (Linux): they use the time the import's own threads leave free instead of taking it from them.
    """

    def __init__(self, case: CaseIndex):
        self._case = case
        case.prepare_fuzzy()  # the sorted names are built here, before the thread reads them
        self._todo: queue.SimpleQueue[Sequence[tuple[Entity, str]] | None] = queue.SimpleQueue()
        self._results: FuzzyResults = []
        self._error: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._work, name="casedesk-fuzzy", daemon=True)
        self._thread.start()

    def submit(self, items: Sequence[tuple[Entity, str]]) -> None:
        """Queue (entity, name key) pairs; the caller must not change their keys afterwards."""
        self._todo.put(items)

    def finish(self) -> FuzzyResults:
        """Wait for every queued batch; their results (the first error is raised here)."""
        self._todo.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._results

    def cancel(self) -> None:
        """Drop what is queued and stop after the batch in hand."""
        self._cancelled = True
        self._todo.put(None)
        self._thread.join()

    def _work(self) -> None:
        if sys.platform.startswith("linux"):
            try:  # per-thread on Linux; the scoring workers inherit it
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
            except OSError:
                pass
        while (items := self._todo.get()) is not None:
            if self._cancelled or self._error is not None:
                continue
            try:
                self._results.extend(self._case.fuzzy_scores(items, workers=2))
            except BaseException as exc:  # noqa: BLE001 - raised again in finish()
                self._error = exc
