# One module over 450 lines on purpose: every table of the case model, so models and migrations are compared in one place.
"""The case model: SQLAlchemy 2 typed declarative tables for workspace, cases, records and evidence.

Records share one id space: a common ``record`` table plus one table per kind (joined-table
inheritance). Timestamps are ISO 8601 UTC strings so that they are exact, sortable and identical
on SQLite and PostgreSQL (the audit chain hashes them).
"""

from __future__ import annotations

from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Constraint names are fixed so that Alembic batch migrations on SQLite can find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

RECORD_KINDS = ("party", "wallet", "datacenter", "server", "contract")


class CaseText(TypeDecorator[str]):
    """Unbounded text stored exactly on every backend.

    PostgreSQL TEXT cannot hold U+0000, which investigators' data does contain (hostile names,
    binary junk in exports). There we escape NUL as U+E000 '0' and U+E000 itself as U+E000 U+E000,
    an injective mapping that round-trips; SQLite stores the text untouched.
    """

    impl = Text
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Any:
        # No per-value work at all where the backend stores text as is (bulk paths notice).
        return super().bind_processor(dialect) if dialect.name == "postgresql" else None

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        return super().result_processor(dialect, coltype) if dialect.name == "postgresql" else None

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value
        if "\x00" in value or "\ue000" in value:
            return value.replace("\ue000", "\ue000\ue000").replace("\x00", "\ue0000")
        return value

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or dialect.name != "postgresql" or "\ue000" not in value:
            return value
        out, i = [], 0
        while i < len(value):
            ch = value[i]
            if ch == "\ue000" and i + 1 < len(value):
                nxt = value[i + 1]
                out.append("\x00" if nxt == "0" else "\ue000")
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)


Str40 = Annotated[str, 40]
Str200 = Annotated[str, 200]
Timestamp = Annotated[str, 40]


class Base(DeclarativeBase):
    """Declarative base with the naming convention and reusable column types."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        str: CaseText(),
        Str40: String(40),
        Str200: String(200),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        list[int]: JSON(),
        list[str]: JSON(),
    }


class WorkspaceInfo(Base):
    """One row: the workspace's own identity (its id appears in dossiers)."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[Str40] = mapped_column(unique=True)
    name: Mapped[str]
    created_at: Mapped[Timestamp]


