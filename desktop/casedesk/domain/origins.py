"""Where an imported case came from: the case pack's workspace, exporter, time and manifest."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from casedesk.domain.models import Base, Str40, Str200, Timestamp


class CaseOrigin(Base):
    """One imported case: the pack it came from (manifest hash and text) and who made it where."""

    __tablename__ = "case_origin"
    __table_args__ = (Index("ix_case_origin_pack", "pack_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    # SHA-256 of the manifest's bytes: one pack, one hash (a second import of it is noticed).
    pack_sha256: Mapped[Str200]
    source_workspace_uuid: Mapped[Str40]
    source_workspace_name: Mapped[str]
    source_case_id: Mapped[int]
    source_case_title: Mapped[str]
    source_audit_head: Mapped[Str200]
    exporter: Mapped[Str200]
    exported_at: Mapped[Timestamp]
    schema_revision: Mapped[Str200]
    # The manifest's exact text: verify re-hashes it against pack_sha256.
    manifest: Mapped[str]
    # The blob holding the source case's audit entries as the pack carried them.
    audit_sha256: Mapped[Str200 | None] = mapped_column(ForeignKey("blob.sha256"), default=None)
    imported_at: Mapped[Timestamp]
    imported_by: Mapped[Str200]
