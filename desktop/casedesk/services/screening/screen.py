"""Screening a case against every loaded list: matching names and identifiers, and explaining each score.

The hits a run stores, and the investigator's decisions on them, live in screening.hits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.errors import ValidationError
from casedesk.domain.watchlists import Watchlist, WatchlistEntry, WatchlistIdentifier, WatchlistName
from casedesk.services.cases import get_case
from casedesk.services.forked import chunked
from casedesk.services.in_lists import in_chunks
from casedesk.services.progress import Job, Progress, run_to_end
from casedesk.services.screening.explain import Evidence, explain_pair
from casedesk.services.screening.hits import ScreenResult, store_hits
from casedesk.services.screening.index import MultiIndex, get_index
from casedesk.services.screening.list_forms import refresh_outdated
from casedesk.services.screening.name_scoring import (
    NameMatch,
    Weights,
    best_name_match,
    default_weights,
)
from casedesk.services.screening.normalize import NormalizedName, identifier_key, normalize_name
from casedesk.services.screening.normalize.pipeline import warm_up
from casedesk.services.screening.subjects import Subject, load_subjects


def _match_names(subject: Subject, index: MultiIndex, w: Weights, threshold: float,
                 norm_cache: dict[str, NormalizedName]) -> dict[int, Evidence]:
    """Best name evidence per entry for one subject's names."""
    found: dict[int, Evidence] = {}
    for name, _kind in subject.names:
        q = norm_cache.get(name)
        if q is None:
            q = norm_cache[name] = normalize_name(name)
        if q.empty:
            continue
        # Country and place can add a few points: look a little below the threshold.
        floor = threshold - w.country_match_bonus - w.place_match_bonus
        # Same-named siblings ("… Inc." / "… LLC") store the same variants: score each form once.
        scored: dict[tuple[Any, ...], NameMatch | None] = {}
        for cand in index.candidates(q, w, cutoff=floor):
            variants = cand.variants()
            key = (id(cand.index), cand.exact_only, cand.han, *variants)
            if key in scored:
                m = scored[key]
            else:
                m = scored[key] = best_name_match(q, variants, cand.exact_only, w, cand.han,
                                                  cand.index.idf, floor)
            if m is None or m.score < floor:
                continue
            entry_id = cand.entry_id
            ev = found.get(entry_id)
            if ev is None or ev.name is None or m.score > ev.name.score:
                found[entry_id] = Evidence(subject.record_id, entry_id, m, name, q, cand.name_id)
    return found


def _match_identifiers(session: Session, subjects: list[Subject], w: Weights
                       ) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """Exact identifier and wallet-address matches: (record_id, entry_id) → matched ids."""
    wanted: dict[str, list[tuple[int, str, str]]] = {}
    for s in subjects:
        if s.kind == "wallet" and s.wallet_key:
            wanted.setdefault(s.wallet_key, []).append((s.record_id, f"WALLET_{s.chain}", s.address))
        for scheme, value in s.identifiers:
            key = identifier_key(scheme, value)
            if len(key) >= 4:
                wanted.setdefault(key, []).append((s.record_id, scheme, value))
    out: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for chunk in in_chunks(wanted):
        for entry_id, scheme, value, key in session.execute(
                select(WatchlistIdentifier.entry_id, WatchlistIdentifier.scheme,
                       WatchlistIdentifier.value, WatchlistIdentifier.match_key)
                .where(WatchlistIdentifier.match_key.in_(chunk))):
            for record_id, our_scheme, our_value in wanted.get(key, []):
                wallet = scheme.startswith("WALLET_") or our_scheme.startswith("WALLET_")
                if wallet != (scheme.startswith("WALLET_") and our_scheme.startswith("WALLET_")):
                    continue
                if not wallet and scheme != our_scheme and len(key) < w.identifier_any_scheme_min_chars:
                    continue
                out.setdefault((record_id, entry_id), []).append(
                    {"feature": "wallet" if wallet else "identifier", "list_scheme": scheme,
                     "list_value": value, "case_scheme": our_scheme, "case_value": our_value})
    return out


