"""Pre-scoring the names blocking proposes, and the cheap test that keeps most wrong siblings from the full scorer.

Both work on a NameIndex (index.py) for one query name; see NameIndex.candidates for the order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from casedesk.services.screening.name_scoring import Weights, is_weak
from casedesk.services.screening.normalize import NormalizedName, concept_tokens

# The index is index.NameIndex, typed as Any here: index.py imports this module.
NameIndex = Any


def prescore(index: NameIndex, q: NormalizedName, pool: list[int], cutoff: float,
             best: dict[int, float]) -> None:
    """Pre-score stored variants (positions in pool) against q's variants into best (owner → score).

    token_set_ratio on the texts and ratio on the compact forms, the better of the two; a
    form shared by several stored names (same-named siblings) is scored once. No per-name
    cap: every pre-scored variant above the cutoff goes on to the full scorer, so siblings
    ("… Inc." / "… LLC") cannot crowd out the true entry.
    """
    var_text, owner_of, exact_only = index.var_text, index.var_owner, index.exact_only
    texts = [var_text[vi] for vi in pool]
    unique = list(dict.fromkeys(texts))
    scores = np.maximum(
        process.cdist([v.text for v in q.variants], unique, scorer=fuzz.token_set_ratio,
                      score_cutoff=cutoff, dtype=np.float64).max(axis=0),
        process.cdist([v.compact for v in q.variants], [t.replace(" ", "") for t in unique],
                      scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.float64).max(axis=0))
    passing = {unique[k]: float(scores[k]) for k in np.flatnonzero(scores >= cutoff).tolist()}
    for vi, text in zip(pool, texts):
        score = passing.get(text)
        if score is not None:
            owner = owner_of[vi]
            if score > best.get(owner, -1) and not exact_only[owner]:
                best[owner] = score

def drop_unlikely(index: NameIndex, q: NormalizedName, w: Weights, best: dict[int, float],
                  cutoff: float) -> None:
    """Drop pre-scored names whose distinctive words cannot reach `cutoff` in the full score.

    The full score is w_strong × (similarity of the distinctive words) + (1 − w_strong) ×
    (similarity of all words), so reaching the cutoff needs the distinctive words at least
    (cutoff − 100·(1 − w_strong)) / w_strong similar; token_set_ratio and the compact ratio
    of the distinctive words are near upper bounds of that similarity, and prefilter_margin
    is left on top. Names of confusable lists share their generic words ("International
    Technology Co., Ltd."), which is what kept the pre-score of wrong siblings high: this
    keeps ~1 in 3 of them from the costly scorer and loses none it would have kept
    (benchmarks/bench_screening_blocking.py, recall against exhaustive).
    """
    need = (cutoff - 100.0 * (1 - w.w_strong)) / w.w_strong - w.prefilter_margin
    if need <= 0:
        return
    q_strong = [(*_strong_form(" ".join(v.tokens)), v.syllabic) for v in q.variants]
    first, n_var = index.first_variant, len(index.var_text)
    spans = {}
    for owner, pre in best.items():
        if pre < 100.0:
            spans[owner] = (first[owner], first[owner + 1] if owner + 1 < len(first) else n_var)
    if not spans:
        return
    # Every variant of those names judged at once; siblings share forms, each judged once.
    var_text, var_syl = index.var_text, index.var_syllabic
    forms = list(dict.fromkeys((var_text[vi], bool(var_syl[vi]))
                               for lo, hi in spans.values() for vi in range(lo, hi)))
    reach = _reachable(q_strong, forms, need, w, cutoff)
    for owner, (lo, hi) in spans.items():
        if not any(reach[(var_text[vi], bool(var_syl[vi]))] for vi in range(lo, hi)):
            del best[owner]


def _reachable(q_strong: list[tuple[str, str, bool]], forms: list[tuple[str, bool]], need: float,
               w: Weights, cutoff: float) -> dict[tuple[str, bool], bool]:
    """For each stored (text, syllabic) form: whether its distinctive words leave the cutoff in reach.

    Per query variant: two syllable forms always may (they are compared syllable by syllable,
    not bounded by character ratios); a side without distinctive words only when both lack them
    or the generic-words cap reaches the cutoff; else token_set_ratio or the compact ratio of
    the distinctive words must reach `need`.
    """
    strong = [_strong_form(text) for text, _syl in forms]
    syl = np.array([s for _t, s in forms], dtype=bool)
    empty = np.array([not cs for cs, _cc in strong], dtype=bool)
    full = np.flatnonzero(~empty)
    ok = np.zeros(len(forms), dtype=bool)
    cap_reaches = w.weak_only_cap >= cutoff
    rows = [(qs, qc) for qs, qc, _qsyl in q_strong if qs]
    for qs, _qc, q_syl in q_strong:
        if q_syl:
            ok |= syl
        if not qs:
            ok |= empty if not cap_reaches else True
        elif cap_reaches:
            ok |= empty
    if rows and len(full):
        spaced = [strong[k][0] for k in full.tolist()]
        compact = [strong[k][1] for k in full.tolist()]
        best = np.maximum(
            process.cdist([qs for qs, _qc in rows], spaced, scorer=fuzz.token_set_ratio,
                          dtype=np.float64).max(axis=0),
            process.cdist([qc for _qs, qc in rows], compact, scorer=fuzz.ratio,
                          dtype=np.float64).max(axis=0))
        ok[full] |= best >= need
    return dict(zip(forms, ok.tolist()))


@lru_cache(maxsize=1 << 17)
def _strong_form(text: str) -> tuple[str, str]:
    """A variant's distinctive words (glossary concepts and patronymics left out), spaced and compact."""
    weak = concept_tokens()
    strong = [t for t in text.split() if not is_weak(t, weak)]
    return " ".join(strong), "".join(strong)
