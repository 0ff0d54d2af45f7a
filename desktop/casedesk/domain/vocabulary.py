"""Vocabularies as data: resources/vocab/*.yaml loaded into frozen, typed objects.

Each file holds one or more named sections, each a list of entries with a ``code``. Loading is
strict: a missing or mistyped field, an unknown field, an unknown reference, a duplicate code or a
bad date raises VocabularyError naming the file, the entry and the field.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import pycountry
import yaml

from casedesk.domain.errors import VocabularyError
from casedesk.paths import resources_dir

# --- the vocabulary objects -------------------------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    """A node type of the case graph (party, wallet, datacenter, server, contract)."""

    code: str
    label: str
    plural: str
    icon: str
    caption: str  # the field shown as the record's label
    description: str | None


@dataclass(frozen=True)
class PartyKind:
    """A refinement of the party record kind (company, person, …)."""

    code: str
    label: str
    icon: str
    description: str | None


@dataclass(frozen=True)
class Endpoint:
    """An allowed end of a link: a record kind, or a party refined by kind ("party/person")."""

    kind: str
    subkind: str | None = None

    def matches(self, kind: str, subkind: str | None) -> bool:
        """True if a record of this kind (and party kind) fits this endpoint."""
        return self.kind == kind and (self.subkind is None or self.subkind == subkind)

    def __str__(self) -> str:
        return self.kind if self.subkind is None else f"{self.kind}/{self.subkind}"


@dataclass(frozen=True)
class LinkType:
    """A typed, directed link between records, with the endpoint kinds it allows."""

    code: str
    label: str
    inverse_label: str
    sources: tuple[Endpoint, ...]
    targets: tuple[Endpoint, ...]
    has_share: bool
    symmetric: bool
    same_kind: bool  # both ends must be records of the same kind (same_as)
    description: str

    def allows(
        self,
        source_kind: str,
        source_subkind: str | None,
        target_kind: str,
        target_subkind: str | None,
    ) -> bool:
        """True if a link of this type may run from the source record to the target record."""
        if self.same_kind and source_kind != target_kind:
            return False
        return any(e.matches(source_kind, source_subkind) for e in self.sources) and any(
            e.matches(target_kind, target_subkind) for e in self.targets
        )


@dataclass(frozen=True)
class ContractRole:
    """A role a party can take in a contract (lessor, payer, …)."""

    code: str
    label: str
    description: str | None


@dataclass(frozen=True)
class ContractType:
    """A contract type and the role codes allowed in it."""

    code: str
    label: str
    roles: tuple[str, ...]
    description: str | None


@dataclass(frozen=True)
class IdentifierScheme:
    """An identifier scheme (USCC, LEI, …): its check, where it applies and the names it goes by."""

    code: str
    label: str
    validator: str | None  # name understood by casedesk.domain.identifiers.validate_identifier
    applies_to: tuple[Endpoint, ...]
    country: str | None
    aliases: tuple[str, ...]

    def applies(self, kind: str, subkind: str | None = None) -> bool:
        """True if a record of this kind (and party kind) may carry this identifier."""
        return any(e.matches(kind, subkind) for e in self.applies_to)


@dataclass(frozen=True)
class Chain:
    """A blockchain a wallet can live on."""

    code: str
    label: str
    address_format: str  # bitcoin | ethereum | tron | solana | litecoin | other
    evm: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Membership:
    """A country's membership of a group from `valid_from` (inclusive) to `valid_to` (exclusive)."""

    country: str
    valid_from: date | None  # None: start not transcribed
    valid_to: date | None  # None: still a member
    note: str | None

    def active_on(self, day: date) -> bool:
        """True if the membership applies on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


@dataclass(frozen=True)
class CountryGroup:
    """An EAR country group (D:1, D:5, A:5, …, or the MACAU marker) with dated membership."""

    code: str
    label: str
    meaning: str
    source: str
    of_concern: bool  # decides the headquarters rule (D:5 and Macau)
    members: tuple[Membership, ...]

    def contains(self, alpha2: str, on: date) -> bool:
        """True if the country is a member on the given day."""
        return any(m.country == alpha2 and m.active_on(on) for m in self.members)


@dataclass(frozen=True)
class Term:
    """An entry of a small closed list (grade, evidence kind, alias kind, script, fleet status)."""

    code: str
    label: str
    description: str | None


@dataclass(frozen=True)
class CountQualifier:
    """How sure a count is; `word` precedes the number in prose ("at least 300")."""

    code: str
    label: str
    word: str


# eq=False: the mapping field is unhashable, and a catalog entry is identified by its code anyway.
@dataclass(frozen=True, eq=False)
class AcceleratorModel:
    """An accelerator model with the figures 3A090 classifies by (TPP in bit-TOPS, PD per mm²)."""

    code: str
    name: str
    vendor: str
    aliases: tuple[str, ...]
    dense_tops: Mapping[int, float]  # bit length -> dense TOPS
    tpp: float  # as stated by the source
    tpp_computed: float | None  # max(TOPS × bits) over dense_tops
    die_area_mm2: float | None
    performance_density: float | None  # tpp / die_area_mm2
    io_gbps: float | None
    memory: str | None
    datacenter: bool
    prc_made: bool
    announced: int | None
    notes: str | None
    source: str


@dataclass(frozen=True, eq=False)
class AcceleratorCatalog:
    """The accelerator models in file order, looked up by code or by any name or alias."""

    models: Mapping[str, AcceleratorModel]
    _lookup: Mapping[str, str] = field(repr=False)

    def find(self, name_or_alias: str) -> AcceleratorModel | None:
        """Return the model a name or alias denotes (case, space, punctuation ignored), or None."""
        code = self._lookup.get(_lookup_key(name_or_alias))
        return None if code is None else self.models[code]

    def __getitem__(self, code: str) -> AcceleratorModel:
        return self.models[code]

    def __iter__(self) -> Iterator[AcceleratorModel]:
        return iter(self.models.values())

    def __len__(self) -> int:
        return len(self.models)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Every vocabulary CaseDesk uses, keyed by code in file order."""

    record_kinds: Mapping[str, RecordKind]
    party_kinds: Mapping[str, PartyKind]
    link_types: Mapping[str, LinkType]
    contract_roles: Mapping[str, ContractRole]
    contract_types: Mapping[str, ContractType]
    identifier_schemes: Mapping[str, IdentifierScheme]
    chains: Mapping[str, Chain]
    country_groups: Mapping[str, CountryGroup]
    accelerators: AcceleratorCatalog
    source_reliability: Mapping[str, Term]
    information_credibility: Mapping[str, Term]
    evidence_kinds: Mapping[str, Term]
    alias_kinds: Mapping[str, Term]
    scripts: Mapping[str, Term]
    fleet_statuses: Mapping[str, Term]
    count_qualifiers: Mapping[str, CountQualifier]
    _scheme_lookup: Mapping[str, str] = field(repr=False)
    _chain_lookup: Mapping[str, str] = field(repr=False)

    def find_scheme(self, name_or_alias: str) -> IdentifierScheme | None:
        """Return the scheme a code, label or alias denotes ("USCC", "LEI"), or None."""
        code = self._scheme_lookup.get(_lookup_key(name_or_alias))
        return None if code is None else self.identifier_schemes[code]

    def find_chain(self, name_or_alias: str) -> Chain | None:
        """Return the chain a code, label or alias denotes ("XBT", "Tron"), or None."""
        code = self._chain_lookup.get(_lookup_key(name_or_alias))
        return None if code is None else self.chains[code]

    def groups_of(self, alpha2: str, on: date) -> frozenset[str]:
        """Return the codes of the country groups the country belongs to on the given day."""
        country = alpha2.strip().upper()
        return frozenset(g.code for g in self.country_groups.values() if g.contains(country, on))

    def is_country_of_concern(self, alpha2: str, on: date) -> bool:
        """True if the country is in D:5 or is Macau on that day (the headquarters rule's test)."""
        country = alpha2.strip().upper()
        return any(g.of_concern and g.contains(country, on) for g in self.country_groups.values())


