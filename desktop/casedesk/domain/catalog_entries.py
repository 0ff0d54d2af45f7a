"""Accelerator models an analyst added to the workspace's own catalog, with their figures and source."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from casedesk.domain.models import Base, Str40, Str200, Timestamp


class CatalogEntry(Base):
    """One workspace accelerator model: the 3A090 figures, names, and the source they come from.

    Workspace-wide (every case's analysis uses it), and never silently overriding a shipped
    model: the analysis merges entries over the shipped catalog (AcceleratorCatalog.with_models).
    """

    __tablename__ = "catalog_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str40] = mapped_column(unique=True)
    name: Mapped[str]
    vendor: Mapped[str] = mapped_column(default="")
    aliases: Mapped[list[str]] = mapped_column(default=list)
    tpp: Mapped[float] = mapped_column(Float)
    die_area_mm2: Mapped[float | None] = mapped_column(Float, default=None)
    io_gbps: Mapped[float | None] = mapped_column(Float, default=None)
    memory: Mapped[str | None] = mapped_column(default=None)
    datacenter: Mapped[bool] = mapped_column(default=True)
    prc_made: Mapped[bool] = mapped_column(default=False)
    announced: Mapped[int | None] = mapped_column(default=None)
    notes: Mapped[str] = mapped_column(default="")
    # Where the figures come from: a citation text (datasheet, URL, page) ...
    source: Mapped[str]
    # ... the hashed bytes of the source file when one was given (content-addressed, like evidence) ...
    sha256: Mapped[Str200 | None] = mapped_column(ForeignKey("blob.sha256"), default=None)
    # ... and a case's evidence item it cites, when the analyst filed the datasheet in a case.
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[Timestamp]
    created_by: Mapped[Str200] = mapped_column(default="")

    def figures(self) -> dict[str, Any]:
        """The entry as the catalog's raw mapping (what model_from_raw reads)."""
        return {"name": self.name, "vendor": self.vendor, "aliases": list(self.aliases or []),
                "tpp": self.tpp, "die_area_mm2": self.die_area_mm2, "io_gbps": self.io_gbps,
                "memory": self.memory, "datacenter": self.datacenter, "prc_made": self.prc_made,
                "announced": self.announced, "notes": self.notes or None, "source": self.source}
