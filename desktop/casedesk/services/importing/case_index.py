"""The case's existing parties, wallets and data centers, loaded once to match an import against.

Identifiers and wallet addresses match exactly; names match fuzzily (RapidFuzz ratio on
token-sorted normalised names) and become suggestions a person decides on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.models import Alias, DataCenter, Identifier, Link, Party, Record, Wallet
from casedesk.services.importing.drafts import MATCHED_KINDS, EntityDraft, draft_keys
from casedesk.services.importing.entities import Candidate, Entity, FuzzyResults
from casedesk.services.importing.fuzzy_names import NameNormalizer, name_key, simple_normalize


def _country_differs(theirs: str | None, ours: str | None) -> str:
    """Why a same-name record is only a suggestion: the countries differ (or one is missing)."""
    return f"same name, country {ours or 'not given'} here, {theirs or 'not given'} in the case"


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
        self.countries: dict[int, str | None] = {}  # parties' and data centers' countries
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
                    select(rec.id, rec.label, Party.__table__.c.party_kind, Party.__table__.c.country)
                    .join(Party.__table__, Party.__table__.c.id == rec.id)
                    .where(rec.case_id == case_id)
                )
            elif kind == "wallet":
                rows = session.execute(
                    select(rec.id, rec.label, Wallet.__table__.c.match_key, rec.id)
                    .join(Wallet.__table__, Wallet.__table__.c.id == rec.id)
                    .where(rec.case_id == case_id)
                )
            else:
                rows = session.execute(
                    select(rec.id, rec.label, DataCenter.__table__.c.id, DataCenter.__table__.c.country)
                    .join(DataCenter.__table__, DataCenter.__table__.c.id == rec.id)
                    .where(rec.case_id == case_id)
                )
            for rid, label, extra, country in rows:
                self.labels[rid] = label
                self.kinds[rid] = kind
                if kind == "party":
                    self.party_kinds[rid] = extra
                if kind == "wallet":
                    self.wallets.setdefault(extra, rid)
                else:
                    self.countries[rid] = country or None
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
                if not k:
                    continue  # a name that normalises to nothing is never a dedupe key
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
        if not draft.name_key:
            return tuple(found.values())
        country = draft.fields.get("country") or None
        same = self.same_name.get((draft.kind, draft.name_key), ())
        # one with the same country first: that is the one a same-name record is linked to
        for rid in sorted(same, key=lambda r: self.countries.get(r) != country)[: self.limit]:
            if rid not in found:
                if self.countries.get(rid) == country:
                    reason = "same name and country" + ("" if country else " (neither gives one)")
                    found[rid] = Candidate(rid, self.labels[rid], 100.0, reason, False, True)
                else:
                    found[rid] = Candidate(
                        rid, self.labels[rid], 100.0, _country_differs(self.countries.get(rid), country), False
                    )
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