def _lookup_key(text: str) -> str:
    """Fold a name for lookup: NFKC, casefold, letters and digits only ("H100-SXM" -> "h100sxm")."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


# --- loading ----------------------------------------------------------------------------------


@functools.cache
def default_vocabulary() -> Vocabulary:
    """Return the shipped vocabulary (resources_dir()/vocab), loaded once per process."""
    return load_vocabulary(resources_dir() / "vocab")


def load_vocabulary(directory: Path) -> Vocabulary:
    """Load and cross-check the vocabulary files in `directory` (VocabularyError if malformed)."""
    directory = Path(directory)
    record_kinds = _load_record_kinds(directory)
    party_kinds = _load_party_kinds(directory)
    subkinds = {"party": party_kinds}  # the only record kind refined by a sub-vocabulary
    link_types = _load_link_types(directory, record_kinds, subkinds)
    roles, contract_types = _load_contracts(directory)
    schemes, scheme_lookup = _load_identifier_schemes(directory, record_kinds, subkinds)
    chains, chain_lookup = _load_chains(directory)
    lists = _load_lists(directory)
    return Vocabulary(
        record_kinds=record_kinds,
        party_kinds=party_kinds,
        link_types=link_types,
        contract_roles=roles,
        contract_types=contract_types,
        identifier_schemes=schemes,
        chains=chains,
        country_groups=_load_countries(directory),
        accelerators=_load_accelerators(directory),
        source_reliability=lists["source_reliability"],
        information_credibility=lists["information_credibility"],
        evidence_kinds=lists["evidence_kinds"],
        alias_kinds=lists["alias_kinds"],
        scripts=lists["scripts"],
        fleet_statuses=lists["fleet_statuses"],
        count_qualifiers=lists["count_qualifiers"],
        _scheme_lookup=scheme_lookup,
        _chain_lookup=chain_lookup,
    )


_LOWER = re.compile(r"[a-z][a-z0-9_]*")
_UPPER = re.compile(r"[A-Z][A-Z0-9_]*")
_GROUP = re.compile(r"[A-Z]:[0-9]+|[A-Z][A-Z_]*")
_SCRIPT = re.compile(r"[A-Z][a-z]{3}|other")  # ISO 15924
_ICON = re.compile(r"[a-z0-9][a-z0-9_\-]*\.svg")
_VALIDATOR = re.compile(r"stdnum:[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*|[a-z][a-z0-9_]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ADDRESS_FORMATS = ("bitcoin", "ethereum", "tron", "solana", "litecoin", "other")
_EXTRA_COUNTRIES = frozenset({"XK"})  # Kosovo: user-assigned code, used by sanctions lists


def _load_record_kinds(directory: Path) -> Mapping[str, RecordKind]:
    file = "record_kinds.yaml"
    out = {}
    for code, raw in _entries(_read(directory, file, "record_kinds"), file, "record_kinds", _LOWER):
        _check_fields(
            raw, file, code, {"code", "label", "plural", "icon", "caption", "description"}
        )
        out[code] = RecordKind(
            code,
            _req_str(raw, file, code, "label"),
            _req_str(raw, file, code, "plural"),
            _req_match(raw, file, code, "icon", _ICON),
            _req_match(raw, file, code, "caption", _LOWER),
            _opt_str(raw, file, code, "description"),
        )
    return MappingProxyType(out)


def _load_party_kinds(directory: Path) -> Mapping[str, PartyKind]:
    file = "party_kinds.yaml"
    out = {}
    for code, raw in _entries(_read(directory, file, "party_kinds"), file, "party_kinds", _LOWER):
        _check_fields(raw, file, code, {"code", "label", "icon", "description"})
        out[code] = PartyKind(
            code,
            _req_str(raw, file, code, "label"),
            _req_match(raw, file, code, "icon", _ICON),
            _opt_str(raw, file, code, "description"),
        )
    return MappingProxyType(out)


def _load_link_types(
    directory: Path, record_kinds: Mapping[str, Any], subkinds: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, LinkType]:
    file = "link_types.yaml"
    out = {}
    fields = {
        "code",
        "label",
        "inverse_label",
        "sources",
        "targets",
        "has_share",
        "symmetric",
        "same_kind",
        "description",
    }
    for code, raw in _entries(_read(directory, file, "link_types"), file, "link_types", _LOWER):
        _check_fields(raw, file, code, fields)
        link = LinkType(
            code=code,
            label=_req_str(raw, file, code, "label"),
            inverse_label=_req_str(raw, file, code, "inverse_label"),
            sources=_endpoints(raw, file, code, "sources", record_kinds, subkinds),
            targets=_endpoints(raw, file, code, "targets", record_kinds, subkinds),
            has_share=_opt_bool(raw, file, code, "has_share"),
            symmetric=_opt_bool(raw, file, code, "symmetric"),
            same_kind=_opt_bool(raw, file, code, "same_kind"),
            description=_req_str(raw, file, code, "description"),
        )
        # A symmetric link reads the same both ways, so both ends and both labels must agree.
        if link.symmetric and set(link.sources) != set(link.targets):
            _fail(file, code, "targets", "a symmetric link type needs the same sources and targets")
        if link.symmetric and link.inverse_label != link.label:
            _fail(file, code, "inverse_label", "a symmetric link type reads the same both ways")
        out[code] = link
    return MappingProxyType(out)


def _load_contracts(
    directory: Path,
) -> tuple[Mapping[str, ContractRole], Mapping[str, ContractType]]:
    file = "contracts.yaml"
    doc = _read(directory, file, "contract_roles", "contract_types")
    roles = {}
    for code, raw in _entries(doc, file, "contract_roles", _LOWER):
        _check_fields(raw, file, code, {"code", "label", "description"})
        roles[code] = ContractRole(
            code, _req_str(raw, file, code, "label"), _opt_str(raw, file, code, "description")
        )
    types = {}
    for code, raw in _entries(doc, file, "contract_types", _LOWER):
        _check_fields(raw, file, code, {"code", "label", "roles", "description"})
        allowed = _str_list(raw, file, code, "roles", required=True)
        _check_refs(allowed, roles, file, code, "roles", "contract role")
        types[code] = ContractType(
            code,
            _req_str(raw, file, code, "label"),
            allowed,
            _opt_str(raw, file, code, "description"),
        )
    return MappingProxyType(roles), MappingProxyType(types)


def _load_identifier_schemes(
    directory: Path,
    record_kinds: Mapping[str, Any],
    subkinds: Mapping[str, Mapping[str, Any]],
) -> tuple[Mapping[str, IdentifierScheme], Mapping[str, str]]:
    file = "identifier_schemes.yaml"
    out = {}
    for code, raw in _entries(
        _read(directory, file, "identifier_schemes"), file, "identifier_schemes", _UPPER
    ):
        _check_fields(
            raw, file, code, {"code", "label", "validator", "applies_to", "country", "aliases"}
        )
        out[code] = IdentifierScheme(
            code=code,
            label=_req_str(raw, file, code, "label"),
            validator=_opt_match(raw, file, code, "validator", _VALIDATOR),
            applies_to=_endpoints(raw, file, code, "applies_to", record_kinds, subkinds),
            country=_opt_country(raw, file, code, "country"),
            aliases=_str_list(raw, file, code, "aliases"),
        )
    lookup = _lookup_index(file, ((s.code, (s.code, s.label, *s.aliases)) for s in out.values()))
    return MappingProxyType(out), lookup


def _load_chains(directory: Path) -> tuple[Mapping[str, Chain], Mapping[str, str]]:
    file = "chains.yaml"
    out = {}
    for code, raw in _entries(_read(directory, file, "chains"), file, "chains", _UPPER):
        _check_fields(raw, file, code, {"code", "label", "address_format", "evm", "aliases"})
        out[code] = Chain(
            code,
            _req_str(raw, file, code, "label"),
            _req_choice(raw, file, code, "address_format", _ADDRESS_FORMATS),
            _req_bool(raw, file, code, "evm"),
            _str_list(raw, file, code, "aliases"),
        )
    lookup = _lookup_index(file, ((c.code, (c.code, c.label, *c.aliases)) for c in out.values()))
    return MappingProxyType(out), lookup


def _load_countries(directory: Path) -> Mapping[str, CountryGroup]:
    file = "countries.yaml"
    out = {}
    for code, raw in _entries(
        _read(directory, file, "country_groups"), file, "country_groups", _GROUP
    ):
        _check_fields(
            raw, file, code, {"code", "label", "meaning", "source", "of_concern", "members"}
        )
        members = raw.get("members")
        if not isinstance(members, list) or not members:
            _fail(file, code, "members", f"expected a non-empty list, got {_describe(members)}")
        out[code] = CountryGroup(
            code,
            _req_str(raw, file, code, "label"),
            _req_str(raw, file, code, "meaning"),
            _req_str(raw, file, code, "source"),
            _opt_bool(raw, file, code, "of_concern"),
            _memberships(members, file, code),
        )
    return MappingProxyType(out)


def _memberships(items: list[Any], file: str, group: str) -> tuple[Membership, ...]:
    """Parse a group's members; refuse a country listed twice for overlapping periods."""
    out: list[Membership] = []
    for i, raw in enumerate(items):
        where = f"members[#{i + 1}]"
        if not isinstance(raw, dict):
            _fail(file, group, where, f"expected a mapping, got {_describe(raw)}")
        country = _req_country(raw, file, group, f"{where}.country", key="country")
        where = f"members[{country}]"
        _check_fields(raw, file, group, {"country", "from", "to", "note"}, prefix=where + ".")
        start = _opt_date(raw, file, group, "from", label=f"{where}.from")
        end = _opt_date(raw, file, group, "to", label=f"{where}.to")
        if start and end and end <= start:
            _fail(file, group, f"{where}.to", f"{end} is not after from ({start})")
        member = Membership(
            country, start, end, _opt_str(raw, file, group, "note", label=f"{where}.note")
        )
        for other in out:
            if other.country == country and _overlaps(other, member):
                _fail(file, group, where, "country listed twice for overlapping periods")
        out.append(member)
    return tuple(out)