def _entries(session: Session, entry_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in in_chunks(entry_ids):
        for row in session.execute(
                select(WatchlistEntry.id, WatchlistEntry.list_id, WatchlistEntry.entry_key,
                       WatchlistEntry.name, WatchlistEntry.entity_type, WatchlistEntry.countries,
                       WatchlistEntry.content_hash, Watchlist.name, WatchlistEntry.data)
                .join(Watchlist, Watchlist.id == WatchlistEntry.list_id)
                .where(WatchlistEntry.id.in_(chunk))):
            out[row[0]] = {"id": row[0], "list_id": row[1], "entry_key": row[2], "name": row[3],
                           "entity_type": row[4], "countries": row[5] or [],
                           "content_hash": row[6], "list_name": row[7], "data": row[8] or {}}
    return out


def _list_names(session: Session, name_ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in in_chunks(name_ids):
        out.update(session.execute(select(WatchlistName.id, WatchlistName.name)
                                   .where(WatchlistName.id.in_(chunk))).all())
    return out


def screen_subjects(session: Session, subjects: list[Subject], *, threshold: float | None = None,
                    weights: Weights | None = None, index: MultiIndex | None = None
                    ) -> Job[list[tuple[Subject, dict[str, Any], float, dict[str, Any]]]]:
    """Score subjects against every list: [(subject, entry, score, explanation)] ≥ threshold."""
    w = weights or default_weights()
    threshold = w.threshold if threshold is None else float(threshold)
    if index is None:
        index = yield from get_index(session)
    total = len(subjects)
    yield Progress(0, total, f"screening {total:,} records against {len(index):,} names")
    evidence: dict[tuple[int, int], Evidence] = {}
    norm_cache: dict[str, NormalizedName] = {}

    def match(start: int, stop: int) -> list[tuple[int, dict[int, Evidence]]]:
        return [(s.record_id, _match_names(s, index, w, threshold, norm_cache))
                for s in subjects[start:stop]]

    # Progress (and a chance to cancel) every 200 names; on big batches the chunks are scored
    # by forked workers sharing the loaded index and tables (services.forked says when that is safe).
    warm_up()
    entries: dict[int, dict[str, Any]] = {}
    list_names: dict[int, str] = {}
    for done, part in chunked(match, total, 200, min_total=1000):
        new_entries, new_names = set(), set()
        for record_id, found in part:
            for entry_id, ev in found.items():
                evidence[(record_id, entry_id)] = ev
                new_entries.add(entry_id)
                new_names.add(ev.list_name_id)
        # Read the entries and list names while the workers score the next names.
        entries.update(_entries(session, new_entries - entries.keys()))
        list_names.update(_list_names(session, new_names - list_names.keys() - {None}))
        yield Progress(done, total, f"screened {done:,} of {total:,} records")
    for (record_id, entry_id), idents in _match_identifiers(session, subjects, w).items():
        ev = evidence.setdefault((record_id, entry_id), Evidence(record_id, entry_id))
        ev.identifiers = idents
    entries.update(_entries(session, {e for _r, e in evidence} - entries.keys()))
    by_id = {s.record_id: s for s in subjects}
    pairs = [(key, ev) for key, ev in evidence.items() if key[1] in entries]

    def explain(start: int, stop: int) -> list[tuple[int, int, float, dict[str, Any]]]:
        kept = []
        for (record_id, entry_id), ev in pairs[start:stop]:
            entry = entries[entry_id]
            list_text = list_names.get(ev.list_name_id or -1, entry["name"])
            list_norm = None
            if ev.name is not None:
                list_norm = norm_cache.get(list_text)
                if list_norm is None:
                    list_norm = norm_cache[list_text] = normalize_name(list_text)
            score, explanation = explain_pair(by_id[record_id], entry, ev, list_norm, list_text, w)
            if score >= threshold:
                kept.append((record_id, entry_id, score, explanation))
        return kept

    out = []
    for done, part in chunked(explain, len(pairs), 1000, min_total=4000):
        out += [(by_id[r], entries[e], score, exp) for r, e, score, exp in part]
        yield Progress(total, total, f"explained {done:,} of {len(pairs):,} possible hits")
    out.sort(key=lambda t: (-t[2], t[0].record_id, t[1]["list_name"], t[1]["entry_key"]))
    return out


def _check_threshold(threshold: float | None) -> None:
    if threshold is not None and not 0 <= float(threshold) <= 100:
        raise ValidationError("threshold", f"{threshold} is not between 0 and 100")


def screen_case(session: Session, case_id: int, *, threshold: float | None = None,
                weights: Weights | None = None) -> Job[ScreenResult]:
    """Screen every party and wallet of a case against all lists and store the hits; yields Progress.

    Lists whose name forms an older normaliser made are re-normalised first (list_forms).
    """
    get_case(session, case_id)
    _check_threshold(threshold)
    yield from refresh_outdated(session)
    subjects, matches, threshold = yield from match_case(session, case_id, threshold=threshold,
                                                         weights=weights)
    return store_hits(session, case_id, subjects, matches, threshold)


def match_case(session: Session, case_id: int, *, threshold: float | None = None,
               weights: Weights | None = None) -> Job[tuple[list[Subject], list, float]]:
    """The matching half of screening (reads only): (subjects, matches, threshold).

    The GUI runs it in a read session and stores the result with store_hits in a short write
    transaction, so a long screening never holds the workspace's write lock.
    """
    get_case(session, case_id)
    w = weights or default_weights()
    _check_threshold(threshold)
    threshold = w.threshold if threshold is None else float(threshold)
    subjects = load_subjects(session, case_id=case_id)
    matches = yield from screen_subjects(session, subjects, threshold=threshold, weights=w)
    return subjects, matches, threshold


def screen_name(session: Session, name: str, *, limit: int = 20, threshold: float | None = None,
                country: str | None = None) -> list[dict[str, Any]]:
    """Type-ahead screening of one name against every list (no hit stored)."""
    w = default_weights()
    subject = Subject(0, 0, "party", name, names=[(name, "label")],
                      countries={country} if country else set())
    idx = run_to_end(get_index(session))
    matches = run_to_end(screen_subjects(session, [subject], threshold=threshold, weights=w,
                                         index=idx))
    return [{"list": e["list_name"], "entry_id": e["id"], "entry_key": e["entry_key"],
             "entry_name": e["name"], "score": score, "explanation": exp["summary"],
             "features": exp["features"], "steps": exp["steps"]}
            for _s, e, score, exp in matches[:limit]]
