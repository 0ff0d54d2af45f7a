"""Vocabularies as data: resources/vocab/*.yaml loaded into frozen, typed objects.

Each file holds one or more named sections, each a list of entries with a ``code``. Loading is
strict: a missing or mistyped field, an unknown field, an unknown reference, a duplicate code or a
bad date raises VocabularyError naming the file, the entry and the field.

Modules: objects (the vocabulary objects and Vocabulary), country_groups, accelerators (each its
objects and its loader), reading (strict YAML and typed field readers), loading (load_vocabulary,
default_vocabulary). This package re-exports the public API, so callers import from
casedesk.domain.vocabulary as before.
"""

from casedesk.domain.vocabulary.accelerators import (
    AcceleratorCatalog,
    AcceleratorModel,
    AcceleratorSystem,
    Resolved,
)
from casedesk.domain.vocabulary.country_groups import CountryGroup, Membership
from casedesk.domain.vocabulary.loading import default_vocabulary, load_vocabulary
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

__all__ = [
    "AcceleratorCatalog", "AcceleratorModel", "AcceleratorSystem", "Resolved", "Chain", "ContractRole", "ContractType", "CountQualifier",
    "CountryGroup", "Endpoint", "IdentifierScheme", "LinkType", "Membership", "PartyKind", "RecordKind",
    "Term", "Vocabulary", "default_vocabulary", "load_vocabulary",
]