def _overlaps(a: Membership, b: Membership) -> bool:
    return (a.valid_to is None or b.valid_from is None or b.valid_from < a.valid_to) and (
        b.valid_to is None or a.valid_from is None or a.valid_from < b.valid_to
    )


def _load_accelerators(directory: Path) -> AcceleratorCatalog:
    file = "accelerators.yaml"
    fields = {
        "code",
        "name",
        "vendor",
        "aliases",
        "dense_tops",
        "tpp",
        "die_area_mm2",
        "io_gbps",
        "memory",
        "datacenter",
        "prc_made",
        "announced",
        "notes",
        "source",
    }
    out = {}
    for code, raw in _entries(_read(directory, file, "accelerators"), file, "accelerators", _LOWER):
        _check_fields(raw, file, code, fields)
        tops = _tops(raw, file, code)
        tpp = _req_number(raw, file, code, "tpp")
        area = _opt_number(raw, file, code, "die_area_mm2")
        announced = _opt_int(raw, file, code, "announced")
        if announced is not None and not 1990 <= announced <= 2100:
            _fail(file, code, "announced", f"{announced} is not a plausible year")
        out[code] = AcceleratorModel(
            code=code,
            name=_req_str(raw, file, code, "name"),
            vendor=_req_str(raw, file, code, "vendor"),
            aliases=_str_list(raw, file, code, "aliases"),
            dense_tops=tops,
            tpp=tpp,
            # TPP = max over precisions of dense TOPS × bit length (export-controls.md §1.3).
            tpp_computed=max((bits * t for bits, t in tops.items()), default=None),
            die_area_mm2=area,
            performance_density=None if area is None else tpp / area,
            io_gbps=_opt_number(raw, file, code, "io_gbps"),
            memory=_opt_str(raw, file, code, "memory"),
            datacenter=_req_bool(raw, file, code, "datacenter"),
            prc_made=_req_bool(raw, file, code, "prc_made"),
            announced=announced,
            notes=_opt_str(raw, file, code, "notes"),
            source=_req_str(raw, file, code, "source"),
        )
    # Inventories often prefix the vendor ("NVIDIA H100 SXM5"), so index those spellings too.
    lookup = _lookup_index(
        file,
        (
            (
                m.code,
                [n for name in (m.code, m.name, *m.aliases) for n in (name, f"{m.vendor} {name}")],
            )
            for m in out.values()
        ),
    )
    return AcceleratorCatalog(MappingProxyType(out), lookup)


