"""The dossier as plain data: what build_dossier reads from the workspace and render_dossier draws.

Everything here is a frozen dataclass of plain values, so the render step can run without a
database and two builds of the same workspace state compare equal. Text that the redaction
profile withholds is never stored: a field is a `Redacted` marker, or a `Scrubbed` sequence of
text and markers when only part of a free text is withheld.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Redacted:
    """A value withheld by the redaction profile: drawn as a black box, never as text."""

    what: str = "withheld"


@dataclass(frozen=True)
class Scrubbed:
    """Free text with some spans withheld: the parts are text and `Redacted` markers in order."""

    parts: tuple[str | Redacted, ...]


Text = str | Redacted | Scrubbed


def is_withheld(value: Text) -> bool:
    """True if any part of the value is withheld."""
    return isinstance(value, Redacted) or (
        isinstance(value, Scrubbed) and any(isinstance(p, Redacted) for p in value.parts))


@dataclass(frozen=True)
class DossierOptions:
    """What the user chose: the view (None = whole case), marking, author, redaction, date."""

    record_ids: frozenset[int] | None = None
    link_ids: frozenset[int] | None = None
    # Chart positions from the view (record id -> scene x, y; y grows downwards as on screen).
    positions: Mapping[int, tuple[float, float]] | None = None
    marking: str = ""  # empty: the case's marking (case properties), else UNCLASSIFIED
    author: str = ""
    redaction: str = "none"
    # ISO date shown on the cover; None means the date of the newest audit entry, so the same
    # workspace state gives the same bytes.
    date: str | None = None
    # The day the compute, ECCN classes and open questions describe (ISO); None: the cover date.
    as_of: str | None = None


@dataclass(frozen=True)
class Cite:
    """A citation of evidence: the register marker number and the locator (page, row, quote)."""

    marker: int
    locator: Text = ""


@dataclass(frozen=True)
class RecordEntry:
    """A record as the dossier refers to it: kind, party kind and its (possibly withheld) label."""

    id: int
    kind: str
    subkind: str | None
    kind_label: str
    label: Text
    cites: tuple[Cite, ...] = ()


@dataclass(frozen=True)
class LinkEntry:
    """A link the view shows, with its label as read from the source, dates, grade and sources."""

    id: int
    type: str
    label: str
    source_id: int
    target_id: int
    role: Text = ""
    share_pct: float | None = None
    start_on: str | None = None
    end_on: str | None = None
    grade: str = ""
    notes: Text = ""
    cites: tuple[Cite, ...] = ()
    tx_hash: Text = ""  # a transfer's facts (typed fields of paid / transferred_to links)
    value: str = ""
    asset: Text = ""
    tx_time: str = ""


@dataclass(frozen=True)
class NameEntry:
    """One name of a party: the label or an alias, with script, language and kind."""

    name: Text
    script: str = ""
    language: str = ""
    kind: str = ""


@dataclass(frozen=True)
class IdentifierEntry:
    """A scheme + value identifier and its check status."""

    scheme: str
    value: Text
    status: str = ""
    country: str = ""


@dataclass(frozen=True)
class AddressEntry:
    """A postal address."""

    full: Text
    city: Text = ""
    country: str = ""


@dataclass(frozen=True)
class PartyProfile:
    """Everything the dossier says about one party."""

    id: int
    label: Text
    party_kind: str
    country: str
    hq_country: str
    website: Text
    description: Text
    notes: Text
    tags: tuple[str, ...]
    names: tuple[NameEntry, ...]
    identifiers: tuple[IdentifierEntry, ...]
    addresses: tuple[AddressEntry, ...]
    links_out: tuple[int, ...]
    links_in: tuple[int, ...]
    cites: tuple[Cite, ...]
    # "subject": a finding or screening hit that is not dismissed concerns it; "context": tagged
    # context (officials, providers, sources); "other": the rest. Profiles come in that order.
    group: str = "other"
    severity: str = ""  # the most severe finding about it
    findings: int = 0  # findings about it that are not dismissed
    screening: str = ""  # its most pressing hit status: confirmed, open ("" when none)


PARTY_GROUPS = (("subject", "Subjects"), ("other", "Other parties"), ("context", "Context"))


@dataclass(frozen=True)
class PathStep:
    """One link of a finding's explaining path, oriented as the path is read."""

    link_id: int
    from_id: int
    to_id: int
    forward: bool  # False when the path walks the link against its direction


