"""Country resolution: ISO 3166-1 codes, English or Chinese names -> upper-case alpha-2 code."""

from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry

from casedesk.domain.errors import ValidationError

# Kosovo has no ISO 3166-1 entry; XK is the user-assigned code used by the EU, SWIFT and
# sanctions lists (and FollowTheMoney), so lists that name Kosovo must still resolve.
_EXTRA_NAMES = {"XK": "Kosovo"}

# Forms found on sanctions and trade lists that pycountry's name/official/common names miss.
# Keys are folded with _fold (case, accents, punctuation and spacing ignored).
_ALIASES = {
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "south korea": "KR",
    "korea south": "KR",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "north korea": "KP",
    "korea north": "KP",
    "dprk": "KP",
    "russia": "RU",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "macao": "MO",
    "macau": "MO",
    "taiwan": "TW",
    "burma": "MM",
    "uae": "AE",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "czech republic": "CZ",
    "turkey": "TR",
    "laos": "LA",
    "brunei": "BN",
    "palestine": "PS",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "ivory coast": "CI",
    "holy see": "VA",
    "vatican": "VA",
    "micronesia": "FM",
    "bahamas the": "BS",
    "gambia the": "GM",
    "congo democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "drc": "CD",
    "congo republic of the": "CG",
    "kosovo": "XK",
    # Short Chinese forms the ISO translations spell longer ("台湾省", "中華民國", "澳門特別行政區").
    "台湾": "TW", "臺灣": "TW", "台灣": "TW", "澳门": "MO", "澳門": "MO", "香港": "HK",
    "阿联酋": "AE", "阿聯酋": "AE", "美國": "US", "英國": "GB", "韩国": "KR", "韓國": "KR", "南韩": "KR",
    "xkx": "XK",
}


def _fold(text: str) -> str:
    """Fold a country string: casefold, strip accents and punctuation, collapse spaces."""
    # Dots vanish ("U.S.A." -> "usa"); other punctuation separates words ("Korea, South").
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace(".", ""))
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


CHINESE_LOCALES = ("zh_CN", "zh_TW", "zh_HK")


@lru_cache(maxsize=1)
def _folded_index() -> dict[str, str]:
    """Every pycountry name form, folded, to its alpha-2 (accent- and punctuation-insensitive)."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index.setdefault(_fold(value), country.alpha_2)
    # Chinese names (中国, 新加坡, 香港, 中國 …) from pycountry's own ISO 3166 translations, so a
    # register or invoice written in Chinese imports like an English one.
    for locale in CHINESE_LOCALES:
        try:
            names = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        except OSError:
            continue
        for country in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                translated = names.gettext(value) if value else ""
                if translated and translated != value:
                    index.setdefault(_fold(translated), country.alpha_2)
    return index


@lru_cache(maxsize=4096)
def resolve_country(text: str) -> str:
    """ISO 3166-1 alpha-2 (upper-case) of a code, English or Chinese name; ValidationError if unknown."""
    if not isinstance(text, str):
        raise ValidationError("country", "country must be text", value=text)
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValidationError("country", "country is empty")
    if len(cleaned) > 100:  # no country name is this long; keep junk out of the lookups and cache
        raise ValidationError(
            "country", "country is too long to be a code or name", value=cleaned[:100]
        )
    if cleaned.upper() in _EXTRA_NAMES:
        return cleaned.upper()
    if cleaned.isdigit() and len(cleaned) <= 3 and cleaned.isascii():
        cleaned = cleaned.zfill(3)  # numeric codes are often written without leading zeros ("4")
    folded = _fold(cleaned)
    if folded in _ALIASES:
        return _ALIASES[folded]
    try:
        return pycountry.countries.lookup(cleaned).alpha_2
    except LookupError:
        pass
    code = _folded_index().get(folded)
    if code is None:
        raise ValidationError(
            "country",
            f"unknown country {cleaned!r} (give an ISO 3166 code or English name)",
            value=cleaned,
        )
    return code


def country_name(alpha2: str) -> str:
    """English short name of an alpha-2 code (the common name where ISO's is formal: 'Iran')."""
    code = alpha2.strip().upper() if isinstance(alpha2, str) else ""
    if code in _EXTRA_NAMES:
        return _EXTRA_NAMES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        raise ValidationError(
            "country", f"{ascii(alpha2)[:40]} is not an ISO 3166-1 alpha-2 code", value=alpha2
        )
    return getattr(country, "common_name", None) or country.name
