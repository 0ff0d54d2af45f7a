"""Why a case record may be a list entry: the evidence found, and the final score with its explanation.

Features beyond the name (country, place, syllable order, entity type, extra words) adjust the
name score; each adjustment is listed with its size and a detail an analyst can check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from casedesk.services.screening.name_scoring import (
    GENERIC_WORDS,
    NameMatch,
    Weights,
    is_weak,
    syllables_reordered,
)
from casedesk.services.screening.normalize import NormalizedName, concept_tokens
from casedesk.services.screening.normalize.places import named_country
from casedesk.services.screening.place_evidence import (
    entry_addresses,
    place_countries,
    place_feature,
)
from casedesk.services.screening.subjects import Subject


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


def explain_pair(subject: Subject, entry: dict[str, Any], ev: Evidence, list_norm: NormalizedName | None,
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
