"""Screening a case against every loaded list: matching names and identifiers, and explaining each score.

The hits a run stores, and the investigator's decisions on them, live in screening.hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.errors import ValidationError
from casedesk.domain.watchlists import Watchlist, WatchlistEntry, WatchlistIdentifier, WatchlistName
from casedesk.services.cases import get_case
from casedesk.services.forked import chunked
from casedesk.services.progress import Job, Progress, run_to_end
from casedesk.services.screening.hits import ScreenResult, store_hits
from casedesk.services.screening.index import MultiIndex, get_index
from casedesk.services.screening.list_forms import refresh_outdated
from casedesk.services.screening.name_scoring import (
    GENERIC_WORDS,
    NameMatch,
    Weights,
    best_name_match,
    default_weights,
    is_weak,
    syllables_reordered,
)
from casedesk.services.screening.normalize import (
    NormalizedName,
    concept_tokens,
    identifier_key,
    normalize_name,
)
from casedesk.services.screening.normalize.pipeline import warm_up
from casedesk.services.screening.normalize.places import named_country
from casedesk.services.screening.place_evidence import entry_addresses, place_countries, place_feature
from casedesk.services.screening.subjects import Subject, load_subjects


@dataclass
class Evidence:
    """Why one record may be one list entry: the best name pair and the other features."""

    record_id: int
    entry_id: int
    name: NameMatch | None = None
    query_name: str = ""
    query_norm: NormalizedName | None = None
    list_name_id: int | None = None
    identifiers: list[dict[str, Any]] = field(default_factory=list)


def _clamp(x: float) -> float:
    return max(0.0, min(100.0, round(x, 1)))


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
    keys = list(wanted)
    for start in range(0, len(keys), 900):
        chunk = keys[start:start + 900]
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


def _steps(norm: NormalizedName | None, variant: int) -> list[str]:
    if norm is None or variant >= len(norm.variants):
        return []
    return list(norm.variants[variant].steps)


def _reordered_syllables(ev: Evidence, list_norm: NormalizedName | None) -> bool:
    """True when the matched forms are both syllable forms whose shared syllables come in another order."""
    q, name = ev.query_norm, ev.name
    if q is None or list_norm is None or name is None:
        return False
    if name.query_variant >= len(q.variants) or name.candidate_variant >= len(list_norm.variants):
        return False
    qv, lv = q.variants[name.query_variant], list_norm.variants[name.candidate_variant]
    return qv.syllabic and lv.syllabic and syllables_reordered(qv.text, lv.text)


def _both_syllabic(ev: Evidence, list_norm: NormalizedName) -> bool:
    """True when the matched forms are both Chinese syllable forms (compared by their own rules)."""
    q, name = ev.query_norm, ev.name
    if q is None or name is None or name.query_variant >= len(q.variants) \
            or name.candidate_variant >= len(list_norm.variants):
        return False
    return q.variants[name.query_variant].syllabic and list_norm.variants[name.candidate_variant].syllabic


def _named(name: str, entity_type: str) -> set[str]:
    """{country} a body's name places it in, else empty (a person's name says nothing of the kind)."""
    if entity_type == "person" or not name:
        return set()
    country = named_country(name)
    return {country} if country else set()


def _related(a: set[str], b: set[str], w: Weights) -> bool:
    """True when a country of each side falls in one group of related_countries (CN/HK/MO)."""
    return any(a & set(g) and b & set(g) for g in w.related_countries)


def _distinctive(text: str) -> list[str]:
    """The words of a compared form that say which body it is: not generic, glossary or legal."""
    concepts = concept_tokens()
    return [t for t in text.split()
            if len(t) >= 3 and t not in GENERIC_WORDS and not is_weak(t, concepts)]


def _unmatched(mine: list[str], other: str) -> list[str]:
    """Words of `mine` with no counterpart (a spelling within 80) among the other form's words."""
    theirs = other.split()
    return [t for t in mine if not theirs or max(fuzz.ratio(t, u) for u in theirs) < 80]


