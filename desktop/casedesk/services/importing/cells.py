"""Cleaning the cells of a row: numbers as people write them, dates, identifiers, wallets, choices.

Every value goes through services.fields.clean_value (and the domain validators behind it), so an
imported value is checked exactly as one typed into the inspector. Values that repeat across rows
(countries, dates, choices, wallet addresses, identifiers) are cleaned once and cached: at a
million rows, per-row validation must cost microseconds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.fields import FieldSpec, clean_value
from casedesk.services.importing.settings import ImportSettings
from casedesk.services.records import (
    IdentifierIn,
    IdentifierRow,
    checked_identifier,
    prepare_wallet,
)

_CACHE_LIMIT = 200_000
# A date-time as exports write them; its date part is cleaned (and cached) on its own, since
# every row has a different time but many rows share a day.
_DATE_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"(?::[0-5][0-9](?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_CACHED_TYPES = frozenset({"country", "choice", "accelerator", "bool", "grade", "date"})
_NUMBER_TYPES = frozenset({"int", "float", "decimal"})


def normalise_number(text: str) -> str:
    """Plain number text from how people write numbers: thousands separators, %, decimal comma.

    "1,234,567" → "1234567", "1.234,5" → "1234.5", "12,5" → "12.5", "50 %" → "50", "1'000" → "1000".
    """
    t = text.strip()
    for ch in ("\u00a0", "\u202f", "\u2009", " ", "'", "_", "\u2019"):
        t = t.replace(ch, "")
    if t.endswith("%"):
        t = t[:-1]
    if "," in t and "." in t:
        t = (
            t.replace(".", "").replace(",", ".")
            if t.rfind(",") > t.rfind(".")
            else t.replace(",", "")
        )
    elif "," in t:
        head, _, tail = t.rpartition(",")
        if t.count(",") > 1 or (len(tail) == 3 and head.lstrip("+-") not in ("", "0")):
            t = t.replace(",", "")
        else:
            t = t.replace(",", ".")
    return t


def _unix_moment(text: str, field: str) -> dt.datetime:
    try:
        value = float(normalise_number(text))
    except ValueError:
        raise ValidationError(field, f"{text[:40]!r} is not a Unix timestamp") from None
    if value > 1e11:  # milliseconds, as some exports write
        value /= 1000
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValidationError(field, f"{text[:40]!r} is out of the range of dates") from None


def unix_time_date(text: str) -> str:
    """ISO date (UTC) of a Unix timestamp in seconds (or milliseconds); ValidationError if not one."""
    return _unix_moment(text, "date").date().isoformat()


def unix_time_moment(text: str) -> str:
    """ISO UTC time (2024-05-01T13:05:00Z) of a Unix timestamp in seconds (or milliseconds)."""
    return _unix_moment(text, "tx_time").replace(tzinfo=None, microsecond=0).isoformat() + "Z"


_UNIT = re.compile(r"\(([^()]+)\)\s*$")


def header_unit(column: str) -> str:
    """The unit a column header names in brackets ("Value_IN(ETH)" → "ETH"), or ""."""
    m = _UNIT.search(column)
    return m.group(1).strip() if m else ""


def is_zero(text: str) -> bool:
    """Whether a cell is a number equal to zero ("0", "0.00", "0,0"); text that is no number is not."""
    try:
        return float(normalise_number(text)) == 0
    except ValueError:
        return False


_MISS = object()


def fixed_outcome(outcome: tuple[Any]) -> Any:
    """The 'cleaner' of a value cleaned in advance: the value, or the error it raised."""
    if isinstance(outcome[0], ValidationError):
        raise outcome[0]
    return outcome[0]


def cached(data: dict[Any, Any], key: Any, make: Callable[..., Any], *args: Any) -> Any:
    """make(*args) cleaned once per key: the value, or the ValidationError it raised, is kept
    (the cache is emptied when full) and given back, or raised again, for the same key."""
    hit = data.get(key, _MISS)
    if hit is _MISS:
        try:
            hit = make(*args)
        except ValidationError as exc:
            hit = exc
        bounded_store(data, key, hit)
    if isinstance(hit, ValidationError):
        raise hit
    return hit


def bounded_store(data: dict[Any, Any], key: Any, value: Any) -> None:
    """Store a value in a per-import cache, emptying the cache first when it is full."""
    if len(data) >= _CACHE_LIMIT:
        data.clear()
    data[key] = value


def _prepared_wallet(chain: str, address: str) -> dict[str, Any]:
    return prepare_wallet({"chain": chain, "address": address})


class CellCleaner:
    """Cleans the cells of one import field by field, remembering values that repeat."""

    def __init__(self, vocab: Vocabulary, settings: ImportSettings):
        self.vocab = vocab
        self.settings = settings
        self._caches: dict[str, dict[Any, Any]] = {}  # cleaned values (or errors) by kind
        self._cleaners: dict[int, Callable[[str], Any]] = {}

    def _cache(self, name: str) -> dict[Any, Any]:
        """The cache of cleaned values (or the errors they raised) of one kind."""
        return self._caches.setdefault(name, {})

    def clean(self, spec: FieldSpec, value: str) -> Any:
        """One value cleaned as the inspector would (cached for values that repeat)."""
        return self.cleaner(spec)(value)

    def cleaner(self, spec: FieldSpec) -> Callable[[str], Any]:
        """The cleaning function of one field, made once per import."""
        made = self._cleaners.get(id(spec))
        if made is not None:
            return made
        t, vocab = spec.type, self.vocab
        if t in ("text", "longtext"):

            def made(value: str) -> Any:
                return value
        elif t in _NUMBER_TYPES:

            def made(value: str) -> Any:
                plain = normalise_number(value)
                try:
                    return clean_value(spec, plain, vocab)
                except ValidationError as exc:
                    # name the value as the file wrote it, not its normalised form
                    raise ValidationError(
                        spec.name, exc.reason.replace(repr(plain), repr(value[:60]))
                    ) from None
        elif t in _CACHED_TYPES:
            data = self._cache(f"{t}:{spec.choices}:{spec.name}")
            is_date = t == "date"

            def made(value: str) -> Any:
                if is_date and len(value) > 10 and (m := _DATE_TIME.fullmatch(value)):
                    value = m.group(1)
                return cached(data, value, clean_value, spec, value, vocab)
        else:

            def made(value: str) -> Any:
                return clean_value(spec, value, vocab)

        self._cleaners[id(spec)] = made
        return made

    def count_with_qualifier(self, value: str) -> tuple[str, str | None]:
        """Split "about 50" / "at least 300" / "300+" into the number and a count-qualifier code."""
        text = value.strip().casefold()
        for code, words in self.settings.count_qualifier_words.items():
            for word in sorted(words, key=len, reverse=True):
                if word == "+" and text.endswith("+"):
                    return value.strip()[:-1], code
                if text.startswith(word) and word != "+":
                    rest = value.strip()[len(word) :].strip()
                    if rest[:1].isdigit():
                        return rest, code
        return value, None

    def identifier(self, text: str) -> IdentifierRow:
        """A SCHEME:VALUE cell part checked against its scheme (cached per distinct text)."""
        return cached(self._cache("identifier"), text, self._check_identifier, text)

    def _check_identifier(self, text: str) -> IdentifierRow:
        scheme, sep, value = text.partition(":")
        if not sep or not scheme.strip() or not value.strip():
            raise ValidationError(
                "identifiers", f"{text[:60]!r} is not SCHEME:VALUE (e.g. LEI:5493…)"
            )
        return checked_identifier(IdentifierIn(scheme.strip(), value.strip()), self.vocab)

    def wallet(self, chain: str, address: str) -> dict[str, Any]:
        """Chain, normalised address and match key of a wallet (cached; callers copy, never mutate)."""
        return cached(self._cache("wallet"), (chain, address), _prepared_wallet, chain, address)
