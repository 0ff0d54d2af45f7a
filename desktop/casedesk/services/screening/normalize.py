"""Script-aware name normalisation: pure functions turning a name into comparable token strings.

A name becomes one or more *variants*: strings of space-separated tokens in which Chinese,
pinyin, Cantonese and English spellings of the same name meet. Every variant remembers the
normalisation steps that produced it, so a match can say why two names met.

Pipeline (each step recorded when it changes something):
NFKC (width folding) → control characters dropped → case folding → traditional→simplified →
CJK legal forms removed → Han runs split on glossary words (→ concept tokens) and the rest turned
into pinyin syllables → other scripts transliterated to Latin → accents and punctuation removed →
Latin legal forms and stopwords removed → glossary words (English and pinyin) → concept tokens →
transliteration spellings folded (Mohammed → muhammad) → pinyin written together split into
syllables (Huawei → hua wei) → Cantonese / Wade-Giles syllables read as pinyin (Wong → huang|wang).

Public functions: normalize_name (full result), name_key (one canonical string for exact
dedupe), name_tokens, is_fuzzy_eligible, variant_keys (blocking keys), fold_text.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from casedesk.paths import resources_dir

# Names longer than this are cut before processing: no real name is this long, and a megabyte
# paste must neither stall screening nor match everything.
MAX_NAME_CHARS = 400
# Names with fewer significant characters (or made of initials) are matched exactly only.
MIN_FUZZY_CHARS = 4
MAX_VARIANTS = 8

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")
_LATIN_TOKEN_RE = re.compile(r"[a-z0-9]+")
_ASCII_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_PINYIN_CHARS_RE = re.compile(r"[a-z]+")
_JOINERS = str.maketrans("", "", "'`´’.")
_C1_RE = re.compile(r"[\x80-\x9f]")
_DIGIT_RE = re.compile(r"\d")
_NOT_ALNUM_RE = re.compile(r"[\W_]+")
# "(CETC 13)", "(AASPT)": an acronym in brackets is another name, not part of this one.
_BRACKET_ACRONYM_RE = re.compile(r"\s*[(（]\s*[A-Z][A-Z0-9&.\- ]{1,14}[)）]")
_ORDINAL_RE = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_ORDINAL_RE = re.compile(r"第([零〇一二两三四五六七八九十百]+)")


@dataclass(frozen=True)
class Variant:
    """One comparable rendering of a name: tokens joined by spaces, and how it was made."""

    text: str
    steps: tuple[str, ...]
    syllabic: bool  # every non-concept token is a Chinese syllable: compare syllable by syllable

    @property
    def tokens(self) -> list[str]:
        """The variant's tokens."""
        return self.text.split()

    @property
    def compact(self) -> str:
        """The tokens written together (so "gazprom bank" meets "gazprombank")."""
        return self.text.replace(" ", "")


@dataclass(frozen=True)
class NormalizedName:
    """A name's variants (first = canonical), whether it may be matched fuzzily, and notes."""

    original: str
    variants: tuple[Variant, ...]
    exact_only: bool
    notes: tuple[str, ...] = ()
    han: str = ""  # simplified Han characters, legal forms removed, when the name is all Han

    @property
    def empty(self) -> bool:
        """True when nothing identifying is left (empty, punctuation, a bare legal form)."""
        return not self.variants

    @property
    def key(self) -> str:
        """The canonical variant's tokens, sorted: equal keys mean the same name."""
        return " ".join(sorted(self.variants[0].tokens)) if self.variants else ""


# --- data files -------------------------------------------------------------------------------

