"""The workspace's own accelerator catalog: models an analyst adds, checked, audited, merged in.

The shipped catalog (resources/vocab/accelerators.yaml) is generated from public data and cannot
know every chip an investigation meets. An analyst adds the missing one here with its figures and
a source; every analysis, view and dossier of the workspace then reads the merged catalog
(`workspace_vocabulary`), so the model counts at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.catalog_entries import CatalogEntry
from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError, ValidationError, VocabularyError
from casedesk.domain.models import Evidence
from casedesk.domain.vocabulary import AcceleratorModel, Vocabulary, default_vocabulary
from casedesk.domain.vocabulary.accelerator_loading import model_from_raw
from casedesk.domain.vocabulary.figure_bounds import FigureBounds
from casedesk.services.audit import record_audit
from casedesk.services.evidence import store_blob
from casedesk.storage.workspace import actor_of, changes_of

FILE = "workspace catalog"
CODE_PREFIX = "ws_"  # shipped codes never start so: a workspace model cannot replace a shipped one


@dataclass(frozen=True)
class NewModel:
    """What an analyst gives for a model to add (figures in bit-TOPS, mm², GB/s)."""

    name: str
    vendor: str
    tpp: float | None  # None: not given (refused: TPP is what classifies)
    source: str
    die_area_mm2: float | None = None
    io_gbps: float | None = None
    aliases: tuple[str, ...] = ()
    memory: str | None = None
    datacenter: bool = True
    prc_made: bool = False
    announced: int | None = None
    notes: str = ""


def code_for(name: str) -> str:
    """A stable code for a workspace model: 'ws_' and the name folded to letters, digits and _."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    slug = re.sub(r"[^\w]+", "_", folded).strip("_")[:30] or "model"
    return CODE_PREFIX + slug


def workspace_models(session: Session, bounds: FigureBounds | None = None) -> list[AcceleratorModel]:
    """The workspace's models, oldest first, as catalog models (origin 'workspace')."""
    bounds = bounds or _shipped_bounds()
    rows = session.scalars(select(CatalogEntry).order_by(CatalogEntry.id)).all()
    return [_model_of(e, bounds) for e in rows]


def workspace_vocabulary(session: Session, base: Vocabulary | None = None) -> Vocabulary:
    """`base` (the shipped vocabulary by default) with the workspace's models merged in; idempotent."""
    base = base if base is not None else default_vocabulary()
    extra = [m for m in workspace_models(session, base.accelerators.bounds)
             if m.code not in base.accelerators.models]
    if not extra:
        return base
    return replace(base, accelerators=base.accelerators.with_models(extra))


def check_new(new: NewModel, bounds: FigureBounds | None = None) -> AcceleratorModel:
    """The model `new` would be, checked as add_model checks it (bar names already taken); ValidationError."""
    if not " ".join(new.name.split()):
        raise ValidationError("name", "a model needs a name")
    if not " ".join(new.vendor.split()):
        raise ValidationError("vendor", "a model needs its vendor (NVIDIA, Huawei, …)")
    if new.tpp is None:
        raise ValidationError("tpp", "needed to classify: dense TOPS × bit length, at its maximum")
    entry = CatalogEntry(code=code_for(new.name), name=" ".join(new.name.split()),
                         vendor=" ".join(new.vendor.split()), aliases=list(new.aliases), tpp=new.tpp,
                         die_area_mm2=new.die_area_mm2, io_gbps=new.io_gbps, memory=new.memory,
                         datacenter=new.datacenter, prc_made=new.prc_made, announced=new.announced,
                         notes=new.notes.strip(), source=new.source.strip() or "(given)")
    return _model_of(entry, bounds or _shipped_bounds())


