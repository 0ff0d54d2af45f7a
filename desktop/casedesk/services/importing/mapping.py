"""Import mappings: which columns become which fields of which records, and the links between them.

One row of a file can create several records (an owner and an owned company, a server fleet with
its data center and owner) and the links between them, Maltego-style. A mapping is plain data
(kept in files by mapping_files: presets ship as YAML, users save their own as YAML or JSON).

A field's value comes from a *source*, written in a mapping file as:
  - ``name``                         the column "name" (case, spaces, '_' and '-' ignored; '*' globs)
  - ``[DateTime (UTC), Date]``       the first of these columns with a value
  - ``{constant: company}``          the same value on every row
  - ``{parameter: chain}``           a value given at import time (``--chain``), with a default
  - ``{template: "{a} at {b}"}``     columns put into a text (empty when one of them is empty)
  - ``{labelled: [Txhash, Status]}`` "Txhash: …" lines for those columns that have a value
  - ``{column: x, split: ";"}``      several values in one cell (aliases, identifiers)
  - ``{column: x, transform: unix_time}``  seconds since 1970 → date (``unix_datetime``: → UTC time)
  - ``{column: [a, b], transform: nonzero}``  the first of the columns whose number is not zero
  - ``{column: "Value_IN(*)", transform: header_unit}``  the unit the header names: "ETH"
  - a list of sources                the first one giving a value
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.fields import LINK_FIELDS, fields_of
from casedesk.services.importing.sniffing import header_key

# Fields a record's mapping may fill besides its kind's own: child rows of the record.
CHILD_FIELDS = ("aliases", "identifiers", "addresses")
TRANSFORMS = ("unix_time", "unix_datetime", "nonzero", "header_unit")
# The two columns a rejects file adds; ignored when a corrected rejects file is imported again.
REJECT_COLUMNS = ("rejected_row", "rejected_reason")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def _bad(reason: str) -> ValidationError:
    return ValidationError("mapping", reason)


@dataclass(frozen=True)
class Source:
    """One way to get a value from a row (see the module docstring for the forms)."""

    columns: tuple[str, ...] = ()
    constant: str | None = None
    parameter: str | None = None
    template: str | None = None
    labelled: tuple[str, ...] = ()
    split: str | None = None
    transform: str | None = None

    def column_names(self) -> tuple[str, ...]:
        """Every column name this source reads."""
        if self.template is not None:
            return tuple(_PLACEHOLDER.findall(self.template))
        return self.columns + self.labelled

    def to_data(self) -> Any:
        """The compact mapping-file form of this source."""
        if self.columns and len(self.columns) == 1 and not (self.split or self.transform):
            return self.columns[0]
        out: dict[str, Any] = {}
        if self.columns:
            out["column"] = self.columns[0] if len(self.columns) == 1 else list(self.columns)
        for name in ("constant", "parameter", "template", "split", "transform"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.labelled:
            out["labelled"] = list(self.labelled)
        return out

    @staticmethod
    def from_data(raw: Any, where: str) -> Source:
        """Read one source from its mapping-file form."""
        if isinstance(raw, str):
            return Source(columns=(raw,))
        if not isinstance(raw, dict):
            raise _bad(f"{where}: a source is a column name or a mapping, not {type(raw).__name__}")
        unknown = set(raw) - {
            "column",
            "constant",
            "parameter",
            "template",
            "labelled",
            "split",
            "transform",
        }
        if unknown:
            raise _bad(f"{where}: unknown source key {sorted(unknown)[0]!r}")
        column = raw.get("column")
        columns = (column,) if isinstance(column, str) else tuple(column or ())
        labelled = raw.get("labelled") or ()
        labelled = (labelled,) if isinstance(labelled, str) else tuple(labelled)
        src = Source(
            columns=columns,
            constant=None if raw.get("constant") is None else str(raw["constant"]),
            parameter=raw.get("parameter"),
            template=raw.get("template"),
            labelled=labelled,
            split=raw.get("split"),
            transform=raw.get("transform"),
        )
        given = sum(
            1
            for x in (
                src.columns,
                src.constant is not None,
                src.parameter,
                src.template,
                src.labelled,
            )
            if x
        )
        if given != 1:
            raise _bad(
                f"{where}: give exactly one of column, constant, parameter, template, labelled"
            )
        if not all(isinstance(c, str) and c.strip() for c in src.columns + src.labelled):
            raise _bad(f"{where}: column names must be non-empty text")
        if src.transform is not None and src.transform not in TRANSFORMS:
            raise _bad(
                f"{where}: unknown transform {src.transform!r} (one of {', '.join(TRANSFORMS)})"
            )
        if src.split is not None and (not isinstance(src.split, str) or not src.split):
            raise _bad(f"{where}: split must be a non-empty text such as ';'")
        if src.template is not None and not _PLACEHOLDER.search(str(src.template)):
            raise _bad(f"{where}: a template needs at least one {{column}} placeholder")
        return src


Sources = tuple[Source, ...]


def sources_from_data(raw: Any, where: str) -> Sources:
    """Read a field's sources: one source, or a list of alternatives (first with a value wins)."""
    if isinstance(raw, list):
        if not raw:
            raise _bad(f"{where}: an empty list of sources")
        if all(isinstance(r, str) for r in raw):
            return (Source(columns=tuple(raw)),)
        return tuple(Source.from_data(r, where) for r in raw)
    return (Source.from_data(raw, where),)