def _read_yaml(name: str) -> Any:
    with (resources_dir() / "screening" / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class _Tables:
    t2s: dict[int, str]
    syllables: frozenset[str]
    max_syllable: int
    cjk_forms: tuple[str, ...]
    latin_anywhere: tuple[tuple[str, ...], ...]
    latin_suffix: frozenset[tuple[str, ...]]
    latin_prefix: frozenset[tuple[str, ...]]
    stopwords: frozenset[str]
    zh_glossary: dict[str, str]
    zh_max: int
    latin_glossary: dict[str, str]  # joined tokens (english phrase or pinyin) -> concept
    concepts: frozenset[str]
    spellings: dict[str, str]  # joined tokens -> canonical spelling
    romanization: dict[str, tuple[str, ...]]
    romanization_source: dict[str, str]
    han_surnames: dict[str, str]
    legal_tokens: frozenset[str]


def _opencc_t2s() -> dict[int, str]:
    """Traditional→simplified character table from the opencc package's own dictionaries.

    Character-level folding (str.translate) rather than opencc's phrase conversion: names are
    compared, not published, and this is ~100× faster on a million names.
    """
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    table: dict[int, str] = {}
    for fname in ("TSCharacters.txt", "HKVariantsRev.txt", "TWVariantsRev.txt"):
        path = folder / fname
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) != 2:
                continue
            src, dst = parts[0], parts[1].split(" ")[0]
            if len(src) == 1 and len(dst) == 1 and src != dst:
                table.setdefault(ord(src), dst)
    # Variant tables may map to characters that TSCharacters folds further: chase once.
    for key, value in list(table.items()):
        table[key] = table.get(ord(value), value)
    return table


def _latin_fold(text: str) -> str:
    """Lower-case ASCII tokens of a data-file phrase (same folding as names get)."""
    return " ".join(_LATIN_TOKEN_RE.findall(_strip_accents(text.casefold())))


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    legal = _read_yaml("legal_forms.yaml")
    glossary = _read_yaml("glossary.yaml")
    roman = _read_yaml("romanization.yaml")
    spell = _read_yaml("name_variants.yaml")
    syl_text = (resources_dir() / "screening" / "pinyin_syllables.txt").read_text(encoding="utf-8")
    syllables = frozenset(w for line in syl_text.splitlines() if not line.startswith("#")
                          for w in line.split())
    t2s = _opencc_t2s()
    zh: dict[str, str] = {}
    latin: dict[str, str] = {}
    for entry in glossary:
        concept = entry["concept"]
        for word in entry.get("zh", []):
            zh[word.translate(t2s)] = concept
            if entry.get("place"):
                zh[word.translate(t2s) + "市"] = concept
                zh[word.translate(t2s) + "省"] = concept
        for word in entry.get("pinyin", []):
            latin["".join(_latin_fold(word).split())] = concept
        for word in entry.get("en", []):
            latin["".join(_latin_fold(word).split())] = concept
    spellings: dict[str, str] = {}
    for group in spell["groups"]:
        canonical = "".join(_latin_fold(group[0]).split())
        for word in group:
            spellings["".join(_latin_fold(word).split())] = canonical
    romanization: dict[str, tuple[str, ...]] = {}
    source: dict[str, str] = {}
    for system, label in (("cantonese", "Cantonese"), ("wade_giles", "Wade-Giles")):
        for syl, readings in roman[system].items():
            if not isinstance(syl, str):  # an unquoted "on" or "no" reads as a boolean
                from casedesk.domain.errors import VocabularyError

                raise VocabularyError("screening/romanization.yaml", system, str(syl),
                                      "keys must be text: quote it")
            merged = list(romanization.get(syl, ()))
            for r in readings:
                if r not in merged:
                    merged.append(r)
            romanization[syl] = tuple(merged)
            source.setdefault(syl, label)
    return _Tables(
        t2s=t2s,
        syllables=syllables,
        max_syllable=max(map(len, syllables)),
        cjk_forms=tuple(sorted((f.translate(t2s) for f in legal["cjk"]), key=len, reverse=True)),
        latin_anywhere=tuple(sorted((tuple(_latin_fold(f).split()) for f in legal["latin"]["anywhere"]),
                                    key=len, reverse=True)),
        latin_suffix=frozenset(tuple(_latin_fold(f).split()) for f in legal["latin"]["suffix"]),
        latin_prefix=frozenset(tuple(_latin_fold(f).split()) for f in legal["latin"]["prefix"]),
        stopwords=frozenset(legal["stopwords"]),
        zh_glossary=zh,
        zh_max=max(map(len, zh)),
        latin_glossary=latin,
        concepts=frozenset(latin.values()),
        spellings=spellings,
        romanization=romanization,
        romanization_source=source,
        han_surnames={k.translate(t2s): v for k, v in (roman.get("han_surnames") or {}).items()},
        legal_tokens=frozenset(f[0] for f in (*legal["latin"]["suffix"], *legal["latin"]["prefix"])
                               for f in [_latin_fold(f).split()] if len(f) == 1),
    )