def add_model(session: Session, new: NewModel, *, source_file: Path | None = None,
              source_content: bytes | None = None, evidence_id: int | None = None,
              vocab: Vocabulary | None = None, audit_extra: dict[str, Any] | None = None) -> CatalogEntry:
    """Check and store a model in the workspace catalog, audited; ValidationError names the field.

    The source file is a path (`source_file`) or its bytes (`source_content`, a case pack's)."""
    vocab = workspace_vocabulary(session, vocab)
    name = " ".join(new.name.split())
    # the same checks the shipped catalog passes, with its bounds: absurd figures are refused here
    check_new(new, vocab.accelerators.bounds)
    if (not new.source.strip() and source_file is None and source_content is None
            and evidence_id is None):
        raise ValidationError("source", "say where the figures come from (a datasheet, a page, a file)")
    aliases = tuple(dict.fromkeys(a2 for a in new.aliases if (a2 := " ".join(a.split()))))
    for spelling in (name, *aliases):
        hit = vocab.accelerators.resolve(spelling)
        if hit is not None:
            field = "name" if spelling == name else "aliases"
            raise ValidationError(field, f"{spelling!r} already names {hit.model.name} "
                                  f"({'workspace' if hit.model.origin == 'workspace' else 'shipped'} catalog)")
    code = code_for(name)
    taken = set(session.scalars(select(CatalogEntry.code)))
    base, n = code, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    if evidence_id is not None and session.get(Evidence, evidence_id) is None:
        raise NotFoundError(f"evidence {evidence_id} not found")
    sha = None if source_content is None else store_blob(session, source_content)
    if source_file is not None:
        try:
            sha = store_blob(session, source_file.read_bytes())
        except OSError as exc:
            raise ValidationError("source_file", f"cannot read {source_file}: {exc.strerror or exc}") from None
    entry = CatalogEntry(code=code, name=name, vendor=" ".join(new.vendor.split()), aliases=list(aliases),
                         tpp=new.tpp, die_area_mm2=new.die_area_mm2, io_gbps=new.io_gbps,
                         memory=new.memory, datacenter=new.datacenter, prc_made=new.prc_made,
                         announced=new.announced, notes=new.notes.strip(),
                         source=new.source.strip() or (source_file.name if source_file else
                                                       f"evidence {evidence_id}" if evidence_id else "source file"),
                         sha256=sha, evidence_id=evidence_id, created_at=now_iso(),
                         created_by=actor_of(session))
    session.add(entry)
    session.flush()
    changes_of(session).add("created", "catalog_entry", entry.id)
    record_audit(session, "create", "catalog_entry", entry.id, after={**entry_dict(entry), **(audit_extra or {})})
    return entry


def model_row(m: AcceleratorModel) -> dict[str, Any]:
    """One catalog model as plain data (`catalog list --json`, the catalog dialog)."""
    pd = m.performance_density
    return {"code": m.code, "name": m.name, "vendor": m.vendor, "aliases": list(m.aliases),
            "tpp": m.tpp, "die_area_mm2": m.die_area_mm2,
            "performance_density": None if pd is None else round(pd, 3), "io_gbps": m.io_gbps,
            "prc_made": m.prc_made, "datacenter": m.datacenter, "origin": m.origin,
            "source": m.source, "evidence_id": m.evidence_id}


def remove_model(session: Session, code: str) -> CatalogEntry:
    """Delete a workspace model by code (audited); NotFoundError if the workspace has none so coded."""
    entry = session.scalar(select(CatalogEntry).where(CatalogEntry.code == code))
    if entry is None:
        raise NotFoundError(f"the workspace catalog has no model {code!r}")
    before = entry_dict(entry)
    session.delete(entry)
    session.flush()
    changes_of(session).add("deleted", "catalog_entry", entry.id)
    record_audit(session, "delete", "catalog_entry", entry.id, before=before)
    return entry


def entry_dict(entry: CatalogEntry) -> dict[str, Any]:
    """Plain data of an entry (CLI JSON, audit): figures, computed density, source and who added it."""
    pd = entry.tpp / entry.die_area_mm2 if entry.die_area_mm2 else None
    return {"code": entry.code, **entry.figures(),
            "performance_density": None if pd is None else round(pd, 3),
            "source_sha256": entry.sha256, "evidence_id": entry.evidence_id,
            "created_at": entry.created_at, "created_by": entry.created_by}


def _shipped_bounds() -> FigureBounds:
    bounds = default_vocabulary().accelerators.bounds
    assert bounds is not None, "the shipped catalog derives its figure bounds when it loads"
    return bounds


def _model_of(entry: CatalogEntry, bounds: FigureBounds) -> AcceleratorModel:
    try:
        return model_from_raw(entry.code, entry.figures(), FILE, bounds, origin="workspace",
                              evidence_id=entry.evidence_id)
    except VocabularyError as exc:  # a figure out of range: the same reason the shipped file gets
        raise ValidationError(exc.field, exc.reason) from None

