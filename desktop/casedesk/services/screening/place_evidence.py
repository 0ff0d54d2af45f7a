"""Bracketed places as location evidence: compared with the other name's places and the entry's addresses."""

from __future__ import annotations

from typing import Any

from casedesk.services.screening.normalize import NormalizedName, fold_text
from casedesk.services.screening.normalize.places import place_spellings


def entry_addresses(data: dict[str, Any] | None) -> list[str]:
    """The address texts a list entry carries (formats store them as a list or one string)."""
    out: list[str] = []
    for key in ("addresses", "address"):
        value = (data or {}).get(key)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, str))
    return out


def place_countries(norm: NormalizedName | None) -> set[str]:
    """Countries of a name's bracketed places."""
    return {p.country for p in (norm.places if norm else ()) if p.country}


def place_feature(case_norm: NormalizedName | None, list_norm: NormalizedName | None,
                  addresses: list[str], bonus: float) -> dict[str, Any] | None:
    """A 'place' feature when a bracketed place of one name is where the other side is.

    The case name's place is looked for in the list name's brackets and the entry's addresses;
    the list name's place in the case name's brackets. None when neither names a place; a
    place found nowhere is reported without changing the score (countries are compared apart).
    """
    ours = case_norm.places if case_norm else ()
    theirs = list_norm.places if list_norm else ()
    if not ours and not theirs:
        return None
    folded = [fold_text(a) for a in addresses]
    for p in ours:
        if any(p.concept == t.concept for t in theirs):
            return {"feature": "place", "adjust": bonus,
                    "detail": f"both names say {p.text!r}"}
        spellings = place_spellings(p)
        for text, raw in zip(folded, addresses):
            if any(s in text for s in spellings):
                return {"feature": "place", "adjust": bonus,
                        "detail": f"{p.text!r} from the case name is in the list address {raw[:80]!r}"}
    named = ", ".join(repr(p.text) for p in (*ours, *theirs))
    where = "the case name" if ours and not theirs else "the list name" if theirs and not ours \
        else "the names"
    return {"feature": "place", "adjust": 0.0,
            "detail": f"place {named} in {where}'s brackets, not found on the other side"}
