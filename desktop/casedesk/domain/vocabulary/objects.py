"""The vocabulary objects: record and party kinds, link types, contracts, identifier schemes, chains, terms, and the Vocabulary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from casedesk.domain.vocabulary.accelerators import AcceleratorCatalog
from casedesk.domain.vocabulary.country_groups import CountryGroup
from casedesk.domain.vocabulary.reading import lookup_key


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
    transfer: bool = False  # the link carries a transfer's hash, value, asset and time

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
class Term:
    """An entry of a small closed list (grade, evidence kind, alias kind, script, fleet status)."""

    code: str
    label: str
    description: str | None
    aliases: tuple[str, ...] = ()  # other words an import may find for it ("operational")


@dataclass(frozen=True)
class CountQualifier:
    """How sure a count is; `word` precedes the number in prose ("at least 300")."""

    code: str
    label: str
    word: str


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
        code = self._scheme_lookup.get(lookup_key(name_or_alias))
        return None if code is None else self.identifier_schemes[code]

    def find_chain(self, name_or_alias: str) -> Chain | None:
        """Return the chain a code, label or alias denotes ("XBT", "Tron"), or None."""
        code = self._chain_lookup.get(lookup_key(name_or_alias))
        return None if code is None else self.chains[code]

    def groups_of(self, alpha2: str, on: date) -> frozenset[str]:
        """Return the codes of the country groups the country belongs to on the given day."""
        country = alpha2.strip().upper()
        return frozenset(g.code for g in self.country_groups.values() if g.contains(country, on))

    def is_country_of_concern(self, alpha2: str, on: date) -> bool:
        """True if the country is in D:5 or is Macau on that day (the headquarters rule's test)."""
        country = alpha2.strip().upper()
        return any(g.of_concern and g.contains(country, on) for g in self.country_groups.values())
