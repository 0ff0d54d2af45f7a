"""How CaseDesk's kinds and link types meet FollowTheMoney schemata, both ways (docs/interop.md).

The tables are data on purpose: the exporter and the importer read the same ones, so a mapping
changed in one place changes both directions.
"""

from __future__ import annotations

# party kind -> FtM schema (export); the party kinds FtM has no schema for keep their code in
# LegalEntity's `classification` so they come back as they left.
PARTY_SCHEMA = {
    "company": "Company",
    "person": "Person",
    "organization": "Organization",
    "public_body": "PublicBody",
    "platform": "Company",
    "investor_group": "LegalEntity",
}
# FtM schema -> party kind (import)
SCHEMA_PARTY = {
    "Company": "company",
    "Person": "person",
    "Organization": "organization",
    "PublicBody": "public_body",
    "LegalEntity": "company",
}
PARTY_SCHEMATA = frozenset(SCHEMA_PARTY)

# Asset carries what FtM has no schema for; its `keywords` say which CaseDesk kind it was.
ASSET_KEYWORD = {"datacenter": "data center", "server": "server fleet"}
KEYWORD_KIND = {v: k for k, v in ASSET_KEYWORD.items()}

# identifier scheme -> the LegalEntity/Person property FtM names for it. Schemes not listed go
# out as Identification entities (holder, type = scheme code, number).
SCHEME_PROPERTY = {
    "LEI": "leiCode",
    "RU_INN": "innCode",
    "RU_OGRN": "ogrnCode",
    "DUNS": "dunsCode",
    "BIC": "swiftBic",
    "EU_VAT": "vatCode",
    "TAX_NUMBER": "taxNumber",
    "COMPANY_NUMBER": "registrationNumber",
    "CN_USCC": "uscCode",
}
PERSON_SCHEME_PROPERTY = {"PASSPORT": "passportNumber", "NATIONAL_ID": "idNumber"}
# FtM property -> scheme (import); generic number properties fall back to these.
PROPERTY_SCHEME = {v: k for k, v in {**SCHEME_PROPERTY, **PERSON_SCHEME_PROPERTY}.items()}
PROPERTY_SCHEME.update({"okpoCode": "OTHER", "kppCode": "OTHER", "bvdId": "OTHER",
                        "uniqueEntityId": "OTHER", "licenseNumber": "OTHER", "npiCode": "OTHER",
                        "permId": "OTHER", "icijId": "OTHER"})

# alias kind -> FtM name property
ALIAS_PROPERTY = {"former": "previousName", "other": "weakAlias"}

# Link types with an FtM interval schema of their own: (schema, source property, target property)
LINK_EDGE = {
    "owns": ("Ownership", "owner", "asset"),
    "owns_asset": ("Ownership", "owner", "asset"),
    "officer_of": ("Directorship", "director", "organization"),
    "employed_by": ("Employment", "employee", "employer"),
    "intermediary_for": ("Representation", "agent", "client"),
    "paid": ("Payment", "payer", "beneficiary"),
    "transferred_to": ("Payment", "payer", "beneficiary"),
}
# Everything else goes out as UnknownLink(subject, object) with the link type's label in `role`.
UNKNOWN_EDGE = ("UnknownLink", "subject", "object")

# associate_of goes out as Family when its role names a relative, else as Associate.
FAMILY_WORDS = frozenset("""father mother parent son daughter child children brother sister sibling
spouse wife husband partner uncle aunt nephew niece cousin grandfather grandmother grandson
granddaughter relative family in-law stepfather stepmother stepson stepdaughter""".split())

# Edge schemata read on import: (source property, target property, how the link type is chosen)
EDGE_SCHEMATA = {
    "Ownership": ("owner", "asset"),
    "Directorship": ("director", "organization"),
    "Employment": ("employee", "employer"),
    "Membership": ("member", "organization"),
    "Representation": ("agent", "client"),
    "Payment": ("payer", "beneficiary"),
    "Family": ("person", "relative"),
    "Associate": ("person", "associate"),
    "UnknownLink": ("subject", "object"),
    "ContractAward": ("supplier", "contract"),
}
# Schemata whose entities attach to another one rather than becoming a record or a link.
ATTACHED_SCHEMATA = frozenset({"Address", "Identification", "Passport"})
# Schemata read but deliberately not imported (reported as skipped, not as errors).
SKIPPED_SCHEMATA = frozenset({"Sanction", "Note", "Documentation", "Mention", "Similar", "Risk",
                              "Position", "Occupancy", "Event"})


def is_family(role: str) -> bool:
    """True when a link role names a family relation (father, spouse, sister-in-law…)."""
    words = role.lower().replace("-", " ").replace("/", " ").split()
    return any(w in FAMILY_WORDS or w.rstrip("s") in FAMILY_WORDS for w in words) or \
        "in-law" in role.lower()
