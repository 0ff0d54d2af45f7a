"""Turning one row of cells into validated record and link drafts, or a rejection with reasons.

Every value goes through services.fields.clean_value (and the domain validators behind it), so an
imported value is checked exactly as one typed into the inspector. Values that repeat across rows
(countries, dates, choices, wallet addresses, identifiers) are cleaned once and cached: at a
million rows, per-row validation must cost microseconds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Address
from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.fields import LINK_FIELDS, FieldSpec, clean_value, fields_of
from casedesk.services.importing.mapping import (
    CHILD_FIELDS,
    REJECT_COLUMNS,
    LinkMap,
    Mapping,
    RecordMap,
    Source,
    find_column,
)
from casedesk.services.importing.drafts import MATCHED_KINDS, EntityDraft, LinkDraft, Reject, RowDraft
from casedesk.services.importing.settings import import_settings
from casedesk.services.records import (
    AliasIn,
    IdentifierIn,
    IdentifierRow,
    checked_identifier,
    prepare_wallet,
)

_CACHE_LIMIT = 200_000
_MEMO_TRIAL = 20_000  # new drafts after which a memo that finds few repeats switches off
# A date-time as exports write them; its date part is cleaned (and cached) on its own, since
# every row has a different time but many rows share a day.
_DATE_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"(?::[0-5][0-9](?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_CACHED_TYPES = frozenset({"country", "choice", "accelerator", "bool", "grade", "date"})
_NUMBER_TYPES = frozenset({"int", "float", "decimal"})
# How convert() handles a record field (decided once per mapping, not per row).
(
    _CLEAN,
    _TEXT,
    _ALIASES,
    _IDENTIFIERS,
    _ADDRESSES,
    _WALLET_CHAIN,
    _WALLET_ADDRESS,
    _SERVER_COUNT,
    _LIST,
    _FIXED,
    _FIXED_WALLET,
) = range(11)

Getter = Callable[[list[str]], tuple[str, str]]  # cells -> (value, column it came from)


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


def unix_time_date(text: str) -> str:
    """ISO date (UTC) of a Unix timestamp in seconds (or milliseconds); ValidationError if not one."""
    try:
        value = float(normalise_number(text))
    except ValueError:
        raise ValidationError("date", f"{text[:40]!r} is not a Unix timestamp") from None
    if value > 1e11:  # milliseconds, as some exports write
        value /= 1000
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc).date().isoformat()
    except (OverflowError, OSError, ValueError):
        raise ValidationError("date", f"{text[:40]!r} is out of the range of dates") from None


class _DraftMemo:
    """The drafts of one record of the mapping by the cells they were made from.

    A memo that finds almost no repeats (a list of distinct companies) switches itself off.
    """

    __slots__ = ("key", "drafts", "made", "hits")

    def __init__(self, columns: list[int]):
        self.key: Callable[[list[str]], Any] = (
            itemgetter(*columns) if columns else (lambda cells: ())
        )
        self.drafts: dict[Any, EntityDraft] = {}
        self.made = 0
        self.hits = 0

    def remember(self, key: Any, draft: EntityDraft) -> None:
        """Keep a new draft for rows with the same cells (emptied when it grows too big)."""
        draft.shared = True
        _bounded_store(self.drafts, key, draft)
        self.made += 1

    def useless(self) -> bool:
        """True after 20,000 new drafts when fewer than one in twenty rows was a repeat.

        Judged that late because repeats build up: 100,000 wallets drawn at random repeat in
        under 2 % of the first 2,000 rows but in 90 % over a million (the memo's best case).
        """
        return self.made == _MEMO_TRIAL and self.hits * 20 < self.made


_MISS = object()


def _fixed_outcome(outcome: tuple[Any]) -> Any:
    """The 'cleaner' of a value cleaned in advance: the value, or the error it raised."""
    if isinstance(outcome[0], ValidationError):
        raise outcome[0]
    return outcome[0]


def _cached(data: dict[Any, Any], key: Any, make: Callable[..., Any], *args: Any) -> Any:
    """make(*args) cleaned once per key: the value, or the ValidationError it raised, is kept
    (the cache is emptied when full) and given back, or raised again, for the same key."""
    hit = data.get(key, _MISS)
    if hit is _MISS:
        try:
            hit = make(*args)
        except ValidationError as exc:
            hit = exc
        _bounded_store(data, key, hit)
    if isinstance(hit, ValidationError):
        raise hit
    return hit


def _bounded_store(data: dict[Any, Any], key: Any, value: Any) -> None:
    """Store a value in a per-import cache, emptying the cache first when it is full."""
    if len(data) >= _CACHE_LIMIT:
        data.clear()
    data[key] = value


def _prepared_wallet(chain: str, address: str) -> dict[str, Any]:
    return prepare_wallet({"chain": chain, "address": address})


class RowConverter:
    """Converts the rows of one file under one mapping; built once per import."""

    def __init__(
        self,
        mapping: Mapping,
        columns: tuple[str, ...],
        vocab: Vocabulary,
        params: dict[str, str] | None = None,
    ):
        self.mapping = mapping
        self.columns = columns
        self.width = len(columns)
        self.vocab = vocab
        self.settings = import_settings()
        self.params = self._parameters(params or {})
        self.used: set[int] = set()
        self.missing: list[str] = []  # mapped column names the file does not have
        self._caches: dict[str, dict[Any, Any]] = {}  # cleaned values (or errors) by kind
        self._cleaners: dict[int, Callable[[str], Any]] = {}
        self._allows: dict[tuple[Any, ...], bool] = {}
        self._simple: dict[int, tuple[int, str]] = {}  # id(getter) -> (column index, name)
        self._fixed: dict[int, tuple[str, str]] = {}  # id(getter) -> (constant value, name)
        self._keep: list[Any] = []  # keeps those getters alive so their ids stay unique
        self._record_columns: dict[str, set[int]] = {}
        self._link_columns: set[int] = set()
        self._memos: dict[str, _DraftMemo] = {}
        self._records = [self._compile_record(r) for r in mapping.records]
        self._links = [self._compile_link(lk) for lk in mapping.links]
        ignored = {i for name in mapping.ignore if (i := find_column(name, columns)) is not None}
        ignored |= {i for name in REJECT_COLUMNS if (i := find_column(name, columns)) is not None}
        self.ignored = ignored
        self.note_columns = [
            i for i in range(self.width) if i not in self.used and i not in ignored
        ]
        # (column index, "column: ") of the unmapped columns, each row's notes
        self._note_labels = [(i, f"{self.columns[i]}: ") for i in self.note_columns]
        if self.note_columns:
            # every row adds its own notes to this record: its drafts can never be shared
            self._memos.pop(mapping.notes_target, None)
        # Columns only one optional record reads: kept as notes when that record is absent.
        self._own_columns = {
            rec.key: [
                i
                for i in cols
                if sum(i in c for c in self._record_columns.values()) == 1
                and i not in self._link_columns
            ]
            for rec, cols in ((r, self._record_columns[r.key]) for r in mapping.records)
        }

    # -- compiling the mapping against the header --------------------------------------------

    def _parameters(self, given: dict[str, str]) -> dict[str, str]:
        out = {}
        for p in self.mapping.parameters:
            value = given.get(p.name)
            out[p.name] = value if value not in (None, "") else (p.default or "")
        return out

    def _getter(self, src: Source, track: set[int]) -> Getter | None:
        """A function reading this source from a row, or None when the file lacks its columns."""
        if src.constant is not None or src.parameter is not None:
            value, name = (
                (src.constant, "constant")
                if src.constant is not None
                else (self.params.get(src.parameter, ""), src.parameter)
            )
            fixed = lambda cells: (value, name)  # noqa: E731
            self._fixed[id(fixed)] = (value, name)  # compiling cleans such values once
            self._keep.append(fixed)
            return fixed
        if src.template is not None:
            parts = re.split(r"\{([^{}]+)\}", src.template)
            idxs = []
            for name in parts[1::2]:
                i = find_column(name, self.columns)
                if i is None:
                    return None
                idxs.append(i)
            track.update(idxs)
            texts = parts[0::2]

            def template(cells: list[str]) -> tuple[str, str]:
                values = [cells[i].strip() for i in idxs]
                if not all(values):
                    return "", ""
                out = [texts[0]]
                for v, t in zip(values, texts[1:]):
                    out.append(v)
                    out.append(t)
                return "".join(out), "template"

            return template
        if src.labelled:
            found = [
                (self.columns[i], i)
                for name in src.labelled
                if (i := find_column(name, self.columns)) is not None
            ]
            if not found:
                return None
            track.update(i for _, i in found)

            def labelled(cells: list[str]) -> tuple[str, str]:
                return "\n".join(
                    [f"{n}: {v}" for n, i in found if (v := cells[i].strip())]
                ), ""

            return labelled
        idxs = [i for name in src.columns if (i := find_column(name, self.columns)) is not None]
        if not idxs:
            self.missing.extend(n for n in src.columns if "*" not in n)
            return None
        track.update(idxs)
        names = [self.columns[i] for i in idxs]
        transform = src.transform
        if len(idxs) == 1 and transform is None:
            i, n = idxs[0], names[0]
            simple = lambda cells: (cells[i].strip(), n)  # noqa: E731
            self._simple[id(simple)] = (i, n)  # convert() reads such a column inline
            self._keep.append(simple)
            return simple

        def column(cells: list[str]) -> tuple[str, str]:
            for i, n in zip(idxs, names):
                v = cells[i].strip()
                if v:
                    if transform == "unix_time":
                        return unix_time_date(v), n
                    return v, n
            return "", ""

        return column

    def _sources(self, sources: tuple[Source, ...], track: set[int]) -> Getter | None:
        getters = [g for s in sources if (g := self._getter(s, track)) is not None]
        if not getters:
            return None
        if len(getters) == 1:
            return getters[0]

        def first(cells: list[str]) -> tuple[str, str]:
            for g in getters:
                v = g(cells)
                if v[0]:
                    return v
            return "", ""

        return first

    def _compile_record(
        self, rec: RecordMap
    ) -> tuple[RecordMap, Getter, list[tuple[str, Any, Getter, str | None, Any]]]:
        track: set[int] = set()
        label = self._sources(rec.fields["label"], track)
        if label is None:
            if rec.required:
                wanted = ", ".join(
                    sorted({n for s in rec.fields["label"] for n in s.column_names()})
                )
                raise ValidationError(
                    "mapping",
                    f"the file has no column {wanted!r} for the {rec.kind} {rec.key!r} "
                    f"(its columns: {', '.join(self.columns)[:300]})",
                )
            label = lambda cells: ("", "")  # noqa: E731 - an optional record the file cannot fill
        specs = {s.name: s for s in fields_of(rec.kind)}
        fields = []
        for name, sources in rec.fields.items():
            if name == "label":
                continue
            getter = self._sources(sources, track)
            if getter is None:
                continue
            split = next((s.split for s in sources if s.split), None)
            if name in CHILD_FIELDS or (name in specs and specs[name].type == "list"):
                split = split or ";"
            spec = specs.get(name)
            if name == "aliases":
                code = _ALIASES
            elif name == "identifiers":
                code = _IDENTIFIERS
            elif name == "addresses":
                code = _ADDRESSES
            elif rec.kind == "wallet" and name == "chain":
                code = _WALLET_CHAIN
            elif rec.kind == "wallet" and name == "address":
                code = _WALLET_ADDRESS
            elif name == "server_count":
                code = _SERVER_COUNT
            elif split and spec is not None and spec.type == "list":
                code = _LIST
            elif spec is not None and spec.type in ("text", "longtext"):
                code = _TEXT
            else:
                code = _CLEAN
            simple = self._simple.get(id(getter), (-1, ""))
            clean = self.cleaner(spec) if spec is not None else None
            fixed = self._fixed.get(id(getter))
            if fixed is not None and code in (_CLEAN, _TEXT, _WALLET_CHAIN):
                # A constant or parameter: cleaned once here, not once per row.
                value, col = fixed
                if not value:
                    continue
                try:
                    cleaned = value if code == _TEXT or clean is None else clean(value)
                except ValidationError as exc:
                    cleaned = exc
                code = _FIXED_WALLET if code == _WALLET_CHAIN else _FIXED
                simple = (-1, col)
                getter = lambda cells, _v=cleaned: _v  # noqa: E731 - the cleaned value itself
            fields.append((name, spec, getter, split, clean, code, simple[0], simple[1]))
        self.used |= track
        self._record_columns[rec.key] = track
        if rec.kind in MATCHED_KINDS:
            # Repeated records (the same wallet on every row it transfers from) are converted
            # once: the same cells always give the same draft.
            self._memos[rec.key] = _DraftMemo(sorted(track))
        return rec, label, fields

    def _compile_link(
        self, lk: LinkMap
    ) -> tuple[LinkMap, list[tuple[str, FieldSpec, Getter, Any]]]:
        track: set[int] = set()
        specs = {s.name: s for s in LINK_FIELDS}
        fields = []
        for name, sources in lk.fields.items():
            getter = self._sources(sources, track)
            if getter is None:
                continue
            clean = self.cleaner(specs[name])
            fixed = self._fixed.get(id(getter))
            if fixed is not None:
                # A constant or parameter: cleaned once here; every row gets the same outcome.
                value, col = fixed
                if not value:
                    continue
                try:
                    outcome = ((clean(value),), col)  # in a 1-tuple: truthy even when 0
                except ValidationError as exc:
                    outcome = ((exc,), col)
                getter = lambda cells, _o=outcome: _o  # noqa: E731
                clean = _fixed_outcome
            fields.append((name, specs[name], getter, clean))
        self.used |= track
        self._link_columns |= track
        return lk, fields

    # -- cleaning ----------------------------------------------------------------------------

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
                return _cached(data, value, clean_value, spec, value, vocab)
        else:

            def made(value: str) -> Any:
                return clean_value(spec, value, vocab)

        self._cleaners[id(spec)] = made
        return made

    def allows(
        self, link_type: str, src_kind: str, src_sub: str | None, tgt_kind: str, tgt_sub: str | None
    ) -> bool:
        """The vocabulary's endpoint rule for a link type, remembered per combination of kinds."""
        key = (link_type, src_kind, src_sub, tgt_kind, tgt_sub)
        hit = self._allows.get(key)
        if hit is None:
            hit = self._allows[key] = self.vocab.link_types[link_type].allows(
                src_kind, src_sub, tgt_kind, tgt_sub
            )
        return hit

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

    def _identifier(self, text: str) -> IdentifierRow:
        """A SCHEME:VALUE cell part checked against its scheme (cached per distinct text)."""
        return _cached(self._cache("identifier"), text, self._check_identifier, text)

    def _check_identifier(self, text: str) -> IdentifierRow:
        scheme, sep, value = text.partition(":")
        if not sep or not scheme.strip() or not value.strip():
            raise ValidationError(
                "identifiers", f"{text[:60]!r} is not SCHEME:VALUE (e.g. LEI:5493…)"
            )
        return checked_identifier(IdentifierIn(scheme.strip(), value.strip()), self.vocab)

    def _wallet(self, chain: str, address: str) -> dict[str, Any]:
        """Chain, normalised address and match key of a wallet (cached; callers copy, never mutate)."""
        return _cached(self._cache("wallet"), (chain, address), _prepared_wallet, chain, address)

    # -- converting a row --------------------------------------------------------------------

    def convert(self, row: int, cells: list[str]) -> RowDraft | Reject:
        """The drafts one row describes, or its rejection with every reason found."""
        width = self.width
        if len(cells) != width:
            # A row with more or fewer cells than the header is nearly always broken quoting or a
            # wrong delimiter: importing it would put values into the wrong fields.
            extra = [c for c in cells[width:] if c.strip()]
            if len(cells) < width or extra:
                detail = f" (extra: {extra[0][:40]!r})" if extra else ""
                return Reject(
                    row,
                    tuple(cells),
                    (
                        f"the row has {len(cells)} cell{'s' if len(cells) != 1 else ''} but the header has "
                        f"{width} column{'s' if width != 1 else ''}{detail}; "
                        "check quotes and delimiters",
                    ),
                )
            cells = cells[:width]
        limit = self.settings.max_cell_chars
        if max(map(len, cells)) > limit:
            i = next(i for i, c in enumerate(cells) if len(c) > limit)
            return Reject(
                row,
                tuple(cells),
                (
                    f"{self.columns[i]}: the cell has {len(cells[i]):,} characters (the limit is {limit:,})",
                ),
            )
        reasons: list[str] = []
        entities: dict[str, EntityDraft] = {}
        notes_lines: list[str] = []
        absent: list[str] = []
        for rec, label_getter, field_getters in self._records:
            label, label_col = label_getter(cells)
            if not label:
                if rec.required:
                    reasons.append(
                        f"{self._where(rec.fields['label'])}: a {rec.kind} name is required "
                        f"(the {rec.key} of the row)"
                    )
                else:
                    absent.append(rec.key)
                continue
            if len(label) > self.settings.max_label_chars:
                reasons.append(
                    f"{label_col or rec.key}: a name of {len(label):,} characters is too long "
                    f"(the limit is {self.settings.max_label_chars:,})"
                )
                continue
            memo = self._memos.get(rec.key)
            if memo is not None:
                memo_key = memo.key(cells)
                hit = memo.drafts.get(memo_key)
                if hit is not None:
                    memo.hits += 1
                    entities[rec.key] = hit
                    continue
                before = len(reasons)
            draft = EntityDraft(rec.key, rec.kind, {"label": label})
            wallet: dict[str, str] = {}
            chain_refused = False  # the file gave a chain, but not one we know
            fields = draft.fields
            for name, _spec, getter, split, clean, code, idx, col in field_getters:
                if code >= _FIXED:
                    value = getter(cells)
                    if isinstance(value, ValidationError):
                        reasons.append(f"{col or name}: {value.reason}")
                        chain_refused = code == _FIXED_WALLET
                    elif code == _FIXED:
                        fields[name] = value
                    else:
                        wallet[name] = value
                    continue
                if idx >= 0:
                    value = cells[idx].strip()
                else:
                    try:
                        value, col = getter(cells)
                    except ValidationError as exc:
                        reasons.append(f"{rec.key}.{name}: {exc.reason}")
                        continue
                if not value:
                    continue
                if code == _TEXT:
                    fields[name] = value
                    continue
                try:
                    if code == _CLEAN:
                        fields[name] = clean(value)
                    elif code == _ALIASES:
                        draft.aliases.extend(
                            AliasIn(p.strip()) for p in value.split(split) if p.strip()
                        )
                    elif code == _IDENTIFIERS:
                        draft.identifiers.extend(
                            self._identifier(p.strip()) for p in value.split(split) if p.strip()
                        )
                    elif code == _ADDRESSES:
                        draft.addresses.extend(
                            Address(full=p.strip(), city="", country=None)
                            for p in value.split(split)
                            if p.strip()
                        )
                    elif code == _WALLET_CHAIN:
                        wallet[name] = clean(value)
                    elif code == _WALLET_ADDRESS:
                        wallet[name] = value
                    elif code == _SERVER_COUNT:
                        number, qualifier = self.count_with_qualifier(value)
                        fields[name] = clean(number)
                        if qualifier and "count_qualifier" not in rec.fields:
                            fields["count_qualifier"] = qualifier
                    else:
                        fields[name] = [p.strip() for p in value.split(split) if p.strip()]
                except ValidationError as exc:
                    reasons.append(f"{col or name}: {exc.reason}")
                    chain_refused = chain_refused or code == _WALLET_CHAIN
            if rec.kind == "wallet" and not chain_refused:
                # (a refused chain already has its reason: "no chain given" would be wrong)
                if not wallet.get("chain"):
                    reasons.append(
                        f"{rec.key}: no chain given for the wallet (choose one, e.g. --chain ETH)"
                    )
                elif not wallet.get("address"):
                    reasons.append(f"{rec.key}: the wallet address is empty")
                else:
                    try:
                        checked = self._wallet(wallet["chain"], wallet["address"])
                    except ValidationError as exc:
                        reasons.append(f"{self._where(rec.fields['address'])}: {exc.reason}")
                    else:
                        if draft.fields["label"] == wallet["address"]:
                            draft.fields["label"] = checked["address"]
                        draft.fields.update(checked)
            entities[rec.key] = draft
            if memo is not None and len(reasons) == before:
                memo.remember(memo_key, draft)
                if memo.useless():
                    del self._memos[rec.key]
        links: list[LinkDraft] = []
        for lk, field_getters in self._links:
            src, tgt = entities.get(lk.source), entities.get(lk.target)
            if src is None or tgt is None:
                continue
            lt = self.vocab.link_types[lk.type]
            if not self.allows(lk.type, src.kind, src.party_kind, tgt.kind, tgt.party_kind):
                reasons.append(
                    f"{lk.key}: a {src.party_kind or src.kind} ({src.label[:40]!r}) cannot be "
                    f"linked to a {tgt.party_kind or tgt.kind} ({tgt.label[:40]!r}) by {lt.label!r}"
                )
                continue
            fields: dict[str, Any] = {}
            for name, _spec, getter, clean in field_getters:
                col = ""
                try:
                    value, col = getter(cells)
                    if value:
                        fields[name] = clean(value)
                except ValidationError as exc:
                    reasons.append(f"{col or lk.key + '.' + name}: {exc.reason}")
            if "start_on" in fields and "end_on" in fields:
                from casedesk.domain.dates import parse_partial_date

                if (
                    parse_partial_date(fields["end_on"]).last_day()
                    < parse_partial_date(fields["start_on"]).first_day()
                ):
                    reasons.append(
                        f"{lk.key}: ends ({fields['end_on']}) before it starts ({fields['start_on']})"
                    )
            links.append(LinkDraft(lk.key, lk.type, lk.source, lk.target, fields))
        if reasons:
            return Reject(row, tuple(cells), tuple(reasons))
        # Keep every value the mapping does not place: unmapped columns, and the columns of
        # optional records this row does not have, become "column: value" notes.
        for key in absent:
            notes_lines.extend(
                f"{self.columns[i]}: {cells[i].strip()}"
                for i in self._own_columns.get(key, ())
                if cells[i].strip()
            )
        if self._note_labels:
            notes_lines += [
                f"{head}{v}" for i, head in self._note_labels if (v := cells[i].strip())
            ]
        if notes_lines:
            self._add_notes(entities, links, "\n".join(notes_lines))
        return RowDraft(row, entities, links)

    def _where(self, sources: tuple[Source, ...]) -> str:
        for s in sources:
            for name in s.column_names():
                i = find_column(name, self.columns)
                if i is not None:
                    return self.columns[i]
        names = [n for s in sources for n in s.column_names()]
        return names[0] if names else "value"

    def _add_notes(
        self, entities: dict[str, EntityDraft], links: list[LinkDraft], text: str
    ) -> None:
        target = self.mapping.notes_target
        holder: dict[str, Any] | None = None
        for lk in links:
            if lk.key == target:
                holder = lk.fields
        if holder is None:
            # the notes' record; when it is absent from this row, the first record the row has
            key = target if target in entities else next(iter(entities))
            draft = entities[key]
            if draft.shared:  # other rows hold the same draft: this row gets its own copy
                draft = entities[key] = EntityDraft(
                    draft.key,
                    draft.kind,
                    dict(draft.fields),
                    draft.aliases,
                    draft.identifiers,
                    draft.addresses,
                )
            holder = draft.fields
        old = holder.get("notes") or ""
        holder["notes"] = f"{old}\n{text}" if old else text