def _tops(raw: Mapping[str, Any], file: str, entry: str) -> Mapping[int, float]:
    value = raw.get("dense_tops")
    if not isinstance(value, dict):
        _fail(
            file,
            entry,
            "dense_tops",
            f"expected a mapping of bit length to TOPS, got {_describe(value)}",
        )
    out = {}
    for bits, tops in value.items():
        if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= 64:
            _fail(
                file, entry, "dense_tops", f"bit length {bits!r} is not a whole number from 1 to 64"
            )
        out[bits] = _number(tops, file, entry, f"dense_tops[{bits}]")
    return MappingProxyType(out)


def _load_lists(directory: Path) -> dict[str, Mapping[str, Any]]:
    file = "lists.yaml"
    patterns = {
        "source_reliability": re.compile("[A-F]"),
        "information_credibility": re.compile("[1-6]"),
        "evidence_kinds": _LOWER,
        "alias_kinds": _LOWER,
        "scripts": _SCRIPT,
        "fleet_statuses": _LOWER,
    }
    doc = _read(directory, file, *patterns, "count_qualifiers")
    lists: dict[str, Mapping[str, Any]] = {}
    for section, pattern in patterns.items():
        terms = {}
        for code, raw in _entries(doc, file, section, pattern):
            _check_fields(raw, file, code, {"code", "label", "description"})
            terms[code] = Term(
                code, _req_str(raw, file, code, "label"), _opt_str(raw, file, code, "description")
            )
        lists[section] = MappingProxyType(terms)
    qualifiers = {}
    for code, raw in _entries(doc, file, "count_qualifiers", _LOWER):
        _check_fields(raw, file, code, {"code", "label", "word"})
        qualifiers[code] = CountQualifier(
            code, _req_str(raw, file, code, "label"), _req_str(raw, file, code, "word")
        )
    lists["count_qualifiers"] = MappingProxyType(qualifiers)
    return lists


