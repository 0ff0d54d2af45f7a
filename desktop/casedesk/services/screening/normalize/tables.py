"""The data tables of resources/screening (legal forms, glossary, romanisations, spellings, syllables), loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from casedesk.domain.errors import VocabularyError
from casedesk.paths import resources_dir
from casedesk.services.screening.normalize.folding import (
    LATIN_TOKEN_RE,
    simplified_table,
    strip_accents,
)


# libyaml's parser when present: the glossary and spelling tables load several times faster
# (they are read before every first screening or import of a process).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(name: str) -> Any:
    """A resources/screening data file."""
    with (resources_dir() / "screening" / name).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SafeLoader)  # safe: a SafeLoader builds no objects


@dataclass(frozen=True)
class Tables:
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


def _latin_fold(text: str) -> str:
    """Lower-case ASCII tokens of a data-file phrase (same folding as names get)."""
    return " ".join(LATIN_TOKEN_RE.findall(strip_accents(text.casefold())))


@lru_cache(maxsize=1)
def load_tables() -> Tables:
    legal = read_yaml("legal_forms.yaml")
    glossary = read_yaml("glossary.yaml")
    roman = read_yaml("romanization.yaml")
    spell = read_yaml("name_variants.yaml")
    syl_text = (resources_dir() / "screening" / "pinyin_syllables.txt").read_text(encoding="utf-8")
    syllables = frozenset(w for line in syl_text.splitlines() if not line.startswith("#")
                          for w in line.split())
    t2s = simplified_table()
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
                raise VocabularyError("screening/romanization.yaml", system, str(syl),
                                      "keys must be text: quote it")
            merged = list(romanization.get(syl, ()))
            for r in readings:
                if r not in merged:
                    merged.append(r)
            romanization[syl] = tuple(merged)
            source.setdefault(syl, label)
    return Tables(
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
    return load_tables().concepts | load_tables().legal_tokens


def pinyin_syllables() -> frozenset[str]:
    """The toneless pinyin syllables (ü as v)."""
    return load_tables().syllables


@lru_cache(maxsize=1)
def glossary_starts() -> frozenset[str]:
    """First characters of the Chinese glossary words."""
    return frozenset(w[0] for w in load_tables().zh_glossary)


@lru_cache(maxsize=1)
def legal_words() -> frozenset[str]:
    """Every token that starts or makes up a removable legal form or stopword."""
    tab = load_tables()
    words = set(tab.stopwords)
    for forms in (tab.latin_anywhere, tab.latin_suffix, tab.latin_prefix):
        for form in forms:
            words.update(form)
    return frozenset(words)


@lru_cache(maxsize=1)
def anywhere_index() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Legal forms removable anywhere, by first token, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for form in load_tables().latin_anywhere:
        index.setdefault(form[0], []).append(form)
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=1)
def phrase_table() -> dict[str, tuple[str, bool]]:
    """Joined Latin tokens → (replacement, is a glossary concept); glossary wins over spellings."""
    tab = load_tables()
    table = {k: (v, False) for k, v in tab.spellings.items()}
    table.update({k: (v, True) for k, v in tab.latin_glossary.items()})
    return table