def concept_tokens() -> frozenset[str]:
    """Generic tokens that alone never make two names similar: glossary concepts, and legal-form
    words left inside a name ("Trading Co of Shenzhen")."""
    return _weak_tokens()


@lru_cache(maxsize=1)
def _weak_tokens() -> frozenset[str]:
    return _tables().concepts | _tables().legal_tokens


def pinyin_syllables() -> frozenset[str]:
    """The toneless pinyin syllables (ü as v)."""
    return _tables().syllables


# --- character-level folding -------------------------------------------------------------------

def _c1_to_cp1252(ch: str) -> str:
    try:
        return bytes([ord(ch)]).decode("cp1252")
    except UnicodeDecodeError:
        return " "


def fold_text(text: str) -> str:
    """NFKC (full/half width), cp1252 C1 controls repaired, controls dropped, case folded, T→S."""
    if not isinstance(text, str):
        return ""
    text = text[: MAX_NAME_CHARS * 2]
    if text.isascii():  # fast path: ASCII is NFKC-stable and has no Han to fold
        return _ASCII_CONTROL_RE.sub(" ", text).casefold()
    if _C1_RE.search(text):
        text = _C1_RE.sub(lambda m: _c1_to_cp1252(m.group()), text)
    text = unicodedata.normalize("NFKC", text)
    drop, space = _control_res()
    text = space.sub(" ", drop.sub("", text))
    return text.casefold().translate(_tables().t2s)


@lru_cache(maxsize=1)
def _control_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Regexes of invisible characters to drop (Cf, Cs, Co) and controls to blank (Cc, Zl, Zp),
    built once from the Unicode database: a per-character category() call costs ~1 µs a char."""
    drop: list[int] = []
    space: list[int] = []
    # Format characters live in planes 0, 1 and 14; planes 15-16 are private use (added whole).
    for cp in [*range(0x20000), *range(0xE0000, 0xE1000)]:
        cat = unicodedata.category(chr(cp))
        if cat in ("Cf", "Cs", "Co"):
            drop.append(cp)  # type: ignore[arg-type]
        elif cat in ("Cc", "Zl", "Zp"):
            space.append(cp)  # type: ignore[arg-type]

    def char_class(cps: list) -> str:
        ranges, start, prev = [], None, None
        for cp in cps:
            if start is None:
                start = prev = cp
            elif cp == prev + 1:
                prev = cp
            else:
                ranges.append((start, prev))
                start = prev = cp
        if start is not None:
            ranges.append((start, prev))
        return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}"
                             for a, b in ranges) + "]"

    drop.extend(range(0xF0000, 0x110000))
    return re.compile(char_class(drop)), re.compile(char_class(space))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_TONE_MARKS = str.maketrans({
    **{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěèế"}, **{c: "i" for c in "īíǐì"},
    **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "v" for c in "üǖǘǚǜ"},
    "ń": "n", "ň": "n", "ǹ": "n", "ḿ": "m", "̄": "", "́": "", "̌": "", "̀": "",
})


@lru_cache(maxsize=1)
def _pinyin_tables() -> tuple[dict[str, tuple[str, ...]], dict[int, str], int]:
    """pypinyin's phrase and character dictionaries, toneless (ü as v)."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    phrases = {k: tuple(r[0].translate(_TONE_MARKS) for r in v) for k, v in phrases_dict.items()}
    chars = {k: v.split(",")[0].translate(_TONE_MARKS) for k, v in pinyin_dict.items()}
    return phrases, chars, max(map(len, phrases))


