"""What is persisted and looked up: blocking and exact keys, the stored variants string, identifier keys.

WatchlistName.normalized holds the variants precomputed at import: "~" marks a syllabic variant,
"|" separates variants (neither can occur inside a token).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from casedesk.domain.errors import ValidationError
from casedesk.domain.wallets import address_match_key
from casedesk.services.screening.normalize.variants import NormalizedName

# The version of the forms the normaliser makes. Change it whenever a change to the normaliser
# (folding, tables, glossary, typo or legal-form rules) changes the form of any name: lists
# stored with another version are re-normalised before the next screening (list_forms.py).
FORMS_VERSION = "2026-12-08.2"


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


def identifier_key(scheme: str, value: str) -> str:
    """Exact-match key of an identifier: wallets by their chain's rules, others upper-case alnum."""
    value = value if isinstance(value, str) else ""
    if scheme.upper().startswith("WALLET_"):
        try:
            return address_match_key(scheme[7:], value)
        except ValidationError:
            return value.strip()[:200]
    folded = unicodedata.normalize("NFKC", value[:400]).upper()
    return "".join(ch for ch in folded if ch.isalnum())[:200]