@dataclass(frozen=True)
class FindingEntry:
    """A red flag with the path that explains it and the investigator's decision."""

    id: int
    severity: str
    status: str
    rule: str
    title: Text
    explanation: Text
    path: tuple[PathStep, ...]
    other_record_ids: tuple[int, ...]  # records of the finding not on the path
    outside_view: int  # records and links of the finding the view (or redaction) leaves out
    reason: Text
    decided_by: str
    decided_at: str
    cites: tuple[Cite, ...]
    controlled_tpp: float = 0.0  # controlled compute the finding touches (the order after severity)
    rule_title: str = ""  # the red flag's title in the rule data, as the rule is cited


@dataclass(frozen=True)
class QuestionEntry:
    """An open question: one data gap and the records it concerns, each with what is asked."""

    gap: str
    title: Text
    items: tuple[tuple[int | None, Text], ...]  # (record id or None, question)
    outside_view: int  # records of the question the view (or redaction) leaves out


@dataclass(frozen=True)
class FleetEntry:
    """A server fleet with its accelerators, counts (with qualifier), TPP and ECCN class."""

    id: int
    label: Text
    accelerator_model: str
    catalog_name: str  # "" when the model is not in the catalog
    per_server: int | None
    server_count: int | None
    qualifier: str
    accelerators: int | None
    tpp_each: float | None
    tpp_total: float | None
    performance_density: float | None
    eccn: str
    status: str
    installed_on: str | None
    in_service_on: str | None
    days_to_service: int | None
    datacenters: tuple[int, ...]
    owners: tuple[int, ...]
    operators: tuple[int, ...]
    users: tuple[int, ...]
    cites: tuple[Cite, ...]
    decommissioned_on: str | None = None
    unit: str = ""  # what one unit counts as when it is a system: "HGX H100 = 8 × H100 SXM"


@dataclass(frozen=True)
class ComputeTotals:
    """Headline compute figures of the fleets in the dossier."""

    fleets: int
    accelerators: int
    accelerators_text: str
    total_tpp: float
    controlled_accelerators: int  # in fleets whose model classifies as 3A090.a
    controlled_tpp: float  # TPP of those accelerators
    h100_equivalents: float
    unknown_fleets: int


@dataclass(frozen=True)
class ContractEntry:
    """A contract: type, parties with roles, value, term and on-chain reference."""

    id: int
    label: Text
    contract_type: str
    parties: tuple[tuple[int, str], ...]  # (record id, role label)
    value: str
    currency: Text
    start_on: str | None
    end_on: str | None
    chain: str
    contract_address: Text
    tx_hashes: tuple[Text, ...]
    accelerator_count: int | None
    notes: Text
    covers: tuple[int, ...]  # records the contract covers (covers links)
    cites: tuple[Cite, ...]


@dataclass(frozen=True)
class WalletEntry:
    """A wallet: chain, address, custodian, whether illustrative."""

    id: int
    label: Text
    chain: str
    address: Text
    custodian: Text
    illustrative: bool
    cites: tuple[Cite, ...]


@dataclass(frozen=True)
class TimelineEntry:
    """A dated fact: an event, a dated link, a fleet installation or a contract term."""

    sort_key: tuple[str, str, int, int]
    when: str  # as shown, with its precision ("June 2024", "about 2023")
    until: str
    source: str  # event, link, fleet, contract
    title: Text
    record_ids: tuple[int, ...]
    cites: tuple[Cite, ...]