@lru_cache(maxsize=262144)
def _han_pinyin(run: str) -> tuple[str, ...]:
    """Pinyin syllables of a run of Han characters.

    pypinyin's own data (phrases first, longest match, then each character's first reading),
    looked up directly: lazy_pinyin gives the same readings but costs ~50 µs a name, which is
    most of a million-name import; this loop costs a few µs (tests compare the two).
    """
    phrases, chars, longest = _pinyin_tables()
    out: list[str] = []
    i, n = 0, len(run)
    while i < n:
        for size in range(min(longest, n - i), 1, -1):
            reading = phrases.get(run[i:i + size])
            if reading is not None:
                out.extend(reading)
                i += size
                break
        else:
            syl = chars.get(ord(run[i]))
            if syl:
                out.append(syl)
            i += 1
    return tuple(out)


@lru_cache(maxsize=65536)
def _transliterate(segment: str) -> str:
    from anyascii import anyascii

    return anyascii(segment)


def _script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ")[0].title() if name else "Other"


# --- the pipeline --------------------------------------------------------------------------------

@dataclass
class _Work:
    tokens: list[str]
    concept_positions: set[int]
    steps: list[str]


@lru_cache(maxsize=1)
def _glossary_starts() -> frozenset[str]:
    """First characters of the Chinese glossary words."""
    return frozenset(w[0] for w in _tables().zh_glossary)


def _split_han(run: str, steps: list[str]) -> list[tuple[str, bool]]:
    """Glossary words of a Han run as concept tokens; everything else as pinyin syllables."""
    tab = _tables()
    out: list[tuple[str, bool]] = []
    pending = ""
    i = 0
    hits = []
    starts = _glossary_starts()
    while i < len(run):
        if run[i] not in starts:
            pending += run[i]
            i += 1
            continue
        for size in range(min(tab.zh_max, len(run) - i), 1, -1):
            word = run[i:i + size]
            concept = tab.zh_glossary.get(word)
            if concept:
                if pending:
                    out.extend((s, False) for s in _han_pinyin(pending))
                    pending = ""
                out.append((concept, True))
                hits.append(f"{word}→{concept}")
                i += size
                break
        else:
            pending += run[i]
            i += 1
    if pending:
        out.extend((s, False) for s in _han_pinyin(pending))
    if hits:
        steps.append("glossary: " + ", ".join(hits))
    return out


def _strip_cjk_legal(text: str, steps: list[str]) -> str:
    removed = []
    for form in _tables().cjk_forms:
        if form in text:
            text = text.replace(form, " ")
            removed.append(form)
    if removed:
        steps.append("legal form removed: " + ", ".join(removed))
    return text


def _tokenise(folded: str, steps: list[str]) -> _Work:
    """Split folded text into tokens: Han via glossary+pinyin, other scripts transliterated."""
    tokens: list[str] = []
    concepts: set[int] = set()
    pos = 0
    han_runs = []
    other_scripts: set[str] = set()
    for m in _HAN_RE.finditer(folded):
        _latin_part(folded[pos:m.start()], tokens, other_scripts)
        split = _split_han(m.group(), steps)
        han_runs.append((m.group(), " ".join(t for t, _c in split)))
        for tok, is_concept in split:
            if is_concept:
                concepts.add(len(tokens))
            tokens.append(tok)
        pos = m.end()
    _latin_part(folded[pos:], tokens, other_scripts)
    if han_runs:
        steps.append("Han→pinyin: " + ", ".join(f"{r}→{p}" for r, p in han_runs[:4]))
    if other_scripts:
        steps.append("transliterated " + "/".join(sorted(other_scripts)) + "→Latin")
    return _Work(tokens, concepts, steps)


def _latin_part(text: str, tokens: list[str], scripts: set[str]) -> None:
    if not text or text.isspace():
        return
    if not text.isascii():
        chars = []
        for ch in _strip_accents(text):
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
    tokens.extend(_LATIN_TOKEN_RE.findall(text))