class Case(Base):
    """An investigation: the container of records, links, evidence and findings."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    description: Mapped[str] = mapped_column(default="")
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    created_by: Mapped[Str200] = mapped_column(default="")
    # reference, client, marking … (resources/vocab/case_properties.yaml); {} when none given
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


class Record(Base):
    """A node of the case graph; kind-specific fields live in the subclass tables."""

    __tablename__ = "record"
    __table_args__ = (
        CheckConstraint("kind IN ('party','wallet','datacenter','server','contract')", name="kind"),
        Index("ix_record_case_kind", "case_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[Str40]
    label: Mapped[str]
    notes: Mapped[str] = mapped_column(default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    sensitive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    # Optimistic locking: services compare the version the user saw; the ORM also refuses a
    # flush that would overwrite a row another session changed meanwhile.
    version: Mapped[int] = mapped_column(default=1)

    aliases: Mapped[list[Alias]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="Alias.id"
    )
    identifiers: Mapped[list[Identifier]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="Identifier.id"
    )
    addresses: Mapped[list[Address]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="Address.id"
    )

    __mapper_args__ = {"polymorphic_on": "kind", "version_id_col": version}


class Party(Record):
    """A company, person, organization, platform, investor group or public body."""

    __tablename__ = "party"

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    party_kind: Mapped[Str40] = mapped_column(default="company")
    country: Mapped[Str40 | None] = mapped_column(default=None)
    hq_country: Mapped[Str40 | None] = mapped_column(default=None)
    website: Mapped[str] = mapped_column(default="")
    description: Mapped[str] = mapped_column(default="")

    __mapper_args__ = {"polymorphic_identity": "party"}


class Wallet(Record):
    """A crypto wallet: chain plus a format-checked, normalised address."""

    __tablename__ = "wallet"
    __table_args__ = (Index("ix_wallet_match_key", "match_key"),)

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    chain: Mapped[Str40]
    address: Mapped[str]
    match_key: Mapped[str]
    custodian: Mapped[str] = mapped_column(default="")
    illustrative: Mapped[bool] = mapped_column(default=False)

    __mapper_args__ = {"polymorphic_identity": "wallet"}


class DataCenter(Record):
    """A data center hosting server fleets."""

    __tablename__ = "datacenter"

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    operator_name: Mapped[str] = mapped_column(default="")
    address: Mapped[str] = mapped_column(default="")
    city: Mapped[str] = mapped_column(default="")
    country: Mapped[Str40 | None] = mapped_column(default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    tier: Mapped[str] = mapped_column(default="")
    power_mw: Mapped[float | None] = mapped_column(Float, default=None)

    __mapper_args__ = {"polymorphic_identity": "datacenter"}


class ServerFleet(Record):
    """A fleet of servers of one model, with accelerator counts and a count qualifier."""

    __tablename__ = "server"

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    vendor_model: Mapped[str] = mapped_column(default="")
    accelerator_model: Mapped[str] = mapped_column(default="")
    accelerators_per_server: Mapped[int | None] = mapped_column(Integer, default=None)
    server_count: Mapped[int | None] = mapped_column(Integer, default=None)
    count_qualifier: Mapped[Str40] = mapped_column(default="exact")
    serials: Mapped[str] = mapped_column(default="")
    status: Mapped[Str40] = mapped_column(default="")
    installed_on: Mapped[Str40 | None] = mapped_column(default=None)
    in_service_on: Mapped[Str40 | None] = mapped_column(default=None)
    # Days from installation to service when a source states it ("three weeks later") even though
    # the dates themselves are only known to the month.
    days_to_service: Mapped[int | None] = mapped_column(Integer, default=None)
    # When the fleet stopped being usable compute (as-of analysis leaves it out after this day).
    decommissioned_on: Mapped[Str40 | None] = mapped_column(default=None)

    __mapper_args__ = {"polymorphic_identity": "server"}


class Contract(Record):
    """A lease, compute rental, smart contract, purchase, financing or service agreement."""

    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    contract_type: Mapped[Str40] = mapped_column(default="other")
    value_amount: Mapped[Str40 | None] = mapped_column(default=None)  # decimal text, exact
    currency: Mapped[Str40] = mapped_column(default="")
    start_on: Mapped[Str40 | None] = mapped_column(default=None)
    end_on: Mapped[Str40 | None] = mapped_column(default=None)
    chain: Mapped[Str40 | None] = mapped_column(default=None)
    contract_address: Mapped[str] = mapped_column(default="")
    tx_hashes: Mapped[list[str]] = mapped_column(default=list)
    accelerator_count: Mapped[int | None] = mapped_column(Integer, default=None)

    parties: Mapped[list[ContractParty]] = relationship(
        back_populates="contract",
        cascade="all, delete-orphan",
        foreign_keys="ContractParty.contract_id",
        order_by="ContractParty.id",
    )

    __mapper_args__ = {"polymorphic_identity": "contract"}


class Alias(Base):
    """Another name of a record, with its script, language and kind."""

    __tablename__ = "alias"
    __table_args__ = (Index("ix_alias_record", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    name: Mapped[str]
    script: Mapped[Str40] = mapped_column(default="")
    language: Mapped[Str40] = mapped_column(default="")
    alias_kind: Mapped[Str40] = mapped_column(default="aka")

    record: Mapped[Record] = relationship(back_populates="aliases")


class Identifier(Base):
    """A scheme + value identifier (USCC, UEN, LEI, passport…) with its check status."""

    __tablename__ = "identifier"
    __table_args__ = (
        Index("ix_identifier_record", "record_id"),
        Index("ix_identifier_scheme_value", "scheme", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    scheme: Mapped[Str40]
    value: Mapped[str]
    status: Mapped[Str40] = mapped_column(default="unchecked")
    country: Mapped[Str40 | None] = mapped_column(default=None)

    record: Mapped[Record] = relationship(back_populates="identifiers")


class Address(Base):
    """A postal address of a record."""

    __tablename__ = "address"
    __table_args__ = (Index("ix_address_record", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    full: Mapped[str]
    city: Mapped[str] = mapped_column(default="")
    country: Mapped[Str40 | None] = mapped_column(default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)

    record: Mapped[Record] = relationship(back_populates="addresses")


class ContractParty(Base):
    """A party (or wallet) to a contract, in a role such as lessor, payer or broker."""

    __tablename__ = "contract_party"
    __table_args__ = (Index("ix_contract_party_party", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    role: Mapped[Str40]

    contract: Mapped[Contract] = relationship(back_populates="parties", foreign_keys=[contract_id])


class Link(Base):
    """A typed, directed, dated and graded relation between two records of a case."""

    __tablename__ = "link"
    __table_args__ = (
        Index("ix_link_case", "case_id"),
        Index("ix_link_source", "source_id"),
        Index("ix_link_target", "target_id"),
        Index("ix_link_tx_hash", "tx_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    link_type: Mapped[Str40]
    source_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(default="")
    share_pct: Mapped[float | None] = mapped_column(Float, default=None)
    start_on: Mapped[Str40 | None] = mapped_column(default=None)
    end_on: Mapped[Str40 | None] = mapped_column(default=None)
    grade: Mapped[Str40] = mapped_column(default="")
    notes: Mapped[str] = mapped_column(default="")
    # A transfer's or payment's facts (casedesk.domain.transfers): hash normalised per chain,
    # value as exact decimal text, asset a token symbol or contract address, time UTC ISO text.
    tx_hash: Mapped[Str200 | None] = mapped_column(default=None)
    value: Mapped[Str40 | None] = mapped_column(default=None)
    asset: Mapped[Str200 | None] = mapped_column(default=None)
    tx_time: Mapped[Str40 | None] = mapped_column(default=None)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Blob(Base):
    """Content-addressed bytes: one row per distinct file, however often it is attached."""

    __tablename__ = "blob"

    sha256: Mapped[Str200] = mapped_column(primary_key=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Evidence(Base):
    """A graded source item (file, import, web capture, note, report) with its hashed content."""

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_case", "case_id"),
        CheckConstraint("reliability IN ('A','B','C','D','E','F')", name="reliability"),
        CheckConstraint("credibility IN ('1','2','3','4','5','6')", name="credibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    sha256: Mapped[Str200] = mapped_column(ForeignKey("blob.sha256"))
    title: Mapped[str]
    evidence_kind: Mapped[Str40] = mapped_column(default="file")
    source: Mapped[str] = mapped_column(default="")
    author: Mapped[str] = mapped_column(default="")
    source_date: Mapped[Str40 | None] = mapped_column(default=None)
    filename: Mapped[str] = mapped_column(default="")
    media_type: Mapped[Str200] = mapped_column(default="application/octet-stream")
    reliability: Mapped[Str40] = mapped_column(default="F")
    credibility: Mapped[Str40] = mapped_column(default="6")
    sensitive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[Timestamp]


class Citation(Base):
    """Evidence cited for exactly one record or link, with a locator (page, row, quote)."""

    __tablename__ = "citation"
    __table_args__ = (
        CheckConstraint(
            "(record_id IS NULL) <> (link_id IS NULL)", name="one_subject"
        ),
        Index("ix_citation_record", "record_id"),
        Index("ix_citation_link", "link_id"),
        Index("ix_citation_evidence", "evidence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"))
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), default=None
    )
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("link.id", ondelete="CASCADE"), default=None
    )
    locator: Mapped[str] = mapped_column(default="")
    claim: Mapped[str] = mapped_column(default="")


class Event(Base):
    """A dated fact about a record, with date precision (year, month, day, about)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_case", "case_id"), Index("ix_event_record", "record_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), default=None
    )
    title: Mapped[str]
    on: Mapped[Str40]
    until: Mapped[Str40 | None] = mapped_column(default=None)
    description: Mapped[str] = mapped_column(default="")
    created_at: Mapped[Timestamp]