def sources_to_data(sources: Sources) -> Any:
    """The compact mapping-file form of a field's sources."""
    return sources[0].to_data() if len(sources) == 1 else [s.to_data() for s in sources]


@dataclass(frozen=True)
class RecordMap:
    """A record each row creates (or matches): its key in the mapping, kind and field sources."""

    key: str
    kind: str
    fields: dict[str, Sources]
    required: bool = True


@dataclass(frozen=True)
class LinkMap:
    """A link each row creates between two of its records, with field sources."""

    key: str
    type: str
    source: str
    target: str
    fields: dict[str, Sources] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    """A value chosen at import time for every row (e.g. the chain of a transaction export)."""

    name: str
    label: str
    default: str | None = None


@dataclass(frozen=True)
class Mapping:
    """A complete mapping: records and links per row, parameters, where unmapped columns go."""

    name: str
    records: tuple[RecordMap, ...]
    links: tuple[LinkMap, ...] = ()
    label: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    notes_on: str | None = None  # record or link key keeping unmapped columns as notes
    ignore: tuple[str, ...] = ()  # columns the user chose to leave out

    @property
    def notes_target(self) -> str:
        """The record or link key that keeps unmapped columns as notes."""
        return self.notes_on or self.records[0].key

    def record(self, key: str) -> RecordMap:
        """The record map with this key."""
        for r in self.records:
            if r.key == key:
                return r
        raise KeyError(key)

    def column_names(self) -> set[str]:
        """Every column name any source of the mapping reads."""
        names: set[str] = set()
        for item in (*self.records, *self.links):
            for sources in item.fields.values():
                for s in sources:
                    names.update(s.column_names())
        return names

    def known_header_keys(self) -> set[str]:
        """Header keys of the mapping's plain (non-glob) columns: they help find the header row."""
        return {header_key(n) for n in self.column_names() if "*" not in n}

    def to_data(self) -> dict[str, Any]:
        """The mapping-file form (YAML/JSON) of this mapping."""
        out: dict[str, Any] = {"name": self.name}
        if self.label:
            out["label"] = self.label
        if self.description:
            out["description"] = self.description
        if self.parameters:
            out["parameters"] = {
                p.name: {
                    "label": p.label,
                    **({"default": p.default} if p.default is not None else {}),
                }
                for p in self.parameters
            }
        out["records"] = [
            {
                "key": r.key,
                "kind": r.kind,
                "required": r.required,
                "fields": {k: sources_to_data(v) for k, v in r.fields.items()},
            }
            for r in self.records
        ]
        if self.links:
            out["links"] = [
                {
                    "key": lk.key,
                    "type": lk.type,
                    "source": lk.source,
                    "target": lk.target,
                    **(
                        {"fields": {k: sources_to_data(v) for k, v in lk.fields.items()}}
                        if lk.fields
                        else {}
                    ),
                }
                for lk in self.links
            ]
        if self.notes_on:
            out["notes_on"] = self.notes_on
        if self.ignore:
            out["ignore"] = list(self.ignore)
        return out


def mapping_from_data(
    raw: Any, *, vocab: Vocabulary | None = None, origin: str = "mapping"
) -> Mapping:
    """Read and check a mapping from its file form; ValidationError naming what is wrong."""
    vocab = vocab or default_vocabulary()
    if not isinstance(raw, dict):
        raise _bad(f"{origin}: a mapping file holds a mapping with 'records' (and 'links')")
    unknown = set(raw) - {
        "name",
        "label",
        "description",
        "parameters",
        "records",
        "links",
        "notes_on",
        "ignore",
    }
    if unknown:
        raise _bad(f"{origin}: unknown key {sorted(unknown)[0]!r}")
    params = []
    for name, spec in (raw.get("parameters") or {}).items():
        spec = spec if isinstance(spec, dict) else {"default": spec}
        params.append(
            Parameter(
                str(name),
                str(spec.get("label", name)),
                None if spec.get("default") is None else str(spec["default"]),
            )
        )
    records = []
    for n, r in enumerate(raw.get("records") or ()):
        if not isinstance(r, dict):
            raise _bad(f"{origin}: record {n + 1} must be a mapping")
        where = f"{origin}: record {r.get('key', n + 1)!r}"
        fields = {
            str(k): sources_from_data(v, f"{where}, field {k!r}")
            for k, v in (r.get("fields") or {}).items()
        }
        records.append(
            RecordMap(
                key=str(r.get("key") or f"record{n + 1}"),
                kind=str(r.get("kind", "")),
                fields=fields,
                required=bool(r.get("required", True)),
            )
        )
    links = []
    for n, lk in enumerate(raw.get("links") or ()):
        if not isinstance(lk, dict):
            raise _bad(f"{origin}: link {n + 1} must be a mapping")
        where = f"{origin}: link {lk.get('key', n + 1)!r}"
        fields = {
            str(k): sources_from_data(v, f"{where}, field {k!r}")
            for k, v in (lk.get("fields") or {}).items()
        }
        links.append(
            LinkMap(
                key=str(lk.get("key") or f"link{n + 1}"),
                type=str(lk.get("type", "")),
                source=str(lk.get("source", "")),
                target=str(lk.get("target", "")),
                fields=fields,
            )
        )
    ignore = raw.get("ignore") or ()
    mapping = Mapping(
        name=str(raw.get("name") or "custom"),
        label=str(raw.get("label") or ""),
        description=str(raw.get("description") or ""),
        records=tuple(records),
        links=tuple(links),
        parameters=tuple(params),
        notes_on=None if raw.get("notes_on") is None else str(raw["notes_on"]),
        ignore=tuple(str(c) for c in ([ignore] if isinstance(ignore, str) else ignore)),
    )
    check_mapping(mapping, vocab, origin=origin)
    return mapping