# Typed names carry typos in their generic words too ("Electroniics", "Llimited"); a long
# unknown token one edit away from a glossary or legal-form word is read as that word.
_TYPO_MIN_LEN = 7


@lru_cache(maxsize=1)
def _known_words() -> dict[int, list[str]]:
    """Single-word glossary, spelling and legal-form words within one letter of each length."""
    words = {k for k in _phrase_table() if k.isalpha()} | {w for w in _legal_words() if w.isalpha()}
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


def _correct_typos(work: _Work) -> None:
    known, legal, syllables = _phrase_table(), _legal_words(), _tables().syllables
    fixed = []
    for i, tok in enumerate(work.tokens):
        if len(tok) < _TYPO_MIN_LEN or i in work.concept_positions or tok in known \
                or tok in legal or tok in syllables or not tok.isalpha():
            continue
        word = _typo_of(tok)
        if word is not None:
            work.tokens[i] = word
            fixed.append(f"{tok}→{word}")
    if fixed:
        work.steps.append("typo read as a common word: " + ", ".join(fixed))


def _strip_latin_legal(work: _Work) -> None:
    tab = _tables()
    toks = work.tokens
    if not any(t in _legal_words() for t in toks):
        return
    keep = [True] * len(toks)
    removed: list[str] = []
    concepts = work.concept_positions
    latin_pos = [i for i in range(len(toks)) if i not in concepts]
    anywhere = _anywhere_index()
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


@lru_cache(maxsize=1)
def _legal_words() -> frozenset[str]:
    """Every token that starts or makes up a removable legal form or stopword."""
    tab = _tables()
    words = set(tab.stopwords)
    for forms in (tab.latin_anywhere, tab.latin_suffix, tab.latin_prefix):
        for form in forms:
            words.update(form)
    return frozenset(words)


@lru_cache(maxsize=1)
def _anywhere_index() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Legal forms removable anywhere, by first token, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for form in _tables().latin_anywhere:
        index.setdefault(form[0], []).append(form)
    return {k: tuple(v) for k, v in index.items()}


def _compact(work: _Work, keep: list[bool]) -> None:
    new_tokens, new_concepts = [], set()
    for i, tok in enumerate(work.tokens):
        if keep[i]:
            if i in work.concept_positions:
                new_concepts.add(len(new_tokens))
            new_tokens.append(tok)
    work.tokens, work.concept_positions = new_tokens, new_concepts


@lru_cache(maxsize=1)
def _phrase_table() -> dict[str, tuple[str, bool]]:
    """Joined Latin tokens → (replacement, is a glossary concept); glossary wins over spellings."""
    tab = _tables()
    table = {k: (v, False) for k, v in tab.spellings.items()}
    table.update({k: (v, True) for k, v in tab.latin_glossary.items()})
    return table


def _replace_phrases(work: _Work) -> None:
    """Replace runs of 1–4 Latin tokens whose joined form is a glossary word or a spelling."""
    table = _phrase_table()
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


@lru_cache(maxsize=131072)
def _segment_pinyin(token: str) -> tuple[str, ...] | None:
    """Split pinyin written together into syllables (fewest syllables; None if impossible)."""
    syl = _tables().syllables
    if token in syl:
        return (token,)
    n = len(token)
    if n > 40 or not _PINYIN_CHARS_RE.fullmatch(token):
        return None
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for j in range(min(n, i + _tables().max_syllable), i, -1):
            piece = token[i:j]
            # one-letter syllables (a, e, o) would let almost any word split
            if len(piece) >= 2 and piece in syl:
                cand = cur + [piece]
                if best[j] is None or len(cand) < len(best[j]):
                    best[j] = cand
    return tuple(best[n]) if best[n] is not None else None


def _is_chinese_like(work: _Work) -> bool:
    tab = _tables()
    plain = [t for i, t in enumerate(work.tokens) if i not in work.concept_positions]
    return bool(plain) and all(t in tab.syllables or t in tab.romanization for t in plain)


def _variant(work: _Work, syllabic: bool) -> Variant:
    return Variant(" ".join(work.tokens), tuple(work.steps), syllabic)


