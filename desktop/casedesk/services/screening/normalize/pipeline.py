"""The normaliser's entry points: run the steps on a name, record the trace, and answer per-name questions."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from casedesk.services.screening.normalize.folding import (
    MAX_NAME_CHARS,
    fold_text,
    simplified_table,
)
from casedesk.services.screening.normalize.han import (
    HAN_RE,
    cn_ordinals,
    han_pinyin,
    is_chinese_like,
    romanization_variants,
    split_han,
    split_syllables,
    strip_cjk_legal,
)
from casedesk.services.screening.normalize.latin import (
    correct_typos,
    latin_part,
    replace_phrases,
    strip_latin_legal,
)
from casedesk.services.screening.normalize.places import set_aside_places
from casedesk.services.screening.normalize.stored_forms import serialize_variants
from casedesk.services.screening.normalize.tables import load_tables
from casedesk.services.screening.normalize.variants import (
    MAX_VARIANTS,
    NormalizedName,
    Variant,
    Work,
    variant_of,
)

# Names with fewer significant characters (or made of initials) are matched exactly only.
MIN_FUZZY_CHARS = 4
_DIGIT_RE = re.compile(r"\d")
_NOT_ALNUM_RE = re.compile(r"[\W_]+")

# "(CETC 13)", "(AASPT)": an acronym in brackets is another name, not part of this one.
_BRACKET_ACRONYM_RE = re.compile(r"\s*[(（]\s*[A-Z][A-Z0-9&.\- ]{1,14}[)）]")
_ORDINAL_RE = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def _tokenise(folded: str, steps: list[str]) -> Work:
    """Split folded text into tokens: Han via glossary+pinyin, other scripts transliterated."""
    tokens: list[str] = []
    concepts: set[int] = set()
    pos = 0
    han_runs = []
    other_scripts: set[str] = set()
    for m in HAN_RE.finditer(folded):
        latin_part(folded[pos:m.start()], tokens, other_scripts)
        split = split_han(m.group(), steps)
        han_runs.append((m.group(), " ".join(t for t, _c in split)))
        for tok, is_concept in split:
            if is_concept:
                concepts.add(len(tokens))
            tokens.append(tok)
        pos = m.end()
    latin_part(folded[pos:], tokens, other_scripts)
    if han_runs:
        steps.append("Han→pinyin: " + ", ".join(f"{r}→{p}" for r, p in han_runs[:4]))
    if other_scripts:
        steps.append("transliterated " + "/".join(sorted(other_scripts)) + "→Latin")
    return Work(tokens, concepts, steps)


def _significant_chars(folded: str) -> int:
    return len(_NOT_ALNUM_RE.sub("", folded))


def normalize_name(name: str) -> NormalizedName:
    """Normalise a name into comparable variants; never raises, whatever the input."""
    notes: list[str] = []
    if not isinstance(name, str):
        name = "" if name is None else str(name)
    if len(name) > MAX_NAME_CHARS:
        notes.append(f"name cut to its first {MAX_NAME_CHARS} characters (was {len(name)})")
        name = name[:MAX_NAME_CHARS]
    steps: list[str] = []
    original = name
    name, places = set_aside_places(name, steps)
    stripped = _BRACKET_ACRONYM_RE.sub(" ", name) if ("(" in name or "（" in name) else name
    if stripped != name and stripped.strip():
        steps.append("acronym in brackets set aside: " + ", ".join(
            m.strip() for m in _BRACKET_ACRONYM_RE.findall(name)))
        name = stripped
    if name.isascii():  # most list names: no width forms, no Han, nothing to fold but case
        folded = fold_text(name)
        text, han = folded, ""
    else:
        raw = unicodedata.normalize("NFKC", name)
        folded = fold_text(name)
        if folded != raw.casefold() and raw.casefold().translate(simplified_table()) != raw.casefold():
            steps.append("traditional→simplified")
        if raw != name:
            steps.append("width/compatibility forms folded (NFKC)")
        text = strip_cjk_legal(folded, steps) if HAN_RE.search(folded) else folded
        if "第" in text:
            text = cn_ordinals(text, steps)
        bare = _NOT_ALNUM_RE.sub("", text)
        han = bare if bare and HAN_RE.fullmatch(bare) else ""
    significant = _significant_chars(folded)
    work = _tokenise(text, steps)
    correct_typos(work)
    if _DIGIT_RE.search(text):
        work.tokens = [_ORDINAL_RE.sub(r"\1", t) for t in work.tokens]
    strip_latin_legal(work)
    replace_phrases(work)
    if not work.tokens:
        return NormalizedName(original, (), True, tuple(notes + ["nothing identifying left"]))
    tokens = work.tokens
    initials = all(len(t) == 1 for t in tokens)
    exact_only = significant < MIN_FUZZY_CHARS or initials
    variants: list[Variant] = [variant_of(work, is_chinese_like(work))]
    seg = split_syllables(work)
    base_for_roman = work
    if seg is not None:
        # Glossary words can only be seen once written-together pinyin is split ("hegongye" →
        # "he gong ye" → "he industrial"): so gongye meets 工业 and "industrial".
        strip_latin_legal(seg)
        replace_phrases(seg)
        variants.append(variant_of(seg, True))
        base_for_roman = seg
    has_han = not folded.isascii() and HAN_RE.search(folded) is not None
    if not has_han and is_chinese_like(base_for_roman) and len(base_for_roman.tokens) <= 6:
        for w in romanization_variants(base_for_roman):
            if len(variants) >= MAX_VARIANTS:
                break
            variants.append(variant_of(w, True))
    if han and 2 <= len(han) <= 4:
        surnames = load_tables().han_surnames
        for sur in (han[:2], han[:1]):
            reading = surnames.get(sur)
            if reading and len(han) > len(sur):
                rest = variants[0].tokens[len(han_pinyin(sur)):]
                variants.append(Variant(" ".join([reading] + rest),
                                        variants[0].steps + (f"surname {sur} read {reading}",), True))
                break
    seen: set[str] = set()
    unique = []
    for v in variants:
        if v.text not in seen:
            seen.add(v.text)
            unique.append(v)
    return NormalizedName(original, tuple(unique), exact_only, tuple(notes), han, places)


# One name per path of the pipeline: Han (traditional), pinyin, Latin with a place and a typo, Cyrillic.
_WARM_UP_NAMES = ("中國核工業集團有限公司", "Zhongguo Hegongye Jituan Youxian Gongsi",
                  "Al-Rashid Internatonal Trading LLC (Shenzhen)", "Иван Петрович Сидоров")


@lru_cache(maxsize=1)
def warm_up() -> None:
    """Load every table the normaliser reads, once per process: forked workers then share them instead of each reading its own."""
    from casedesk.services.screening.normalize.places import named_country

    for name in _WARM_UP_NAMES:
        normalize_name(name)
        named_country(name)


def normalize_many(names: list[str]) -> list[tuple[str, bool]]:
    """(stored form, exact-only) of each name: the unit of work of an import's worker processes."""
    out = []
    for name in names:
        n = normalize_name(name)
        out.append((serialize_variants(n), n.exact_only))
    return out


def name_key(name: str) -> str:
    """One canonical string per name (sorted canonical tokens); '' when nothing identifies it.

    The seam for exact duplicate detection at import: two names with equal keys are the same
    name up to script, width, case, punctuation, legal form, glossary words and token order.
    """
    return normalize_name(name).key


def name_tokens(name: str) -> list[str]:
    """The canonical variant's tokens ([] when nothing identifying is left)."""
    n = normalize_name(name)
    return n.variants[0].tokens if n.variants else []


def is_fuzzy_eligible(name: str) -> bool:
    """False for names that must only ever match exactly (short, initials, empty)."""
    n = normalize_name(name)
    return not n.empty and not n.exact_only