def _country_decides(ours: set[str], theirs: set[str], said_ours: set[str], said_theirs: set[str],
                     q_text: str, l_text: str, bodies: bool, w: Weights) -> str:
    """Why a country disagreement is decisive, or "" when it is an ordinary one.

    Decisive (country_decides_penalty) for two bodies in unrelated countries when both names
    state different countries ("Agricultural Bank of China" vs "… of Iran"), when the case name
    states one the list entry is not in (vs a North Korean "Agricultural Development Bank"), or
    when the names share no distinctive word ("Industrial Bank": what a body does, not which one
    it is, so where it is decides).
    """
    if not bodies or _related(ours, theirs, w):
        return ""
    if said_ours and said_theirs and not (said_ours & said_theirs) \
            and not _related(said_ours, said_theirs, w):
        return (f"the names themselves state {', '.join(sorted(said_ours))} and "
                f"{', '.join(sorted(said_theirs))}: two bodies")
    # Only the case name's own country counts alone: a listed body's stated country does not rule
    # out our party being its office abroad ("all offices worldwide").
    if said_ours and not (said_ours & said_theirs) and not (said_ours & theirs) \
            and not _related(said_ours, theirs, w):
        return (f"the case name itself states {', '.join(sorted(said_ours))}, the list entry is "
                f"of {', '.join(sorted(theirs))}: a body of another country")
    if not _share_distinctive(q_text, l_text):
        shared = sorted(set(q_text.split()) & set(l_text.split()))
        words = ", ".join(repr(t) for t in shared) or "none"
        return f"the names share only generic words ({words}): the country decides"
    return ""


def _share_distinctive(q_text: str, l_text: str) -> bool:
    """True when two forms share a distinctive word (or the same ones split otherwise)."""
    q_words, l_words = _distinctive(q_text), _distinctive(l_text)
    if not q_words or not l_words:
        return False
    if len(_unmatched(q_words, l_text)) < len(q_words):
        return True
    return fuzz.ratio("".join(q_words), "".join(l_words)) >= 80  # huawei / hua wei


def _extra_words(q_text: str, l_text: str, w: Weights) -> dict[str, Any] | None:
    """A 'words' feature when one name has two or more distinctive words the other lacks.

    compare_variants caps a substitution (each side a word the other lacks); words only added
    on one side cost little in the spelling score, which is fair for one ("Huawei" / "Huawei
    Shenzhen") but not for two ("Sun Hung Kai Properties" is not "Sun Properties").
    """
    if fuzz.ratio(q_text.replace(" ", ""), l_text.replace(" ", "")) >= 90:
        return None  # the same letters split otherwise
    for words, side in ((_unmatched(_distinctive(q_text), l_text), "case"),
                        (_unmatched(_distinctive(l_text), q_text), "list")):
        if len(words) >= 2:
            return {"feature": "words", "adjust": -w.extra_words_penalty,
                    "detail": f"{', '.join(repr(t) for t in words)} only in the {side} name: "
                              "two or more distinctive words more make another body"}
    return None