def _seg_variant(work: _Work) -> _Work | None:
    """The same tokens with pinyin written together split into syllables, if all of it splits."""
    tab = _tables()
    out: list[str] = []
    concepts: set[int] = set()
    split_any = []
    for i, tok in enumerate(work.tokens):
        if i in work.concept_positions:
            concepts.add(len(out))
            out.append(tok)
            continue
        if tok in tab.syllables or tok in tab.romanization:
            out.append(tok)
            continue
        if tok.isdigit():
            out.append(tok)
            continue
        seg = _segment_pinyin(tok)
        if seg is None:
            return None
        split_any.append(f"{tok}→{' '.join(seg)}")
        out.extend(seg)
    if not split_any:
        return None
    steps = work.steps + ["pinyin syllables split: " + ", ".join(split_any)]
    return _Work(out, concepts, steps)


def _romanization_variants(work: _Work) -> list[_Work]:
    """Readings of Cantonese / Wade-Giles syllables as pinyin (at most MAX_VARIANTS)."""
    tab = _tables()
    options: list[list[str]] = []
    for i, tok in enumerate(work.tokens):
        readings = tab.romanization.get(tok) if i not in work.concept_positions else None
        if readings:
            opts = list(readings)
            if tok in tab.syllables and tok not in opts:
                opts.append(tok)
            options.append(opts)
        else:
            options.append([tok])
    if all(len(o) == 1 and o[0] == work.tokens[i] for i, o in enumerate(options)):
        return []
    out = []
    for combo in itertools.islice(itertools.product(*options), MAX_VARIANTS):
        if list(combo) == work.tokens:
            continue
        changed = [f"{a}→{b}" for a, b in zip(work.tokens, combo) if a != b]
        systems = sorted({tab.romanization_source.get(a, "") for a, b in zip(work.tokens, combo)
                          if a != b} - {""})
        out.append(_Work(list(combo), set(work.concept_positions),
                         work.steps + [f"{'/'.join(systems)} spelling read as pinyin: "
                                       + ", ".join(changed)]))
    return out


def _cn_number(text: str) -> int | None:
    """Value of a Chinese numeral up to 999 (十三 → 13, 一百零二 → 102), None if not one."""
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _cn_ordinals(text: str, steps: list[str]) -> str:
    """第十三 → " 13 " so that it meets "13th" (ordinals are how institutes are numbered)."""
    def repl(m: re.Match[str]) -> str:
        value = _cn_number(m.group(1))
        return m.group(0) if value is None else f" {value} "
    new = _CN_ORDINAL_RE.sub(repl, text)
    if new != text:
        steps.append("Chinese ordinal → number")
    return new


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
        if folded != raw.casefold() and raw.casefold().translate(_tables().t2s) != raw.casefold():
            steps.append("traditional→simplified")
        if raw != name:
            steps.append("width/compatibility forms folded (NFKC)")
        text = _strip_cjk_legal(folded, steps) if _HAN_RE.search(folded) else folded
        if "第" in text:
            text = _cn_ordinals(text, steps)
        bare = _NOT_ALNUM_RE.sub("", text)
        han = bare if bare and _HAN_RE.fullmatch(bare) else ""
    significant = _significant_chars(folded)
    work = _tokenise(text, steps)
    _correct_typos(work)
    if _DIGIT_RE.search(text):
        work.tokens = [_ORDINAL_RE.sub(r"\1", t) for t in work.tokens]
    _strip_latin_legal(work)
    _replace_phrases(work)
    if not work.tokens:
        return NormalizedName(name, (), True, tuple(notes + ["nothing identifying left"]))
    tokens = work.tokens
    initials = all(len(t) == 1 for t in tokens)
    exact_only = significant < MIN_FUZZY_CHARS or initials
    variants: list[Variant] = [_variant(work, _is_chinese_like(work))]
    seg = _seg_variant(work)
    base_for_roman = work
    if seg is not None:
        variants.append(_variant(seg, True))
        base_for_roman = seg
    has_han = not folded.isascii() and _HAN_RE.search(folded) is not None
    if not has_han and _is_chinese_like(base_for_roman) and len(base_for_roman.tokens) <= 6:
        for w in _romanization_variants(base_for_roman):
            if len(variants) >= MAX_VARIANTS:
                break
            variants.append(_variant(w, True))
    if han and 2 <= len(han) <= 4:
        surnames = _tables().han_surnames
        for sur in (han[:2], han[:1]):
            reading = surnames.get(sur)
            if reading and len(han) > len(sur):
                rest = variants[0].tokens[len(_han_pinyin(sur)):]
                variants.append(Variant(" ".join([reading] + rest),
                                        variants[0].steps + (f"surname {sur} read {reading}",), True))
                break
    seen: set[str] = set()
    unique = []
    for v in variants:
        if v.text not in seen:
            seen.add(v.text)
            unique.append(v)
    return NormalizedName(name, tuple(unique), exact_only, tuple(notes), han)


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