class Finding(Base):
    """A red flag, computed by a rule or entered by hand, with the records and links explaining it."""

    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_case", "case_id"),
        UniqueConstraint("case_id", "rule", "subject_key", name="rule_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    rule: Mapped[Str200] = mapped_column(default="manual")
    # What the finding is about, stable across re-runs (so a rule updates rather than duplicates).
    subject_key: Mapped[str] = mapped_column(default="")
    severity: Mapped[Str40] = mapped_column(default="medium")
    title: Mapped[str]
    explanation: Mapped[str] = mapped_column(default="")
    record_ids: Mapped[list[int]] = mapped_column(default=list)
    link_ids: Mapped[list[int]] = mapped_column(default=list)
    # Hash of the explaining path: a dismissed finding re-opens only when this changes.
    path_hash: Mapped[Str200] = mapped_column(default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[Str40] = mapped_column(default="open")
    reason: Mapped[str] = mapped_column(default="")
    decided_by: Mapped[Str200] = mapped_column(default="")
    decided_at: Mapped[Timestamp | None] = mapped_column(default=None)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class ImportBatch(Base):
    """One import of a file: name, hash, mapping, counts, who and when."""

    __tablename__ = "import_batch"
    __table_args__ = (Index("ix_import_batch_case", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"), default=None)
    filename: Mapped[str]
    sha256: Mapped[Str200]
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[Str200] = mapped_column(default="")
    created_at: Mapped[Timestamp]


class ChartPosition(Base):
    """Where a record sits on a case's link chart (saved per case)."""

    __tablename__ = "chart_position"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)


class AuditEntry(Base):
    """An append-only, hash-chained entry: who did what to which object, before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_case", "case_id"),
        Index("ix_audit_log_record", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[Timestamp]
    actor: Mapped[Str200]
    action: Mapped[Str40]
    entity: Mapped[Str40]
    entity_id: Mapped[int | None] = mapped_column(Integer, default=None)
    case_id: Mapped[int | None] = mapped_column(Integer, default=None)
    record_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # Canonical JSON text (not a JSON column): the hash covers these exact characters.
    before: Mapped[str | None] = mapped_column(default=None)
    after: Mapped[str | None] = mapped_column(default=None)
    prev_hash: Mapped[Str200]
    # Not indexed: nothing looks entries up by hash, and the chain makes each one distinct
    # (migration 0007 measured why).
    hash: Mapped[Str200]


KIND_CLASSES: dict[str, type[Record]] = {
    "party": Party,
    "wallet": Wallet,
    "datacenter": DataCenter,
    "server": ServerFleet,
    "contract": Contract,
}