# --- reading YAML -----------------------------------------------------------------------------

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


# libyaml's parser when present: it loads the vocabulary about ten times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader where dates stay text, only true/false are booleans and duplicate keys fail."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Dates are parsed by _opt_date so a bad one is reported with its entry and field (PyYAML would
# raise a bare ValueError); YAML 1.1's yes/no/on/off booleans would turn Norway's "NO" into False.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read(directory: Path, file: str, *sections: str) -> dict[str, Any]:
    """Parse one file: a mapping of exactly the named sections (plus "_"-prefixed anchor keys)."""
    path = directory / file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(file, "(file)", "(file)", f"cannot be read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _fail(file, "(file)", "(file)", "is not UTF-8 text")
    try:
        doc = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        _fail(file, where, "(yaml)", f"not valid YAML: {getattr(exc, 'problem', None) or exc}")
    if not isinstance(doc, dict):
        _fail(file, "(file)", "(file)", f"expected a mapping of sections, got {_describe(doc)}")
    for key in doc:
        if not (isinstance(key, str) and (key in sections or key.startswith("_"))):
            _fail(file, "(file)", str(key), f"unknown section (expected {', '.join(sections)})")
    return doc


def _entries(
    doc: Mapping[str, Any], file: str, section: str, pattern: re.Pattern[str]
) -> list[tuple[str, dict[str, Any]]]:
    """Return a section's entries as (code, raw) pairs; codes must match `pattern` and be unique."""
    items = doc.get(section)
    if not isinstance(items, list) or not items:
        _fail(
            file, "(file)", section, f"expected a non-empty list of entries, got {_describe(items)}"
        )
    out: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            _fail(
                file, f"{section}[#{i + 1}]", "(entry)", f"expected a mapping, got {_describe(raw)}"
            )
        code = _req_str(raw, file, f"{section}[#{i + 1}]", "code")
        if not pattern.fullmatch(code):
            _fail(file, code, "code", f"must match {pattern.pattern}")
        if code in seen:
            _fail(file, code, "code", "duplicate code")
        seen.add(code)
        out.append((code, raw))
    return out


def _lookup_index(file: str, names: Iterable[tuple[str, Iterable[str]]]) -> Mapping[str, str]:
    """Map folded names to codes; a name that folds to another entry's name is an error."""
    index: dict[str, str] = {}
    for code, spellings in names:
        for name in spellings:
            key = _lookup_key(name)
            if not key:
                _fail(file, code, "aliases", f"{name!r} has no letters or digits")
            if index.setdefault(key, code) != code:
                _fail(file, code, "aliases", f"{name!r} already names {index[key]!r}")
    return MappingProxyType(index)


# --- typed field readers ----------------------------------------------------------------------
# Each takes the raw entry, the file and entry names for the error, and the field; `label`
# overrides the field name shown in the error (for nested fields such as "members[KH].to").


def _fail(file: str, entry: str, field_name: str, reason: str) -> NoReturn:
    raise VocabularyError(file, entry, field_name, reason)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    kind = {str: "text", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return f"{kind.get(type(value), type(value).__name__)} ({value!r:.40})"


def _check_fields(
    raw: Mapping[str, Any], file: str, entry: str, allowed: set[str], prefix: str = ""
) -> None:
    for key in raw:
        if key not in allowed:
            _fail(
                file,
                entry,
                f"{prefix}{key}",
                f"unknown field (expected one of {', '.join(sorted(allowed))})",
            )


def _opt_str(
    raw: Mapping[str, Any], file: str, entry: str, name: str, label: str | None = None
) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        _fail(file, entry, label or name, f"expected text, got {_describe(value)}")
    if not value.strip():
        _fail(file, entry, label or name, "must not be empty (use null)")
    return value.strip()


def _req_str(
    raw: Mapping[str, Any], file: str, entry: str, name: str, label: str | None = None
) -> str:
    value = _opt_str(raw, file, entry, name, label)
    if value is None:
        _fail(file, entry, label or name, "required")
    return value


def _req_match(
    raw: Mapping[str, Any], file: str, entry: str, name: str, pattern: re.Pattern[str]
) -> str:
    value = _req_str(raw, file, entry, name)
    if not pattern.fullmatch(value):
        _fail(file, entry, name, f"{value!r} must match {pattern.pattern}")
    return value


def _opt_match(
    raw: Mapping[str, Any], file: str, entry: str, name: str, pattern: re.Pattern[str]
) -> str | None:
    return None if raw.get(name) is None else _req_match(raw, file, entry, name, pattern)


def _req_choice(
    raw: Mapping[str, Any], file: str, entry: str, name: str, choices: tuple[str, ...]
) -> str:
    value = _req_str(raw, file, entry, name)
    if value not in choices:
        _fail(file, entry, name, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _opt_bool(raw: Mapping[str, Any], file: str, entry: str, name: str) -> bool:
    """Read an optional boolean; absent means false."""
    value = raw.get(name, False)
    if not isinstance(value, bool):
        _fail(file, entry, name, f"expected true or false, got {_describe(value)}")
    return value


def _req_bool(raw: Mapping[str, Any], file: str, entry: str, name: str) -> bool:
    if raw.get(name) is None:
        _fail(file, entry, name, "required")
    return _opt_bool(raw, file, entry, name)


def _number(value: Any, file: str, entry: str, label: str) -> float:
    """Check a positive number (bool is not a number here, though Python says it is)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(file, entry, label, f"expected a number, got {_describe(value)}")
    if not value > 0:
        _fail(file, entry, label, f"must be positive, got {value}")
    return float(value)


def _opt_number(raw: Mapping[str, Any], file: str, entry: str, name: str) -> float | None:
    value = raw.get(name)
    return None if value is None else _number(value, file, entry, name)


def _req_number(raw: Mapping[str, Any], file: str, entry: str, name: str) -> float:
    if raw.get(name) is None:
        _fail(file, entry, name, "required")
    return _number(raw[name], file, entry, name)


def _opt_int(raw: Mapping[str, Any], file: str, entry: str, name: str) -> int | None:
    value = raw.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        _fail(file, entry, name, f"expected a whole number, got {_describe(value)}")
    return value


def _opt_date(
    raw: Mapping[str, Any], file: str, entry: str, name: str, label: str | None = None
) -> date | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, date):  # a mapping built in code rather than read by _Loader
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        _fail(file, entry, label or name, f"expected a date YYYY-MM-DD, got {_describe(value)}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        _fail(file, entry, label or name, f"bad date {value!r}: {exc}")


def _str_list(
    raw: Mapping[str, Any], file: str, entry: str, name: str, *, required: bool = False
) -> tuple[str, ...]:
    """Read a list of non-empty, distinct strings; absent means empty unless required."""
    value = raw.get(name)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        _fail(
            file,
            entry,
            name,
            f"expected a {'non-empty ' if required else ''}list, got {_describe(value)}",
        )
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            _fail(file, entry, name, f"expected text items, got {_describe(item)}")
        if item.strip() in out:
            _fail(file, entry, name, f"{item!r} is listed twice")
        out.append(item.strip())
    return tuple(out)


def _check_refs(
    values: Iterable[str], known: Mapping[str, Any], file: str, entry: str, name: str, what: str
) -> None:
    for value in values:
        if value not in known:
            _fail(file, entry, name, f"unknown {what} {value!r} (known: {', '.join(known)})")


def _endpoints(
    raw: Mapping[str, Any],
    file: str,
    entry: str,
    name: str,
    record_kinds: Mapping[str, Any],
    subkinds: Mapping[str, Mapping[str, Any]],
) -> tuple[Endpoint, ...]:
    """Read a list of endpoints: record kinds, or "kind/subkind" for a kind with sub-kinds."""
    out = []
    for text in _str_list(raw, file, entry, name, required=True):
        kind, _, sub = text.partition("/")
        _check_refs([kind], record_kinds, file, entry, name, "record kind")
        if sub:
            if kind not in subkinds:
                _fail(file, entry, name, f"record kind {kind!r} has no sub-kinds (in {text!r})")
            _check_refs([sub], subkinds[kind], file, entry, name, f"{kind} kind")
        out.append(Endpoint(kind, sub or None))
    return tuple(out)


def _opt_country(raw: Mapping[str, Any], file: str, entry: str, name: str) -> str | None:
    return None if raw.get(name) is None else _req_country(raw, file, entry, name, key=name)


def _req_country(raw: Mapping[str, Any], file: str, entry: str, label: str, *, key: str) -> str:
    """Read an upper-case ISO 3166-1 alpha-2 code that pycountry knows (or XK, Kosovo)."""
    value = _req_str(raw, file, entry, key, label)
    if not re.fullmatch(r"[A-Z]{2}", value):
        _fail(file, entry, label, f"{value!r} is not an upper-case ISO 3166-1 alpha-2 code")
    if value not in _EXTRA_COUNTRIES and pycountry.countries.get(alpha_2=value) is None:
        _fail(file, entry, label, f"unknown country code {value!r}")
    return value
