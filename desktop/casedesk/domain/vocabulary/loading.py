"""Loading the vocabulary files of a directory into one cross-checked Vocabulary."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from casedesk.domain.vocabulary.accelerator_loading import load_accelerators
from casedesk.domain.vocabulary.country_groups import load_country_groups
from casedesk.domain.vocabulary.objects import (
    Chain,
    ContractRole,
    ContractType,
    CountQualifier,
    Endpoint,
    IdentifierScheme,
    LinkType,
    PartyKind,
    RecordKind,
    Term,
    Vocabulary,
)
from casedesk.domain.vocabulary.reading import (
    LOWER_CODE,
    check_fields,
    check_refs,
    entries,
    fail,
    lookup_index,
    opt_bool,
    opt_country,
    opt_match,
    opt_str,
    read_file,
    req_bool,
    req_choice,
    req_match,
    req_str,
    str_list,
)
from casedesk.paths import resources_dir


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
        country_groups=load_country_groups(directory),
        accelerators=load_accelerators(directory),
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

_UPPER = re.compile(r"[A-Z][A-Z0-9_]*")
_SCRIPT = re.compile(r"[A-Z][a-z]{3}|other")  # ISO 15924
_ICON = re.compile(r"[a-z0-9][a-z0-9_\-]*\.svg")
_VALIDATOR = re.compile(r"stdnum:[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*|[a-z][a-z0-9_]*")
_ADDRESS_FORMATS = ("bitcoin", "ethereum", "tron", "solana", "litecoin", "other")


def _load_record_kinds(directory: Path) -> Mapping[str, RecordKind]:
    file = "record_kinds.yaml"
    out = {}
    for code, raw in entries(read_file(directory, file, "record_kinds"), file, "record_kinds", LOWER_CODE):
        check_fields(
            raw, file, code, {"code", "label", "plural", "icon", "caption", "description"}
        )
        out[code] = RecordKind(
            code,
            req_str(raw, file, code, "label"),
            req_str(raw, file, code, "plural"),
            req_match(raw, file, code, "icon", _ICON),
            req_match(raw, file, code, "caption", LOWER_CODE),
            opt_str(raw, file, code, "description"),
        )
    return MappingProxyType(out)


def _load_party_kinds(directory: Path) -> Mapping[str, PartyKind]:
    file = "party_kinds.yaml"
    out = {}
    for code, raw in entries(read_file(directory, file, "party_kinds"), file, "party_kinds", LOWER_CODE):
        check_fields(raw, file, code, {"code", "label", "icon", "description"})
        out[code] = PartyKind(
            code,
            req_str(raw, file, code, "label"),
            req_match(raw, file, code, "icon", _ICON),
            opt_str(raw, file, code, "description"),
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
        "transfer",
    }
    for code, raw in entries(read_file(directory, file, "link_types"), file, "link_types", LOWER_CODE):
        check_fields(raw, file, code, fields)
        link = LinkType(
            code=code,
            label=req_str(raw, file, code, "label"),
            inverse_label=req_str(raw, file, code, "inverse_label"),
            sources=_endpoints(raw, file, code, "sources", record_kinds, subkinds),
            targets=_endpoints(raw, file, code, "targets", record_kinds, subkinds),
            has_share=opt_bool(raw, file, code, "has_share"),
            symmetric=opt_bool(raw, file, code, "symmetric"),
            same_kind=opt_bool(raw, file, code, "same_kind"),
            description=req_str(raw, file, code, "description"),
            transfer=opt_bool(raw, file, code, "transfer"),
        )
        # A symmetric link reads the same both ways, so both ends and both labels must agree.
        if link.symmetric and set(link.sources) != set(link.targets):
            fail(file, code, "targets", "a symmetric link type needs the same sources and targets")
        if link.symmetric and link.inverse_label != link.label:
            fail(file, code, "inverse_label", "a symmetric link type reads the same both ways")
        out[code] = link
    return MappingProxyType(out)


def _load_contracts(
    directory: Path,
) -> tuple[Mapping[str, ContractRole], Mapping[str, ContractType]]:
    file = "contracts.yaml"
    doc = read_file(directory, file, "contract_roles", "contract_types")
    roles = {}
    for code, raw in entries(doc, file, "contract_roles", LOWER_CODE):
        check_fields(raw, file, code, {"code", "label", "description"})
        roles[code] = ContractRole(
            code, req_str(raw, file, code, "label"), opt_str(raw, file, code, "description")
        )
    types = {}
    for code, raw in entries(doc, file, "contract_types", LOWER_CODE):
        check_fields(raw, file, code, {"code", "label", "roles", "description"})
        allowed = str_list(raw, file, code, "roles", required=True)
        check_refs(allowed, roles, file, code, "roles", "contract role")
        types[code] = ContractType(
            code,
            req_str(raw, file, code, "label"),
            allowed,
            opt_str(raw, file, code, "description"),
        )
    return MappingProxyType(roles), MappingProxyType(types)


def _load_identifier_schemes(
    directory: Path,
    record_kinds: Mapping[str, Any],
    subkinds: Mapping[str, Mapping[str, Any]],
) -> tuple[Mapping[str, IdentifierScheme], Mapping[str, str]]:
    file = "identifier_schemes.yaml"
    out = {}
    for code, raw in entries(
        read_file(directory, file, "identifier_schemes"), file, "identifier_schemes", _UPPER
    ):
        check_fields(
            raw, file, code, {"code", "label", "validator", "applies_to", "country", "aliases"}
        )
        out[code] = IdentifierScheme(
            code=code,
            label=req_str(raw, file, code, "label"),
            validator=opt_match(raw, file, code, "validator", _VALIDATOR),
            applies_to=_endpoints(raw, file, code, "applies_to", record_kinds, subkinds),
            country=opt_country(raw, file, code, "country"),
            aliases=str_list(raw, file, code, "aliases"),
        )
    lookup = lookup_index(file, ((s.code, (s.code, s.label, *s.aliases)) for s in out.values()))
    return MappingProxyType(out), lookup


def _load_chains(directory: Path) -> tuple[Mapping[str, Chain], Mapping[str, str]]:
    file = "chains.yaml"
    out = {}
    for code, raw in entries(read_file(directory, file, "chains"), file, "chains", _UPPER):
        check_fields(raw, file, code, {"code", "label", "address_format", "evm", "aliases"})
        out[code] = Chain(
            code,
            req_str(raw, file, code, "label"),
            req_choice(raw, file, code, "address_format", _ADDRESS_FORMATS),
            req_bool(raw, file, code, "evm"),
            str_list(raw, file, code, "aliases"),
        )
    lookup = lookup_index(file, ((c.code, (c.code, c.label, *c.aliases)) for c in out.values()))
    return MappingProxyType(out), lookup


def _load_lists(directory: Path) -> dict[str, Mapping[str, Any]]:
    file = "lists.yaml"
    patterns = {
        "source_reliability": re.compile("[A-F]"),
        "information_credibility": re.compile("[1-6]"),
        "evidence_kinds": LOWER_CODE,
        "alias_kinds": LOWER_CODE,
        "scripts": _SCRIPT,
        "fleet_statuses": LOWER_CODE,
    }
    doc = read_file(directory, file, *patterns, "count_qualifiers")
    lists: dict[str, Mapping[str, Any]] = {}
    for section, pattern in patterns.items():
        terms = {}
        for code, raw in entries(doc, file, section, pattern):
            check_fields(raw, file, code, {"code", "label", "description", "aliases"})
            terms[code] = Term(
                code, req_str(raw, file, code, "label"), opt_str(raw, file, code, "description"),
                str_list(raw, file, code, "aliases"),
            )
        lists[section] = MappingProxyType(terms)
    qualifiers = {}
    for code, raw in entries(doc, file, "count_qualifiers", LOWER_CODE):
        check_fields(raw, file, code, {"code", "label", "word"})
        qualifiers[code] = CountQualifier(
            code, req_str(raw, file, code, "label"), req_str(raw, file, code, "word")
        )
    lists["count_qualifiers"] = MappingProxyType(qualifiers)
    return lists


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
    for text in str_list(raw, file, entry, name, required=True):
        kind, _, sub = text.partition("/")
        check_refs([kind], record_kinds, file, entry, name, "record kind")
        if sub:
            if kind not in subkinds:
                fail(file, entry, name, f"record kind {kind!r} has no sub-kinds (in {text!r})")
            check_refs([sub], subkinds[kind], file, entry, name, f"{kind} kind")
        out.append(Endpoint(kind, sub or None))
    return tuple(out)
