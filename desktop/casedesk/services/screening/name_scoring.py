"""Scoring two normalised names, with the reason: which variants met and by which rule.

Weights and thresholds come from resources/screening/weights.yaml (see the comments there).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from rapidfuzz import fuzz

from casedesk.paths import resources_dir
from casedesk.services.screening.normalize import (
    NormalizedName,
    concept_tokens,
    exact_keys,
    han_distinctive,
)

# Russian/Ukrainian patronymics are often left out ("Aleksandr Zakharov" for "Aleksandr
# Vyacheslavovich Zakharov"): like generic words, they do not make names differ.
_PATRONYMIC_RE = re.compile(r"^[a-z]{3,}(?:ovich|evich|ievich|yevich|ovna|evna|ievna|yevna|ichna)$")


def is_weak(token: str, concepts: frozenset[str]) -> bool:
    """A token that carries little identity: a glossary concept or a patronymic."""
    return token in concepts or bool(_PATRONYMIC_RE.match(token))


@dataclass(frozen=True)
class Weights:
    """The matcher's numbers (weights.yaml)."""

    threshold: float
    w_strong: float
    weak_only_cap: float
    concept_extra_score: float
    strong_subset_score: float
    strong_subset_max_extra: int
    strong_subset_min_tokens: int
    token_penalty: float
    identifier_match_score: float
    wallet_match_score: float
    identifier_any_scheme_min_chars: int
    country_match_bonus: float
    country_mismatch_penalty: float
    country_decides_penalty: float
    related_countries: list[list[str]]
    place_match_bonus: float
    type_mismatch_penalty: float
    syllable_order_penalty: float
    number_mismatch_cap: float
    extra_words_penalty: float
    candidate_budget: int
    prescore_pool: int
    max_scored: int
    prefilter_margin: float
    duplicate_threshold: float


@lru_cache(maxsize=1)
def default_weights() -> Weights:
    """The weights shipped in resources/screening/weights.yaml."""
    with (resources_dir() / "screening" / "weights.yaml").open(encoding="utf-8") as fh:
        raw: dict[str, Any] = yaml.safe_load(fh)
    fields = Weights.__dataclass_fields__
    missing = [k for k in fields if k not in raw]
    if missing:
        from casedesk.domain.errors import VocabularyError

        raise VocabularyError("screening/weights.yaml", "weights", missing[0], "missing")
    return Weights(**{k: raw[k] for k in fields})


@dataclass(frozen=True)
class NameMatch:
    """The best-scoring pair of variants of two names."""

    score: float
    method: str
    query_variant: int
    candidate_variant: int