def variant_keys(variant_text: str) -> set[str]:
    """Blocking keys of a variant: tokens, sorted adjacent pairs, the compact form, affixes.

    The sorted-token exact key is left out: tokens and pairs already find reordered names, and
    every key costs index memory and build time on a million names.
    """
    toks = variant_text.split()
    keys: set[str] = set()
    for t in toks:
        if len(t) >= 2:
            keys.add(t)
        if len(t) >= 7:
            keys.add("<" + t[:4])
            keys.add(">" + t[-4:])
    for a, b in zip(toks, toks[1:]):
        keys.add(a + "|" + b if a <= b else b + "|" + a)
    keys.add("=" + "".join(toks))
    return keys


@lru_cache(maxsize=65536)
def exact_keys(variant_text: str) -> tuple[str, str]:
    """Keys equal exactly when two variants are the same name: compact form, sorted tokens."""
    toks = variant_text.split()
    return "=" + "".join(toks), "#" + " ".join(sorted(toks))


# --- storage form -------------------------------------------------------------------------------
# WatchlistName.normalized holds the variants precomputed at import: "~" marks a syllabic variant,
# "|" separates variants (neither can occur inside a token).

def serialize_variants(n: NormalizedName) -> str:
    """The stored form of a name's variants ('' for an empty name); "^" marks the Han form."""
    text = "|".join(("~" if v.syllabic else "") + v.text for v in n.variants)
    return f"{text}|^{n.han}" if text and n.han else text


def parse_variants(stored: str) -> list[tuple[str, bool]]:
    """(text, syllabic) of each stored variant."""
    if not stored:
        return []
    return [(p[1:], True) if p.startswith("~") else (p, False) for p in stored.split("|")
            if not p.startswith("^")]


def parse_han(stored: str) -> str:
    """The stored Han form of a name ('' when it is not all Han)."""
    i = stored.find("|^")
    return stored[i + 2:] if i >= 0 else ""


@lru_cache(maxsize=65536)
def han_distinctive(han: str) -> str:
    """A Han name without its glossary words (中国移动通信 → '' ; 华为技术 → 华为)."""
    tab = _tables()
    out = []
    i = 0
    while i < len(han):
        for size in range(min(tab.zh_max, len(han) - i), 1, -1):
            if han[i:i + size] in tab.zh_glossary:
                i += size
                break
        else:
            out.append(han[i])
            i += 1
    return "".join(out)


# --- identifiers --------------------------------------------------------------------------------

def identifier_key(scheme: str, value: str) -> str:
    """Exact-match key of an identifier: wallets by their chain's rules, others upper-case alnum."""
    value = value if isinstance(value, str) else ""
    if scheme.upper().startswith("WALLET_"):
        from casedesk.domain.errors import ValidationError
        from casedesk.domain.wallets import address_match_key

        try:
            return address_match_key(scheme[7:], value)
        except ValidationError:
            return value.strip()[:200]
    folded = unicodedata.normalize("NFKC", value[:400]).upper()
    return "".join(ch for ch in folded if ch.isalnum())[:200]