def _explain(subject: Subject, entry: dict[str, Any], ev: Evidence, list_norm: NormalizedName | None,
             list_name_text: str, w: Weights) -> tuple[float, dict[str, Any]]:
    """Final score and explanation of one (record, entry) pair."""
    features: list[dict[str, Any]] = []
    steps: list[str] = []
    score = 0.0
    q_text = l_text = ""
    if ev.name is not None:
        score = ev.name.score
        q_steps = _steps(ev.query_norm, ev.name.query_variant)
        l_steps = _steps(list_norm, ev.name.candidate_variant)
        q_text = ev.query_norm.variants[ev.name.query_variant].text if ev.query_norm else ""
        l_text = list_norm.variants[ev.name.candidate_variant].text if list_norm and \
            ev.name.candidate_variant < len(list_norm.variants) else ""
        features.append({"feature": "name", "score": ev.name.score, "rule": ev.name.method,
                         "case_name": ev.query_name, "list_name": list_name_text,
                         "case_form": q_text, "list_form": l_text})
        steps += [f"case name: {s}" for s in q_steps] + [f"list name: {s}" for s in l_steps]
    for ident in ev.identifiers:
        value = w.wallet_match_score if ident["feature"] == "wallet" else w.identifier_match_score
        features.append({**ident, "score": value})
        score = max(score, value)
    # A side naming no country may still name a place in its brackets ("… (Shenzhen)": CN), or,
    # for a body rather than a person, in the name itself ("Agricultural Bank of China": CN).
    ours = set(subject.countries) or place_countries(ev.query_norm) \
        or _named(ev.query_name, subject.entity_type)
    theirs = set(entry.get("countries") or []) or place_countries(list_norm) \
        or _named(list_name_text or entry.get("name") or "", entry.get("entity_type") or "")
    etype, stype = entry.get("entity_type") or "", subject.entity_type
    bodies = "person" not in (etype, stype)
    if ours and theirs and ev.name is not None and not ev.identifiers:
        if ours & theirs:
            features.append({"feature": "country", "adjust": w.country_match_bonus,
                             "detail": f"both in {', '.join(sorted(ours & theirs))}"})
            score += w.country_match_bonus
        else:
            detail = f"case {', '.join(sorted(ours))} vs list {', '.join(sorted(theirs))}"
            why = _country_decides(ours, theirs, _named(ev.query_name, stype),
                                   _named(list_name_text or entry.get("name") or "", etype),
                                   q_text, l_text, bodies, w)
            penalty = w.country_decides_penalty if why else w.country_mismatch_penalty
            features.append({"feature": "country", "adjust": -penalty,
                             "detail": f"{detail}; {why}" if why else detail})
            score -= penalty
    place = place_feature(ev.query_norm, list_norm, entry_addresses(entry.get("data")),
                          w.place_match_bonus) if ev.name is not None and not ev.identifiers else None
    if place is not None:
        features.append(place)
        score += place["adjust"]
    if ev.name is not None and not ev.identifiers and bodies and ev.query_norm is not None \
            and list_norm is not None and not _both_syllabic(ev, list_norm):
        extra = _extra_words(q_text, l_text, w)
        if extra is not None:
            features.append(extra)
            score += extra["adjust"]
    if ev.name is not None and not ev.identifiers and bodies \
            and _reordered_syllables(ev, list_norm):
        features.append({"feature": "order", "adjust": -w.syllable_order_penalty,
                         "detail": "the same Chinese syllables in another order: another company's name"})
        score -= w.syllable_order_penalty
    if etype in ("person", "organization") and stype in ("person", "organization") \
            and etype != stype and not ev.identifiers:
        features.append({"feature": "type", "adjust": -w.type_mismatch_penalty,
                         "detail": f"case {stype} vs list {etype}"})
        score -= w.type_mismatch_penalty
    score = _clamp(score)
    return score, {"summary": _summary(score, features, steps), "features": features, "steps": steps}


def _summary(score: float, features: list[dict[str, Any]], steps: list[str]) -> str:
    parts = []
    for f in features:
        if f["feature"] == "name":
            parts.append(f"name {f['score']:g}: {f['case_name']!r} ~ {f['list_name']!r} ({f['rule']}; "
                         f"compared as {f['case_form']!r} / {f['list_form']!r})")
        elif f["feature"] in ("identifier", "wallet"):
            parts.append(f"{f['feature']} {f['case_scheme']} {f['case_value']} equals list "
                         f"{f['list_scheme']} {f['list_value']}")
        else:
            parts.append(f"{f['feature']} {f['adjust']:+g} ({f['detail']})")
    text = f"score {score:g}: " + "; ".join(parts)
    if steps:
        text += ". Normalisation: " + "; ".join(steps)
    return text


def _entries(session: Session, entry_ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(entry_ids), 900):
        chunk = entry_ids[start:start + 900]
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


def _list_names(session: Session, name_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(name_ids), 900):
        out.update(session.execute(select(WatchlistName.id, WatchlistName.name)
                                   .where(WatchlistName.id.in_(name_ids[start:start + 900]))).all())
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
        entries.update(_entries(session, sorted(new_entries - entries.keys())))
        list_names.update(_list_names(session, sorted(new_names - list_names.keys() - {None})))
        yield Progress(done, total, f"screened {done:,} of {total:,} records")
    for (record_id, entry_id), idents in _match_identifiers(session, subjects, w).items():
        ev = evidence.setdefault((record_id, entry_id), Evidence(record_id, entry_id))
        ev.identifiers = idents
    entries.update(_entries(session, sorted({e for _r, e in evidence} - entries.keys())))
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
            score, explanation = _explain(by_id[record_id], entry, ev, list_norm, list_text, w)
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