def _dice(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 100.0
    set_a, set_b = set(a), set(b)
    if len(set_a) == len(a) and len(set_b) == len(b):  # no repeated token: sets suffice (most names)
        shared = len(set_a & set_b)
    else:
        shared = sum((Counter(a) & Counter(b)).values())
    return 200.0 * shared / (len(a) + len(b))


def _ratios(a: list[str], b: list[str]) -> list[list[float]]:
    """Character ratio of every token of a against every token of b (rows: a)."""
    ratio = fuzz.ratio
    return [[ratio(t, u) for u in b] for t in a]


def _one_way(x: list[str], best: list[float], w: Weights) -> float:
    total = weight = 0.0
    for t, b in zip(x, best):
        adjusted = 100.0 - w.token_penalty * (100.0 - b)
        total += max(0.0, adjusted) * len(t)
        weight += len(t)
    return total / weight


def _aligned(a: list[str], b: list[str], w: Weights, rows: list[list[float]] | None = None) -> float:
    """Token-aligned similarity (a soft Monge-Elkan, both directions, weighted by length).

    Each token is scored against its best counterpart; a near-miss token costs more than its
    character ratio says (token_penalty), because one different surname in a person's name
    (Ivanov / Ivanenko) makes another person even when the first name is the same. rows: the
    token ratios of a against b when the caller has them (_ratios), else computed here.
    """
    if not a or not b:
        return 0.0
    if rows is None:
        rows = _ratios(a, b)
    return (_one_way(a, [max(r) for r in rows], w) + _one_way(b, [max(c) for c in zip(*rows)], w)) / 2


def _spelling(a: list[str], b: list[str], w: Weights, rows: list[list[float]] | None = None) -> float:
    """Similarity of two token lists: aligned, or written together when they split differently."""
    score = _aligned(a, b, w, rows)
    if len(a) != len(b):
        score = max(score, fuzz.ratio("".join(sorted(a)), "".join(sorted(b))),
                    fuzz.ratio("".join(a), "".join(b)))
    return score


# Words nearly every company name has: they say almost nothing about which company it is.
GENERIC_WORDS = frozenset(
    ["china", "chinese", "national", "international", "intl", "group", "holdings", "holding", "technology", "technologies", "tech", "trading", "trade", "company", "co", "corporation", "corp", "limited", "ltd", "inc", "llc", "industrial", "industry", "industries", "development", "investment", "global", "asia", "pacific", "hong", "kong", "hongkong", "shenzhen", "shanghai", "beijing", "guangzhou", "tianjin", "macau", "macao", "singapore", "enterprise", "enterprises", "services", "service", "import", "export", "imp", "exp", "general", "new", "the", "of", "and"])


def token_weight(token: str, concepts: frozenset[str], idf: Any = None) -> float:
    """How much a token says about identity, 0..1: legal forms and generic words little.

    idf (optional) maps a token to its inverse document frequency over the loaded lists (0..1);
    glossary concepts ("bank", "shipping") keep most of their weight: they tell a bank from a
    shipping line even though neither is a proper name.
    """
    if token in GENERIC_WORDS or _PATRONYMIC_RE.match(token):
        return 0.1
    base = 0.8 if token in concepts else 1.0
    if idf is not None:
        base *= max(0.25, min(1.0, idf(token)))
    return round(base, 2)


def _one_sided(ta: list[str], tb: list[str], concepts: frozenset[str], idf: Any) -> tuple[float, list[str]]:
    """Share of token weight with a counterpart on the other side, and notes on the rest."""
    notes: list[str] = []
    matched = total = 0.0
    for mine, other, side in ((ta, tb, "case"), (tb, ta, "list")):
        for t in mine:
            wt = token_weight(t, concepts, idf)
            total += wt
            if other and max(fuzz.ratio(t, u) for u in other) >= 80:
                matched += wt
            elif wt >= 0.5:
                notes.append(f"'{t}' only in the {side} name, weight {wt:.1f}")
    return (100.0 * matched / total if total else 100.0), notes


def compare_variants(a: str, a_syl: bool, b: str, b_syl: bool, w: Weights,
                     idf: Any = None, floor: float = 0.0) -> tuple[float, str]:
    """Score two variant texts (fuzzy); returns (score, rule).

    When each name has a distinctive word the other lacks, the score is capped at the share of
    token weight that did meet ("China Construction Bank" is not "China Communications
    Construction"). A score below `floor` is returned uncapped: the cap only lowers it, and the
    caller discards it anyway (this skips the costliest step for most candidates).
    """
    score, how = _compare_variants(a, a_syl, b, b_syl, w, floor)
    if score < floor:
        return score, how
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    if numbers_a and numbers_b and numbers_a != numbers_b and score > w.number_mismatch_cap:
        # "13th Research Institute" and "14th Research Institute", "No. 1 Factory" and "No. 2
        # Factory" are other bodies however alike the rest: the numbers are their identity.
        return w.number_mismatch_cap, (f"{how}; numbers differ: {' '.join(numbers_a)} / "
                                       f"{' '.join(numbers_b)}")
    if score >= 100.0 or (a_syl and b_syl):
        return score, how
    ta, tb = a.split(), b.split()
    if fuzz.ratio("".join(ta), "".join(tb)) >= 90:
        return score, how  # the same letters split otherwise (abdelaziz / abdul aziz)
    share, notes = _one_sided(ta, tb, concept_tokens(), idf)
    # Only a substitution costs: each name has a distinctive word the other lacks ("bank" vs
    # "communications"). A word more on one side (a middle name, "science and technology") is
    # left to the rules for extra words.
    sides = {n.rsplit(" name,", 1)[0].rsplit(" ", 1)[-1] for n in notes}
    if len(sides) == 2 and share < score:
        return round(share, 1), f"{how}; " + "; ".join(notes)
    return score, how


@lru_cache(maxsize=1 << 16)
def _numbers(text: str) -> tuple[str, ...]:
    """The numbers among a variant's tokens, sorted (ordinals are numbers by then: 13th → 13)."""
    return tuple(sorted(t for t in text.split() if t.isdigit()))


@lru_cache(maxsize=1 << 16)
def _parts(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], str]:
    """A variant's tokens, its distinctive tokens and their positions, and its compact form.

    Cached: a query's variants meet every candidate, and a list's names meet many queries.
    """
    concepts = concept_tokens()
    tokens = tuple(text.split())
    where = tuple(i for i, t in enumerate(tokens) if not is_weak(t, concepts))
    return tokens, tuple(tokens[i] for i in where), where, "".join(tokens)


def _one_name_in_the_other(set_a: set[str], set_b: set[str], w: Weights) -> bool:
    """The strong-subset rule's condition: the shorter name's distinctive words (enough of them) all in the other, few more."""
    small, big = (set_a, set_b) if len(set_a) <= len(set_b) else (set_b, set_a)
    return len(small) >= w.strong_subset_min_tokens and small < big \
        and len(big - small) <= w.strong_subset_max_extra


def _may_be_lifted(sa: tuple[str, ...], sb: tuple[str, ...], w: Weights) -> bool:
    """Whether a rule may raise the score of two names with these distinctive words (sets)."""
    set_a, set_b = set(sa), set(sb)
    return set_a == set_b or _one_name_in_the_other(set_a, set_b, w)


