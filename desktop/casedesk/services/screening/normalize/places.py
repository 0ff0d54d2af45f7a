"""Bracketed places in a name: "(Shenzhen)", "（北京）", "(Hong Kong)" are where, not who.

A bracket holding only a place (a glossary place, or a country by name or code) is set aside
from the name before matching and kept as a Place, which screening compares with the list
entry's addresses and countries instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from casedesk.services.screening.normalize.folding import LATIN_TOKEN_RE, fold_text, strip_accents
from casedesk.services.screening.normalize.tables import read_yaml
from casedesk.services.screening.normalize.variants import Place

# One bracket pair (ASCII or full width) holding no other bracket, at most 40 characters.
_BRACKET_RE = re.compile(r"\s*[(（]([^()（）]{1,40})[)）]")


@lru_cache(maxsize=1)
def _place_table() -> tuple[dict[str, tuple[str, str | None]], dict[str, tuple[str, ...]]]:
    """(form → (concept, country), concept → every spelling) from the glossary's located entries."""
    glossary = read_yaml("glossary.yaml")
    forms: dict[str, tuple[str, str | None]] = {}
    spellings: dict[str, tuple[str, ...]] = {}
    for entry in glossary:
        if not (entry.get("place") or entry.get("country")):
            continue
        concept, country = entry["concept"], entry.get("country")
        words = [fold_text(w) for w in [*entry.get("zh", []), *entry.get("pinyin", []),
                                        *entry.get("en", []), concept]]
        for word in words:
            forms.setdefault(_form(word), (concept, country))
        spellings[concept] = tuple(dict.fromkeys(w for w in words if len(w) >= 2))
    return forms, spellings


@lru_cache(maxsize=1 << 16)
def _form(text: str) -> str:
    """A bracket's content folded for lookup: Latin letters joined, Han kept (市/省 dropped).

    Cached: every hit's two names are read for their country, and a query's name meets many entries.
    """
    folded = fold_text(text)
    if folded.isascii():
        return "".join(LATIN_TOKEN_RE.findall(strip_accents(folded)))
    return re.sub(r"[\W_]+", "", folded).removesuffix("市").removesuffix("省")


def place_of(text: str) -> Place | None:
    """The place a bracket's content names, or None when it is not (only) a place."""
    forms, _spellings = _place_table()
    key = _form(text)
    if not key:
        return None
    found = forms.get(key)
    if found is not None:
        return Place(text.strip(), found[0], found[1])
    from casedesk.domain.countries import resolve_country
    from casedesk.domain.errors import ValidationError

    # Two or three letters could be an acronym as well as a code: only codes in capitals count.
    stripped = text.strip()
    if len(key) <= 3 and not stripped.isupper():
        return None
    try:
        code = resolve_country(stripped)
    except ValidationError:
        return None
    return Place(stripped, " ".join(LATIN_TOKEN_RE.findall(strip_accents(fold_text(stripped))))
                 or code.lower(), code)


def set_aside_places(name: str, steps: list[str]) -> tuple[str, tuple[Place, ...]]:
    """The name without its bracketed places, and the places (the name unchanged if all is place)."""
    if "(" not in name and "（" not in name:
        return name, ()
    places: list[Place] = []

    def repl(m: re.Match[str]) -> str:
        place = place_of(m.group(1))
        if place is None:
            return m.group(0)
        places.append(place)
        return " "

    rest = _BRACKET_RE.sub(repl, name)
    if not places or not re.sub(r"[\W_]+", "", rest):
        return name, ()
    steps.append("place in brackets set aside as a location: "
                 + ", ".join(f"{p.text} ({p.country})" if p.country else p.text for p in places))
    return " ".join(rest.split()), tuple(places)


def place_spellings(place: Place) -> tuple[str, ...]:
    """Folded spellings of a place to look for in an address (Shenzhen, 深圳, shenzhen…)."""
    _forms, spellings = _place_table()
    return spellings.get(place.concept) or (fold_text(place.text),)


# "Agricultural Bank of China", "Commercial Bank of Syria": the country a company name says it is of.
_OF_PLACE_RE = re.compile(r"\bof\s+(?:the\s+)?([A-Za-z][A-Za-z .'&-]{2,40}?)\s*(?:[,(]|$|\b(?:limited|ltd|"
                          r"inc|corporation|corp|co|company|plc|llc|gmbh|sa|ag|jsc|pjsc)\b)", re.IGNORECASE)


def named_country(name: str) -> str | None:
    """The country a company's name places it in: "… of China", a leading "China …" / "中国…"; else None.

    After "of", a glossary place or a country's name (never a two-letter code); leading, only a
    glossary place. Person names are not read this way (callers decide).
    """
    text = name.strip()
    m = _OF_PLACE_RE.search(text)
    if m and len(m.group(1)) >= 4:
        place = place_of(m.group(1))
        if place is not None and place.country:
            return place.country
    forms, _spellings = _place_table()
    # A leading place only from the glossary (China, Hong Kong, Shenzhen …): "Georgia Pacific" and
    # "Turkey Hill" open with a country's name and are not of it.
    words = [w.strip(",.") for w in text.split()[:2]]
    for lead in (" ".join(words), words[0] if words else ""):
        found = forms.get(_form(lead)) if lead and lead.isascii() else None
        if found is not None and found[1]:
            return found[1]
    if text and not text.isascii():  # a Han name that opens with its place: 中国…, 香港…
        for size in (3, 2):
            found = forms.get(_form(text[:size]))
            if found is not None and found[1]:
                return found[1]
    return None