@dataclass(frozen=True)
class HitEntry:
    """A screening hit and the investigator's decision on it."""

    id: int
    record_id: int
    list_name: Text
    entry_name: Text
    score: float
    status: str
    reason: Text
    decided_by: str
    decided_at: str
    explanation: Text
    program: str = ""  # the program the listed entry is under ("Entity List (EL)"), "" if unknown
    list_marker: int | None = None  # its list's number in the register ([L1]); None: list gone


@dataclass(frozen=True)
class ListSource:
    """A screening list in the evidence register: the snapshot screened against, with its hash."""

    marker: int  # [L1], [L2] … in the text
    id: int
    name: str
    format: str
    filename: Text
    sha256: str
    snapshot_date: str  # as shown ("29 January 2024"), "" when the file gives none
    imported_at: str
    entries: int
    programs: tuple[str, ...]  # programs of the entries this dossier's hits matched
    hits: int


@dataclass(frozen=True)
class EvidenceEntry:
    """An evidence register line: marker, title, source, date, grade, SHA-256 and use."""

    marker: int
    id: int
    title: Text
    kind: str
    source: Text
    author: Text
    source_date: str
    reliability: str
    credibility: str
    grade_text: str
    sha256: str
    size: int | None
    filename: Text
    citations: int


@dataclass(frozen=True)
class Cover:
    """The cover page and the facts repeated in headers, metadata and the appendix."""

    title: Text
    description: Text
    marking: str
    author: str
    date: str
    workspace_uuid: str
    workspace_name: str
    case_id: int
    scope: str
    redaction: str
    redaction_label: str
    properties: tuple[tuple[str, Text], ...] = ()  # (label, value) of the case's reference, client …


@dataclass(frozen=True)
class AuditAnchor:
    """The audit-chain head the dossier was made from (so it can be verified)."""

    entry_id: int
    hash: str
    at: str
    entries: int
    # The head receipt of that anchor signed by the install that made the dossier
    # (storage.seals.make_receipt; Ed25519 is deterministic, so re-runs stay byte-identical).
    receipt: dict[str, Any] | None = None


@dataclass(frozen=True)
class KeyFigures:
    """Executive-summary figures."""

    records_by_kind: tuple[tuple[str, int], ...]
    links: int
    parties: int
    countries_of_concern: tuple[str, ...]
    findings_by_severity: tuple[tuple[str, int, int, int], ...]  # severity, open, confirmed, dismissed
    hits_by_status: tuple[tuple[str, int], ...]
    evidence: int
    withheld_records: int
    withheld_evidence: int


@dataclass(frozen=True)
class Dossier:
    """Everything render_dossier needs, read from one workspace state and one view."""

    cover: Cover
    audit: AuditAnchor
    figures: KeyFigures
    compute: ComputeTotals
    records: Mapping[int, RecordEntry]
    links: Mapping[int, LinkEntry]
    positions: Mapping[int, tuple[float, float]]
    positions_source: str  # "view", "saved" or "computed"
    findings: tuple[FindingEntry, ...]
    parties: tuple[PartyProfile, ...]
    fleets: tuple[FleetEntry, ...]
    contracts: tuple[ContractEntry, ...]
    wallets: tuple[WalletEntry, ...]
    payments: tuple[int, ...]  # link ids of paid / funds links
    timeline: tuple[TimelineEntry, ...]
    hits: tuple[HitEntry, ...]
    evidence: tuple[EvidenceEntry, ...]
    eccn_note: str = ""
    notes: tuple[str, ...] = field(default=())  # remarks on scope shown in the summary
    as_of: str = ""  # the day the analysis figures and open questions describe
    open_questions: tuple[QuestionEntry, ...] = ()
    analysis_as_of: str = ""  # the as-of day of the analysis that produced the saved findings
    lists: tuple[ListSource, ...] = ()  # screening lists the hits cite or the case was screened against
    screening_note: str = ""  # the case's last screening: when, against how many lists, threshold