def _compare_variants(a: str, a_syl: bool, b: str, b_syl: bool, w: Weights,
                      floor: float = 0.0) -> tuple[float, str]:
    """Score two variant texts before the one-sided-word cap; below `floor`, only a bound."""
    if a == b or exact_keys(a)[1] == exact_keys(b)[1]:
        return 100.0, "identical after normalisation"
    ta, sa, ia, ca = _parts(a)
    tb, sb, ib, cb = _parts(b)
    if ca == cb:
        return 100.0, "identical when written together"
    if a_syl and b_syl:
        s_strong = _dice(sa, sb)
        s_all = _dice(ta, tb)
        how = "same Chinese syllables"
    else:
        how = "similar spelling"
        if floor > 0 and (sa or sb):
            # Most candidates fail on their distinctive words: bound the score by them alone
            # (all words at best identical) before the costlier table of every token.
            if not sa or not sb:
                if w.weak_only_cap < floor:
                    return w.weak_only_cap, "shares only generic words"
            elif not _may_be_lifted(sa, sb, w):
                bound = w.w_strong * _spelling(sa, sb, w) + (1 - w.w_strong) * 100.0
                if bound < floor:
                    return round(bound, 1), how
        # One table of token ratios serves both: the distinctive tokens' is a part of it.
        rows = _ratios(ta, tb) if ta and tb else None
        s_all = _spelling(ta, tb, w, rows)
        if rows is not None and sa and sb and (len(sa) < len(ta) or len(sb) < len(tb)):
            s_strong = _spelling(sa, sb, w, [[rows[i][j] for j in ib] for i in ia])
        else:
            s_strong = s_all if rows is not None and sa and sb else _spelling(sa, sb, w)
    if not sa and not sb:
        # Names made only of generic words differ by which words they use, not by spelling.
        score, how = _dice(sorted(set(ta)), sorted(set(tb))), "generic words only"
    elif not sa or not sb:
        return min(s_all, w.weak_only_cap), "shares only generic words"
    else:
        score = w.w_strong * s_strong + (1 - w.w_strong) * s_all
    set_a, set_b = set(sa), set(sb)
    if set_a and set_a == set_b and set(ta) != set(tb) and score < w.concept_extra_score:
        score, how = w.concept_extra_score, "same distinctive words, other generic words"
    elif not (a_syl and b_syl) and score < w.strong_subset_score \
            and _one_name_in_the_other(set_a, set_b, w):
        score, how = w.strong_subset_score, "all words of the shorter name, one more in the other"
    return round(score, 1), how


def compare_han(a: str, b: str, w: Weights) -> float:
    """Two all-Han names compared by character: homophones (王伟 / 王卫) are different names."""
    da, db = han_distinctive(a), han_distinctive(b)
    s_all = _dice(list(a), list(b))
    if not da and not db:
        return round(s_all, 1)
    if not da or not db:
        return min(s_all, w.weak_only_cap)
    return round(w.w_strong * _dice(list(da), list(db)) + (1 - w.w_strong) * s_all, 1)


def best_name_match(q: NormalizedName, c_variants: list[tuple[str, bool]], c_exact_only: bool,
                    w: Weights, c_han: str = "", idf: Any = None,
                    floor: float = 0.0) -> NameMatch | None:
    """The best variant pair of a query name and a candidate's stored variants (None: no match).

    idf (optional): token → distinctiveness among the loaded lists' names (0..1). floor: scores
    below it are only known to be below it (the caller drops them), which saves work.
    """
    if q.empty or not c_variants:
        return None
    exact_only = q.exact_only or c_exact_only
    if q.han and c_han:
        if q.han == c_han:
            return NameMatch(100.0, "identical Chinese characters", 0, 0)
        if exact_only:
            return None
        return NameMatch(compare_han(q.han, c_han, w), "Chinese characters compared", 0, 0)
    q_syl = any(v.syllabic for v in q.variants)
    c_syl = any(s for _t, s in c_variants)
    # Two Chinese-looking names are compared syllable by syllable only: one syllable apart is
    # another person (wang wei vs wang fei), however close the spelling.
    both_chinese = q_syl and c_syl
    # Exact meetings first, the most literal one explaining the match.
    ckeys = [exact_keys(ct) for ct, _s in c_variants]
    qkeys = [exact_keys(qv.text) for qv in q.variants]
    for which, rule in ((1, "identical after normalisation"), (0, "identical when written together")):
        for qi, qk in enumerate(qkeys):
            for ci, ck in enumerate(ckeys):
                if qk[which] == ck[which]:
                    return NameMatch(100.0, rule, qi, ci)
    best: NameMatch | None = None
    for qi, qv in enumerate(q.variants):
        for ci, (ct, cs) in enumerate(c_variants):
            if exact_only:
                continue
            if both_chinese and not (qv.syllabic and cs):
                continue
            # A pair scoring below the best so far cannot become the best: cap it no further.
            score, how = compare_variants(qv.text, qv.syllabic, ct, cs, w, idf,
                                          max(floor, best.score if best is not None else 0.0))
            if best is None or score > best.score:
                best = NameMatch(score, how, qi, ci)
    return best


def syllables_reordered(a: str, b: str) -> bool:
    """True when two syllable forms share two or more syllables but in another order ("bai du" / "du bai")."""
    ta, tb = a.split(), b.split()
    common = set(ta) & set(tb)
    if len(common) < 2:
        return False
    return [t for t in ta if t in common] != [t for t in tb if t in common]
