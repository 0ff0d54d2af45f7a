"""Screening lists and hits: each list keeps its snapshot; hits keep the investigator's decision.

A list is identified across snapshots by its name; an entry by its key within the list (the
list's own id, e.g. OFAC ent_num) plus a content hash, so a re-import can tell which entries
changed and keep decisions on the ones that did not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casedesk.domain.models import Base, Str40, Str200, Timestamp


class Watchlist(Base):
    """A loaded screening list snapshot: name, format, source file hash, snapshot date, entry count."""

    __tablename__ = "watchlist"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    format: Mapped[Str40]
    source_filename: Mapped[str] = mapped_column(default="")
    source_sha256: Mapped[Str200]
    snapshot_date: Mapped[Str40 | None] = mapped_column(default=None)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[Timestamp]
    imported_by: Mapped[Str200] = mapped_column(default="")
    # Files read (name, sha256), rows seen, rows skipped with the user's consent (line, reason).
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WatchlistEntry(Base):
    """One listed person, company, vessel…: primary name, type, programs, countries, remarks."""

    __tablename__ = "watchlist_entry"
    __table_args__ = (
        UniqueConstraint("list_id", "entry_key", name="list_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("watchlist.id", ondelete="CASCADE"))
    entry_key: Mapped[str]
    entity_type: Mapped[Str40] = mapped_column(default="")
    name: Mapped[str]
    programs: Mapped[list[str]] = mapped_column(default=list)
    countries: Mapped[list[str]] = mapped_column(default=list)
    remarks: Mapped[str] = mapped_column(default="")
    source_list: Mapped[str] = mapped_column(default="")  # e.g. "Entity List (EL)" inside the CSL
    content_hash: Mapped[Str200]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WatchlistName(Base):
    """A name of an entry (primary, aka, fka…) with its normalised form for matching."""

    __tablename__ = "watchlist_name"
    __table_args__ = (Index("ix_watchlist_name_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entry.id", ondelete="CASCADE"))
    name: Mapped[str]
    name_kind: Mapped[Str40] = mapped_column(default="primary")
    normalized: Mapped[str] = mapped_column(default="")
    # Short names and initials are matched exactly only (normalize.is_fuzzy_eligible).
    exact_only: Mapped[bool] = mapped_column(default=False)


class WatchlistIdentifier(Base):
    """An identifier or wallet address of an entry, with its exact-match key."""

    __tablename__ = "watchlist_identifier"
    __table_args__ = (
        Index("ix_watchlist_identifier_entry", "entry_id"),
        Index("ix_watchlist_identifier_key", "scheme", "match_key"),
        Index("ix_watchlist_identifier_match_key", "match_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entry.id", ondelete="CASCADE"))
    scheme: Mapped[Str40]
    value: Mapped[str]
    match_key: Mapped[str]
    country: Mapped[Str40 | None] = mapped_column(default=None)


class ScreeningHit(Base):
    """A match of a case record against a list entry, with score, explanation and decision."""

    __tablename__ = "screening_hit"
    __table_args__ = (
        UniqueConstraint("record_id", "list_name", "entry_key", name="record_entry"),
        Index("ix_screening_hit_case", "case_id"),
        Index("ix_screening_hit_entry", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    list_id: Mapped[int | None] = mapped_column(
        ForeignKey("watchlist.id", ondelete="SET NULL"), default=None)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("watchlist_entry.id", ondelete="SET NULL"), default=None)
    list_name: Mapped[str]
    entry_key: Mapped[str]
    entry_name: Mapped[str]
    entry_hash: Mapped[Str200]  # content hash of the entry when the hit was made
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[Str40] = mapped_column(default="open")  # open, confirmed, dismissed
    reason: Mapped[str] = mapped_column(default="")
    decided_by: Mapped[Str200] = mapped_column(default="")
    decided_at: Mapped[Timestamp | None] = mapped_column(default=None)
    finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("finding.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class DuplicateDecision(Base):
    """An investigator's answer to a duplicate suggestion: two records are not the same party."""

    __tablename__ = "duplicate_decision"
    __table_args__ = (
        UniqueConstraint("record_a", "record_b", name="pair"),
        Index("ix_duplicate_decision_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    record_a: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))  # lower id
    record_b: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    status: Mapped[Str40] = mapped_column(default="distinct")
    reason: Mapped[str] = mapped_column(default="")
    decided_by: Mapped[Str200] = mapped_column(default="")
    decided_at: Mapped[Timestamp]


class WatchlistIndex(Base):
    """A list's screening index (blocking keys → names), stored so screening need not rebuild it.

    Derived data: rebuilt at every import of the list; ignored unless its fingerprint matches
    the list's current import (see services/screening/index.py for the format).
    """

    __tablename__ = "watchlist_index"

    list_id: Mapped[int] = mapped_column(ForeignKey("watchlist.id", ondelete="CASCADE"),
                                         primary_key=True)
    fingerprint: Mapped[Str200]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[Timestamp]