def check_mapping(
    mapping: Mapping, vocab: Vocabulary | None = None, *, origin: str = "mapping"
) -> None:
    """Refuse a mapping that names unknown kinds, fields, link types or record keys."""
    vocab = vocab or default_vocabulary()
    if not mapping.records:
        raise _bad(f"{origin}: a mapping needs at least one record")
    keys: set[str] = set()
    params = {p.name for p in mapping.parameters}
    for item in (*mapping.records, *mapping.links):
        if not _KEY.fullmatch(item.key):
            raise _bad(f"{origin}: {item.key!r} is not a key (letters, digits and '_')")
        if item.key in keys:
            raise _bad(f"{origin}: key {item.key!r} is used twice")
        keys.add(item.key)
    kinds: dict[str, str] = {}
    for r in mapping.records:
        if r.kind not in vocab.record_kinds:
            raise _bad(
                f"{origin}: record {r.key!r} has unknown kind {r.kind!r} "
                f"(one of {', '.join(vocab.record_kinds)})"
            )
        allowed = {s.name for s in fields_of(r.kind)} | set(CHILD_FIELDS)
        for name in r.fields:
            if name not in allowed:
                raise _bad(
                    f"{origin}: {r.kind} record {r.key!r} has no field {name!r} "
                    f"(fields: {', '.join(sorted(allowed))})"
                )
        if "label" not in r.fields:
            raise _bad(f"{origin}: record {r.key!r} needs a source for its label")
        if r.kind == "wallet" and "address" not in r.fields:
            raise _bad(f"{origin}: wallet record {r.key!r} needs a source for its address")
        kinds[r.key] = r.kind
    link_fields = {s.name for s in LINK_FIELDS}
    for lk in mapping.links:
        lt = vocab.link_types.get(lk.type)
        if lt is None:
            raise _bad(f"{origin}: link {lk.key!r} has unknown type {lk.type!r}")
        for end in (lk.source, lk.target):
            if end not in kinds:
                raise _bad(f"{origin}: link {lk.key!r} refers to no record {end!r}")
        if lk.source == lk.target:
            raise _bad(f"{origin}: link {lk.key!r} runs from a record to itself")
        src_kind, tgt_kind = kinds[lk.source], kinds[lk.target]
        if not any(
            lt.allows(src_kind, s, tgt_kind, t)
            for s in _subkinds(vocab, src_kind)
            for t in _subkinds(vocab, tgt_kind)
        ):
            raise _bad(
                f"{origin}: link {lk.key!r}: a {src_kind} cannot be linked to a {tgt_kind} "
                f"by {lt.label!r}"
            )
        for name in lk.fields:
            if name not in link_fields:
                raise _bad(
                    f"{origin}: link {lk.key!r} has no field {name!r} "
                    f"(fields: {', '.join(sorted(link_fields))})"
                )
        if "share_pct" in lk.fields and not lt.has_share:
            raise _bad(f"{origin}: {lt.label!r} links have no share")
    for item in (*mapping.records, *mapping.links):
        for name, sources in item.fields.items():
            for s in sources:
                if s.parameter is not None and s.parameter not in params:
                    raise _bad(
                        f"{origin}: {item.key}.{name} uses undeclared parameter {s.parameter!r}"
                    )
    if mapping.notes_on is not None and mapping.notes_on not in keys:
        raise _bad(f"{origin}: notes_on names no record or link {mapping.notes_on!r}")


def _subkinds(vocab: Vocabulary, kind: str) -> Iterable[str | None]:
    return list(vocab.party_kinds) if kind == "party" else [None]


# --- resolving column names against a header ------------------------------------------------


def find_column(name: str, columns: tuple[str, ...] | list[str]) -> int | None:
    """The index of the column a mapping name denotes (loose match; '*' globs), or None."""
    key = header_key(name)
    keys = [header_key(c) for c in columns]
    if "*" in key:
        # Only '*' is special: brackets and '?' in a column name are taken literally.
        pattern = re.compile(".*".join(re.escape(part) for part in key.split("*")))
        for i, k in enumerate(keys):
            if pattern.fullmatch(k):
                return i
        return None
    try:
        return keys.index(key)
    except ValueError:
        return None
