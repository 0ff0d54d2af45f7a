"""Latin-script tokens: transliteration (anyascii), typos in common words, legal forms, glossary words and spellings."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from casedesk.services.screening.normalize.folding import LATIN_TOKEN_RE, strip_accents
from casedesk.services.screening.normalize.han import segment_pinyin
from casedesk.services.screening.normalize.tables import (
    anywhere_index,
    legal_words,
    load_tables,
    phrase_table,
)
from casedesk.services.screening.normalize.variants import Work

_JOINERS = str.maketrans("", "", "'`´’.")


@lru_cache(maxsize=65536)
def _transliterate(segment: str) -> str:
    from anyascii import anyascii

    return anyascii(segment)


def _script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ")[0].title() if name else "Other"


def latin_part(text: str, tokens: list[str], scripts: set[str]) -> None:
    if not text or text.isspace():
        return
    if not text.isascii():
        chars = []
        for ch in strip_accents(text):
            if ch.isascii():
                chars.append(ch)
            elif ch.isalpha() or unicodedata.category(ch).startswith("N"):
                scripts.add(_script_of(ch))
                # anyascii writes CamelCase for syllabic scripts: keep its word breaks
                chars.append(" " + _transliterate(ch) + " " if _script_of(ch) in ("Hangul",)
                             else _transliterate(ch))
            else:
                chars.append(" ")
        text = "".join(chars).casefold()
    # Apostrophes and dots join ("O'Brien", "U.S.A."); other punctuation separates.
    text = text.translate(_JOINERS)
    tokens.extend(LATIN_TOKEN_RE.findall(text))

# Typed names carry typos in their generic words too ("Electroniics", "Llimited"); a long
# unknown token one edit away from a glossary or legal-form word is read as that word.
_TYPO_MIN_LEN = 7


@lru_cache(maxsize=1)
def _known_words() -> dict[int, list[str]]:
    """Single-word glossary, spelling and legal-form words within one letter of each length."""
    words = {k for k in phrase_table() if k.isalpha()} | {w for w in legal_words() if w.isalpha()}
    words = {w for w in words if len(w) >= _TYPO_MIN_LEN - 1}
    return {n: sorted(w for w in words if abs(len(w) - n) <= 1) for n in range(_TYPO_MIN_LEN, 64)}


@lru_cache(maxsize=262144)
def _typo_of(token: str) -> str | None:
    """The known word a long unknown token is one edit away from, or None."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    found = process.extractOne(token, _known_words().get(len(token), ()),
                               scorer=Levenshtein.distance, score_cutoff=1)
    return found[0] if found else None


def correct_typos(work: Work) -> None:
    known, legal, syllables = phrase_table(), legal_words(), load_tables().syllables
    fixed = []
    for i, tok in enumerate(work.tokens):
        if len(tok) < _TYPO_MIN_LEN or i in work.concept_positions or tok in known \
                or tok in legal or tok in syllables or not tok.isalpha():
            continue
        if segment_pinyin(tok) is not None:
            # Pinyin written together is a name, not a misspelt word: "zhenghua" (正华) is one
            # edit from the glossary's "zhonghua" (中华 → china) and must not be read as it.
            continue
        word = _typo_of(tok)
        if word is not None:
            work.tokens[i] = word
            fixed.append(f"{tok}→{word}")
    if fixed:
        work.steps.append("typo read as a common word: " + ", ".join(fixed))


def strip_latin_legal(work: Work) -> None:
    tab = load_tables()
    toks = work.tokens
    if not any(t in legal_words() for t in toks):
        return
    keep = [True] * len(toks)
    removed: list[str] = []
    concepts = work.concept_positions
    latin_pos = [i for i in range(len(toks)) if i not in concepts]
    anywhere = anywhere_index()
    for i in latin_pos:
        for form in anywhere.get(toks[i], ()):
            n = len(form)
            if i + n <= len(toks) and tuple(toks[i:i + n]) == form and all(
                    keep[i + k] and (i + k) not in concepts for k in range(n)):
                for k in range(n):
                    keep[i + k] = False
                removed.append(" ".join(form))
                break
    # suffix / prefix, repeatedly, over what is left
    alive = [i for i in latin_pos if keep[i]]
    changed = True
    while changed and alive:
        changed = False
        for n in (3, 2, 1):
            if len(alive) >= n and tuple(toks[i] for i in alive[-n:]) in tab.latin_suffix \
                    and alive[-n:] == list(range(alive[-n], alive[-n] + n)):
                for i in alive[-n:]:
                    keep[i] = False
                removed.append(" ".join(toks[i] for i in alive[-n:]))
                alive = alive[:-n]
                changed = True
                break
            if len(alive) >= n and tuple(toks[i] for i in alive[:n]) in tab.latin_prefix:
                for i in alive[:n]:
                    keep[i] = False
                removed.append(" ".join(toks[i] for i in alive[:n]))
                alive = alive[n:]
                changed = True
                break
    for i in latin_pos:
        if keep[i] and toks[i] in tab.stopwords:
            keep[i] = False
    if removed:
        work.steps.append("legal form removed: " + ", ".join(removed))
    if not all(keep):
        _compact(work, keep)


def _compact(work: Work, keep: list[bool]) -> None:
    new_tokens, new_concepts = [], set()
    for i, tok in enumerate(work.tokens):
        if keep[i]:
            if i in work.concept_positions:
                new_concepts.add(len(new_tokens))
            new_tokens.append(tok)
    work.tokens, work.concept_positions = new_tokens, new_concepts


def replace_phrases(work: Work) -> None:
    """Replace runs of 1–4 Latin tokens whose joined form is a glossary word or a spelling."""
    table = phrase_table()
    toks = work.tokens
    had = work.concept_positions
    out: list[str] = []
    concepts: set[int] = set()
    glossary_hits: list[str] = []
    spelling_hits: list[str] = []
    i = 0
    n_toks = len(toks)
    while i < n_toks:
        if i in had:
            concepts.add(len(out))
            out.append(toks[i])
            i += 1
            continue
        spans = []
        joined = ""
        for k in range(i, min(n_toks, i + 4)):
            if k in had:
                break
            joined += toks[k]
            spans.append(joined)
        for n in range(len(spans), 0, -1):
            hit = table.get(spans[n - 1])
            if hit is not None:
                target, is_concept = hit
                if is_concept:
                    concepts.add(len(out))
                if spans[n - 1] != target or n > 1:
                    (glossary_hits if is_concept else spelling_hits).append(
                        f"{' '.join(toks[i:i + n])}→{target}")
                out.append(target)
                i += n
                break
        else:
            out.append(toks[i])
            i += 1
    work.tokens, work.concept_positions = out, concepts
    if glossary_hits:
        work.steps.append("glossary: " + ", ".join(dict.fromkeys(glossary_hits)))
    if spelling_hits:
        work.steps.append("spelling variant: " + ", ".join(dict.fromkeys(spelling_hits)))
