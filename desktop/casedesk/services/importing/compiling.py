"""A mapping compiled against a file's header: for every field, a getter and how to handle it.

Done once per import, so converting a row only runs the getters: which column (or template, or
constant) a field reads, the cleaner of its values, and a code saying how convert() treats it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.fields import LINK_FIELDS, FieldSpec, fields_of
from casedesk.services.importing.cells import (
    CellCleaner,
    bounded_store,
    fixed_outcome,
    header_unit,
    is_zero,
    unix_time_date,
    unix_time_moment,
)
from casedesk.services.importing.drafts import MATCHED_KINDS, EntityDraft
from casedesk.services.importing.mapping import (
    CHILD_FIELDS,
    REJECT_COLUMNS,
    LinkMap,
    Mapping,
    RecordMap,
    Source,
    find_column,
)
from casedesk.services.importing.settings import import_settings

_MEMO_TRIAL = 20_000  # new drafts after which a memo that finds few repeats switches off
# How convert() handles a record field (decided once per mapping, not per row).
(
    CLEAN,
    TEXT,
    ALIASES,
    IDENTIFIERS,
    ADDRESSES,
    WALLET_CHAIN,
    WALLET_ADDRESS,
    SERVER_COUNT,
    LIST,
    FIXED,
    FIXED_WALLET,
) = range(11)

Getter = Callable[[list[str]], tuple[str, str]]  # cells -> (value, column it came from)


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
        bounded_store(self.drafts, key, draft)
        self.made += 1

    def useless(self) -> bool:
        """True after 20,000 new drafts when fewer than one in twenty rows was a repeat.

        Judged that late because repeats build up: 100,000 wallets drawn at random repeat in
        under 2 % of the first 2,000 rows but in 90 % over a million (the memo's best case).
        """
        return self.made == _MEMO_TRIAL and self.hits * 20 < self.made


class CompiledMapping:
    """One mapping compiled against one file's header: a getter and a handling code per field."""

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
        self.cells = CellCleaner(vocab, self.settings)
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

        if transform == "header_unit":
            unit = header_unit(names[0])
            fixed = lambda cells: (unit, names[0])  # noqa: E731
            return fixed
        if transform == "nonzero":

            def nonzero(cells: list[str]) -> tuple[str, str]:
                given = [(v, n) for i, n in zip(idxs, names) if (v := cells[i].strip())]
                return next((g for g in given if not is_zero(g[0])), given[0] if given else ("", ""))

            return nonzero

        def column(cells: list[str]) -> tuple[str, str]:
            for i, n in zip(idxs, names):
                v = cells[i].strip()
                if v:
                    if transform == "unix_time":
                        return unix_time_date(v), n
                    if transform == "unix_datetime":
                        return unix_time_moment(v), n
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
                code = ALIASES
            elif name == "identifiers":
                code = IDENTIFIERS
            elif name == "addresses":
                code = ADDRESSES
            elif rec.kind == "wallet" and name == "chain":
                code = WALLET_CHAIN
            elif rec.kind == "wallet" and name == "address":
                code = WALLET_ADDRESS
            elif name == "server_count":
                code = SERVER_COUNT
            elif split and spec is not None and spec.type == "list":
                code = LIST
            elif spec is not None and spec.type in ("text", "longtext"):
                code = TEXT
            else:
                code = CLEAN
            simple = self._simple.get(id(getter), (-1, ""))
            clean = self.cells.cleaner(spec) if spec is not None else None
            fixed = self._fixed.get(id(getter))
            if fixed is not None and code in (CLEAN, TEXT, WALLET_CHAIN):
                # A constant or parameter: cleaned once here, not once per row.
                value, col = fixed
                if not value:
                    continue
                try:
                    cleaned = value if code == TEXT or clean is None else clean(value)
                except ValidationError as exc:
                    cleaned = exc
                code = FIXED_WALLET if code == WALLET_CHAIN else FIXED
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
            clean = self.cells.cleaner(specs[name])
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
                clean = fixed_outcome
            fields.append((name, specs[name], getter, clean))
        self.used |= track
        self._link_columns |= track
        return lk, fields

    # -- the vocabulary's rules ---------------------------------------------------------------

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
