"""Han and Chinese romanisations: glossary splitting, pinyin, CJK legal forms, ordinals, Cantonese/Wade-Giles readings."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from casedesk.services.screening.normalize.folding import TONE_MARKS
from casedesk.services.screening.normalize.tables import glossary_starts, load_tables
from casedesk.services.screening.normalize.variants import MAX_VARIANTS, Work

HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")
_PINYIN_CHARS_RE = re.compile(r"[a-z]+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_ORDINAL_RE = re.compile(r"第([零〇一二两三四五六七八九十百]+)")


@lru_cache(maxsize=1)
def _pinyin_tables() -> tuple[dict[str, tuple[str, ...]], dict[int, str], int]:
    """pypinyin's phrase and character dictionaries, toneless (ü as v)."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    phrases = {k: tuple(r[0].translate(TONE_MARKS) for r in v) for k, v in phrases_dict.items()}
    chars = {k: v.split(",")[0].translate(TONE_MARKS) for k, v in pinyin_dict.items()}
    return phrases, chars, max(map(len, phrases))


@lru_cache(maxsize=262144)
def han_pinyin(run: str) -> tuple[str, ...]:
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


def split_han(run: str, steps: list[str]) -> list[tuple[str, bool]]:
    """Glossary words of a Han run as concept tokens; everything else as pinyin syllables."""
    tab = load_tables()
    out: list[tuple[str, bool]] = []
    pending = ""
    i = 0
    hits = []
    starts = glossary_starts()
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
                    out.extend((s, False) for s in han_pinyin(pending))
                    pending = ""
                out.append((concept, True))
                hits.append(f"{word}→{concept}")
                i += size
                break
        else:
            pending += run[i]
            i += 1
    if pending:
        out.extend((s, False) for s in han_pinyin(pending))
    if hits:
        steps.append("glossary: " + ", ".join(hits))
    return out


def strip_cjk_legal(text: str, steps: list[str]) -> str:
    removed = []
    for form in load_tables().cjk_forms:
        if form in text:
            text = text.replace(form, " ")
            removed.append(form)
    if removed:
        steps.append("legal form removed: " + ", ".join(removed))
    return text


@lru_cache(maxsize=131072)
def segment_pinyin(token: str) -> tuple[str, ...] | None:
    """Split pinyin written together into syllables (fewest syllables; None if impossible)."""
    syl = load_tables().syllables
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
        for j in range(min(n, i + load_tables().max_syllable), i, -1):
            piece = token[i:j]
            # one-letter syllables (a, e, o) would let almost any word split
            if len(piece) >= 2 and piece in syl:
                cand = cur + [piece]
                if best[j] is None or len(cand) < len(best[j]):
                    best[j] = cand
    return tuple(best[n]) if best[n] is not None else None


def is_chinese_like(work: Work) -> bool:
    tab = load_tables()
    plain = [t for i, t in enumerate(work.tokens) if i not in work.concept_positions]
    return bool(plain) and all(t in tab.syllables or t in tab.romanization for t in plain)


def split_syllables(work: Work) -> Work | None:
    """The same tokens with pinyin written together split into syllables, if all of it splits."""
    tab = load_tables()
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
        seg = segment_pinyin(tok)
        if seg is None:
            return None
        split_any.append(f"{tok}→{' '.join(seg)}")
        out.extend(seg)
    if not split_any:
        return None
    steps = work.steps + ["pinyin syllables split: " + ", ".join(split_any)]
    return Work(out, concepts, steps)


def romanization_variants(work: Work) -> list[Work]:
    """Readings of Cantonese / Wade-Giles syllables as pinyin (at most MAX_VARIANTS)."""
    tab = load_tables()
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
        out.append(Work(list(combo), set(work.concept_positions),
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


def cn_ordinals(text: str, steps: list[str]) -> str:
    """第十三 → " 13 " so that it meets "13th" (ordinals are how institutes are numbered)."""
    def repl(m: re.Match[str]) -> str:
        value = _cn_number(m.group(1))
        return m.group(0) if value is None else f" {value} "
    new = _CN_ORDINAL_RE.sub(repl, text)
    if new != text:
        steps.append("Chinese ordinal → number")
    return new


@lru_cache(maxsize=65536)
def han_distinctive(han: str) -> str:
    """A Han name without its glossary words (中国移动通信 → '' ; 华为技术 → 华为)."""
    tab = load_tables()
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
