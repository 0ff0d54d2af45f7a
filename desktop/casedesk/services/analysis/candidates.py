"""Nearest catalog models for a chip name the catalog does not know, with RapidFuzz scores.

An unknown model leaves a fleet out of every total; the analyst's next step is to decide which
model it is (fix the record) or to add it (`catalog add`). The finding names the nearest
spellings so that decision takes one look.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from rapidfuzz import fuzz, process

from casedesk.domain.vocabulary import AcceleratorCatalog
from casedesk.domain.vocabulary.reading import lookup_key

MIN_SCORE = 60.0  # below this a "candidate" is noise (H100 vs MI300X scores ~30)

_CHOICES: WeakKeyDictionary[AcceleratorCatalog, tuple[list[str], list[str]]] = WeakKeyDictionary()


@dataclass(frozen=True)
class Candidate:
    """A catalog model a name may mean: its code, name and the best score of any of its spellings."""

    code: str
    name: str
    score: float

    def text(self) -> str:
        """'H100 SXM (score 86)'."""
        return f"{self.name} (score {self.score:.0f})"


def _choices(catalog: AcceleratorCatalog) -> tuple[list[str], list[str]]:
    """(folded spellings, model codes) of every name and alias, built once per catalog."""
    got = _CHOICES.get(catalog)
    if got is None:
        keys, codes = [], []
        for spelling, code in catalog.names():
            if key := lookup_key(spelling):
                keys.append(key)
                codes.append(code)
        got = _CHOICES[catalog] = (keys, codes)
    return got


def nearest_models(catalog: AcceleratorCatalog, text: str, limit: int = 3) -> list[Candidate]:
    """Up to `limit` distinct models whose spellings are nearest to `text` (best first, score ≥ 60)."""
    key = lookup_key(text)
    if not key:
        return []
    keys, codes = _choices(catalog)
    # WRatio weighs partial matches ("nvidiagh200480gb" vs "gh200"): vendors pad names with memory
    # sizes and form factors that a plain ratio would punish.
    hits = process.extract(key, keys, scorer=fuzz.WRatio, limit=limit * 8, score_cutoff=MIN_SCORE)
    best: dict[str, float] = {}
    for _, score, i in hits:
        code = codes[i]
        best[code] = max(best.get(code, 0.0), float(score))
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], catalog.models[kv[0]].name))[:limit]
    return [Candidate(code, catalog.models[code].name, score) for code, score in ranked]


def unknown_model_question(catalog: AcceleratorCatalog, text: str) -> str:
    """The sentence an unresolved model name gets: ambiguous with both named, else its nearest models."""
    tied = catalog.ambiguous(text)
    if tied:
        names = " and ".join(m.name for m in tied)
        return (f"accelerator model {text!r} matches {names} equally: undecided, not in the catalog "
                "as one model (name the exact model on the record)")
    near = nearest_models(catalog, text)
    hint = (f"; nearest in the catalog: {', '.join(c.text() for c in near)}" if near
            else "; no catalog model is near")
    return (f"accelerator model {text!r} is not in the catalog: cannot compute TPP or classify{hint} "
            "(fix the record, or add the model with `casedesk catalog add`)")
