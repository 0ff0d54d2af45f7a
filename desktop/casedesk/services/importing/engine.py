"""The import engine: preview a file under a mapping, then import it in one transaction.

Both the wizard and ``casedesk import`` drive these generators (they yield Progress and return
their result). ``analyse_import`` reads the whole file without writing: counts, valid and rejected
rows side by side, duplicate suggestions. ``run_import`` writes: the file becomes evidence, every
record and link is inserted in bulk citing it with its row, an import batch records what was done,
and the audit chain gets all of it. Closing the generator (Cancel) or any error rolls everything
back.
"""

from __future__ import annotations

import os
import textwrap
from collections import Counter
from collections.abc import Generator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, text, update

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Address as AddressRow
from casedesk.domain.models import Alias, Citation, Identifier
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.audit import record_audit
from casedesk.services.bulk import (
    bulk_cite,
    insert_clean_links,
    insert_clean_records,
)
from casedesk.services.cases import get_case
from casedesk.services.collector import few_gc_passes
from casedesk.services.evidence import parse_grade
from casedesk.services.importing.converting import EntityDraft, Reject, RowConverter, RowDraft
from casedesk.services.importing.mapping import Mapping, check_mapping
from casedesk.services.importing.matching import (
    MATCHED_KINDS,
    Candidate,
    CaseIndex,
    Entity,
    FileIndex,
    FuzzyScorer,
    NameNormalizer,
    RowSpans,
    draft_keys,
    merge_later,
    simple_normalize,
)
from casedesk.services.importing.provenance import (
    RejectsWriter,
    add_import_evidence,
    finish_batch,
    hash_file,
    start_batch,
)
from casedesk.services.importing.reading import ReadOptions, RowStream, SourceInfo, inspect_source
from casedesk.services.importing.settings import import_settings
from casedesk.services.progress import Progress
from casedesk.services.snapshot import record_snapshot
from casedesk.storage.bulkinsert import background_writes
from casedesk.storage.workspace import Workspace, changes_of

# Links that record events (each row a separate transfer or payment) are never merged, even
# when two rows join the same two records.
EVENT_LINK_TYPES = frozenset({"transferred_to", "paid"})
_PROGRESS_EVERY = 1000
_FUZZY_BATCH = 20_000  # names per background scoring batch
DEFAULT_READ = ReadOptions()  # detect encoding, delimiter and header
_BACKGROUND_WRITES = os.environ.get("CASEDESK_IMPORT_WRITER_THREAD", "1") != "0"


@dataclass
class ImportOptions:
    """Choices for one import besides the file and mapping."""

    grade: str = "F6"
    params: dict[str, str] = field(default_factory=dict)  # mapping parameters, e.g. chain
    rejects_path: Path | None = None
    merge_same_names: bool = (
        False  # also merge (not only suggest) names identical after normalising
    )
    normalize: NameNormalizer = simple_normalize  # the seam for the screening normaliser
    threshold: float | None = None  # fuzzy suggestion threshold; settings default when None
    title: str | None = None
    source: str = ""


@dataclass
class Suggestion:
    """An incoming record that may already be in the case, and what was decided for it."""

    entity_key: str
    kind: str
    label: str
    first_row: int
    rows: int
    candidates: tuple[Candidate, ...]
    decision: int | None  # the record id merged into, or None (kept separate)

    @property
    def exact(self) -> bool:
        """True when the best candidate matches on an identifier or wallet address."""
        return bool(self.candidates) and self.candidates[0].exact

    def as_json(self) -> dict[str, Any]:
        """Plain data for the CLI."""
        return {
            "row": self.first_row,
            "rows": self.rows,
            "kind": self.kind,
            "label": self.label,
            "decision": "merged" if self.decision is not None else "kept separate",
            "merged_into": self.decision,
            "candidates": [c.as_json() for c in self.candidates],
        }


@dataclass(frozen=True)
class PreviewRow:
    """A valid row as the preview shows it: the records and links it makes."""

    row: int
    records: tuple[tuple[str, str, str], ...]  # (mapping key, kind, label)
    links: tuple[str, ...]


@dataclass
class ImportPlan:
    """What an import would do (nothing written): counts, samples, duplicate suggestions."""

    info: SourceInfo
    mapping: Mapping
    rows: int = 0
    valid: int = 0
    rejected: int = 0
    new_records: dict[str, int] = field(default_factory=dict)
    matched: int = 0
    links: int = 0
    valid_sample: list[PreviewRow] = field(default_factory=list)
    rejects_sample: list[Reject] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    note_columns: list[str] = field(default_factory=list)

    def default_decisions(self) -> dict[str, int | None]:
        """Each suggestion's default: exact matches merged, name matches kept separate."""
        return {s.entity_key: s.decision for s in self.suggestions}


@dataclass
class ImportResult:
    """What an import did."""

    batch_id: int
    case_id: int
    evidence_id: int
    sha256: str
    filename: str
    rows: int
    valid: int
    rejected: int
    created: int
    created_by_kind: dict[str, int]
    merged: int
    links: int
    links_matched: int
    citations: int
    suggestions: list[Suggestion]
    rejects_path: Path | None
    rejects_sample: list[Reject]

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON document (cli.md keys first)."""
        return {
            "batch_id": self.batch_id,
            "rows": self.rows,
            "created": self.created,
            "merged": self.merged,
            "rejected": self.rejected,
            "evidence_sha256": self.sha256,
            "case_id": self.case_id,
            "evidence_id": self.evidence_id,
            "valid": self.valid,
            "created_by_kind": self.created_by_kind,
            "links": self.links,
            "links_matched": self.links_matched,
            "citations": self.citations,
            "rejects": str(self.rejects_path) if self.rejects_path else None,
            "suggestions": [s.as_json() for s in self.suggestions if s.decision is None],
        }


class _LinkState:
    __slots__ = ("link_id", "existing", "spans")

    def __init__(self, spans: RowSpans):
        self.link_id: int | None = None
        self.existing = False
        self.spans = spans


class _Importer:
    """One pass over a file: convert, deduplicate, and (when writing) insert in chunks."""

    def __init__(
        self,
        session: Any,
        case_id: int,
        info: SourceInfo,
        mapping: Mapping,
        options: ImportOptions,
        decisions: dict[str, int | None],
        vocab: Vocabulary,
        *,
        write: bool,
        converter: RowConverter | None = None,
    ):
        self.s = session
        self.case_id = case_id
        self.info = info
        self.mapping = mapping
        self.options = options
        self.decisions = decisions
        self.vocab = vocab
        self.write = write
        self.settings = import_settings()
        self.converter = converter or RowConverter(mapping, info.columns, vocab, options.params)
        self.normalize = options.normalize
        self.files = FileIndex(self.normalize, self.settings.locator_ranges)
        self.case = CaseIndex(
            session,
            case_id,
            {r.kind for r in mapping.records},
            normalize=self.normalize,
            threshold=options.threshold or self.settings.fuzzy_threshold,
            limit=self.settings.fuzzy_limit,
        )
        self.entities: list[Entity] = []
        self.fuzzy_queue: list[tuple[Entity, str]] = []
        self.scorer: FuzzyScorer | None = None  # scores batches of names beside the import
        self.link_states: dict[tuple[str, int, int], _LinkState] = {}
        self.pending_records: list[Entity] = []
        self.pending_links: list[
            tuple[str, Entity, Entity, dict[str, Any], int, _LinkState | None]
        ] = []
        self.rows = self.valid = self.rejected = 0
        self.created: Counter[str] = Counter()
        self.merged = 0
        self.links = 0
        self.links_matched = 0
        self.citations = 0
        self.valid_sample: list[PreviewRow] = []
        self.rejects_sample: list[Reject] = []
        self.rejects: RejectsWriter | None = None
        self.batch_id = 0
        self.evidence_id = 0
        self.writer: Any = None  # the SQLite background writer while rows are streamed in
        # One time for every record, link and audit entry the import creates (one transaction);
        # it also keeps the bulk statements' text the same from chunk to chunk (bulkinsert).
        self.now = now_iso()

    # -- one row -----------------------------------------------------------------------------

    def process(self, row: int, cells: list[str]) -> None:
        """Convert, resolve and queue one row (or reject it with reasons)."""
        self.rows += 1
        out = self.converter.convert(row, cells)
        if isinstance(out, RowDraft):
            out = self._resolve(out, cells)
        if isinstance(out, Reject):
            self.rejected += 1
            if len(self.rejects_sample) < self.settings.preview_rows:
                self.rejects_sample.append(out)
            if self.rejects is not None:
                self.rejects.write(out.row, out.reason, out.cells)
        else:
            self.valid += 1

    def _resolve(self, draft: RowDraft, cells: list[str]) -> RowDraft | Reject:
        if len(draft.entities) == 1 and not draft.links:
            (ent_draft,) = draft.entities.values()
            return self._resolve_one(draft, ent_draft)
        row = draft.row
        local: dict[str, Entity] = {}
        fresh: list[tuple[Entity, EntityDraft]] = []
        row_keys: dict[str, Entity] = {}  # keys of the entities this row introduces
        several = len(draft.entities) > 1
        for key, ent_draft in draft.entities.items():
            ent = self.files.find(ent_draft)
            keys: list[str] = []
            if ent is None and several and ent_draft.kind in MATCHED_KINDS:
                # the same new party twice in one row (owner and operator): one entity
                exact, name = draft_keys(ent_draft, self.normalize)
                keys = exact + ([name] if name else [])
                ent = next((row_keys[k] for k in keys if k in row_keys), None)
            if ent is None:
                ent = self.files.new(ent_draft, row)
                self._decide(ent, ent_draft)
                fresh.append((ent, ent_draft))
                row_keys.update((k, ent) for k in keys)
            local[key] = ent
        reasons = []
        for lk in draft.links:
            src, tgt = local[lk.source], local[lk.target]
            if src is tgt:
                reasons.append(
                    f"{lk.key}: the {lk.source} and the {lk.target} are the same {src.kind} "
                    f"{src.label[:60]!r}"
                )
                continue
            if src.existing or tgt.existing:
                lt = self.vocab.link_types[lk.type]
                s_pk = self.case.party_kinds.get(src.record_id) if src.existing else src.party_kind
                t_pk = self.case.party_kinds.get(tgt.record_id) if tgt.existing else tgt.party_kind
                if not self.converter.allows(lk.type, src.kind, s_pk, tgt.kind, t_pk):
                    which, pk = (src, s_pk) if src.existing else (tgt, t_pk)
                    reasons.append(
                        f"{lk.key}: {which.label[:60]!r} matches record {which.record_id}, "
                        f"a {pk or which.kind}, which cannot be linked by {lt.label!r}"
                    )
        if reasons:
            return Reject(row, tuple(cells), tuple(reasons))
        creating = {id(d) for _, d in fresh}
        for ent, ent_draft in fresh:
            self._take_new(ent, ent_draft, row)
        for key, ent_draft in draft.entities.items():
            ent = local[key]
            if id(ent_draft) not in creating:
                ent.spans.add(row)
                merge_later(ent, ent_draft, row, self.normalize)
            self.files.register(ent, ent_draft)
        for lk in draft.links:
            self._queue_link(lk.type, local[lk.source], local[lk.target], lk.fields, row)
        if len(self.valid_sample) < self.settings.preview_rows:
            self._sample(draft)
        return draft

    def _resolve_one(self, draft: RowDraft, ent_draft: EntityDraft) -> RowDraft:
        """_resolve for the usual row of one record and no link, without its bookkeeping."""
        row = draft.row
        ent = self.files.find(ent_draft)
        if ent is None:
            ent = self.files.new(ent_draft, row)
            self._decide(ent, ent_draft)
            self._take_new(ent, ent_draft, row)
        else:
            ent.spans.add(row)
            merge_later(ent, ent_draft, row, self.normalize)
        self.files.register(ent, ent_draft)
        if len(self.valid_sample) < self.settings.preview_rows:
            self._sample(draft)
        return draft

    def _take_new(self, ent: Entity, ent_draft: EntityDraft, row: int) -> None:
        """Count an entity first met on this row: a new record to insert, or a merge."""
        self.entities.append(ent)
        if ent.existing:
            # What the row says about an existing record is added to it (empty fields
            # filled, new names and identifiers, notes), never overwriting it.
            self.merged += 1
            ent.norm = self.normalize(self.case.labels[ent.record_id])
            ent.names, ent.known, ent.known_own = None, {}, True
            merge_later(ent, ent_draft, row, self.normalize)
            ent.draft = None
        else:
            self.created[ent.kind] += 1
            if (
                ent.kind in MATCHED_KINDS
                and ent_draft.name_key
                and self.case.name_keys.get(ent.kind)
            ):
                self.fuzzy_queue.append((ent, ent_draft.name_key))
            if self.write:
                self.pending_records.append(ent)
            else:
                ent.draft = None

    def _sample(self, draft: RowDraft) -> None:
        """Keep a valid row for the preview: the records and links it makes."""
        self.valid_sample.append(
            PreviewRow(
                draft.row,
                tuple((k, e.kind, e.label) for k, e in draft.entities.items()),
                tuple(
                    f"{draft.entities[lk.source].label[:40]} —{self.vocab.link_types[lk.type].label}→ "
                    f"{draft.entities[lk.target].label[:40]}"
                    for lk in draft.links
                ),
            )
        )

    def _decide(self, ent: Entity, draft: EntityDraft) -> None:
        """Match a new incoming entity against the case and decide: merge or keep separate."""
        if ent.kind not in MATCHED_KINDS:
            return
        ent.candidates = self.case.match_exact(draft)
        if ent.key in self.decisions:
            target = self.decisions[ent.key]
            if target is not None and self.case.kinds.get(target) != ent.kind:
                raise ValidationError(
                    "merge",
                    f"record {target} is not a {ent.kind} of this case; run the preview again",
                )
        else:
            target = next(
                (
                    c.record_id
                    for c in ent.candidates
                    if c.exact or (self.options.merge_same_names and c.score >= 100)
                ),
                None,
            )
        if target is not None:
            ent.existing = True
            ent.record_id = target

    def _queue_link(
        self, link_type: str, src: Entity, tgt: Entity, fields: dict[str, Any], row: int
    ) -> None:
        state = None
        if link_type not in EVENT_LINK_TYPES:
            key = (link_type, id(src), id(tgt))
            state = self.link_states.get(key)
            if state is not None:
                state.spans.add(row)
                return
            state = self.link_states[key] = _LinkState(RowSpans(row, self.settings.locator_ranges))
            if src.existing and tgt.existing:
                if self.writer is not None:
                    self.writer.wait()  # the case's links are read from the database
                existing = self.case.existing_link(link_type, src.record_id, tgt.record_id)
                if existing is not None:
                    state.link_id, state.existing = existing, True
                    self.links_matched += 1
                    return
        self.links += 1
        if self.write:
            self.pending_links.append((link_type, src, tgt, fields, row, state))

    # -- writing -----------------------------------------------------------------------------

    def _source(self) -> dict[str, Any]:
        """What every audit entry of the import names besides its row: batch and evidence."""
        return {"import_batch": self.batch_id, "evidence_id": self.evidence_id}

    def flush(self) -> None:
        """Insert the queued records, then the queued links with their citations."""
        if self.pending_records:
            ents = self.pending_records
            self.pending_records = []
            ids = insert_clean_records(
                self.s,
                self.case_id,
                [e.draft for e in ents],  # validated drafts: no CleanRecord copy needed
                audit_extra=self._source(),
                source_rows=[e.spans.first for e in ents],
                now=self.now,
            )
            # Records that will probably not recur (their drafts are not shared) are cited now,
            # on the writer thread; finish() corrects the locator of any that did recur.
            cited: list[Entity] = []
            cites = []
            claim = self._claim()
            for e, rid in zip(ents, ids):
                e.record_id = rid
                if not e.draft.shared:
                    cited.append(e)
                    cites.append((rid, None, f"row {e.spans.first}", claim))
                e.draft = None
            if cites:
                cids = bulk_cite(self.s, self.case_id, self.evidence_id, cites, audit=False)
                for e, cid in zip(cited, cids):
                    e.citation_id = cid
                self.citations += len(cites)
        if self.pending_links:
            queued = self.pending_links
            self.pending_links = []
            ids = insert_clean_links(
                self.s,
                self.case_id,
                [(q[0], q[1].record_id, q[2].record_id, q[3]) for q in queued],
                audit_extra=self._source(),
                source_rows=[q[4] for q in queued],
                now=self.now,
            )
            cites = []
            claim = self._claim()
            for lid, q in zip(ids, queued):
                state = q[5]
                if state is None:
                    cites.append((None, lid, f"row {q[4]}", claim))
                else:
                    state.link_id = lid
            if cites:
                bulk_cite(self.s, self.case_id, self.evidence_id, cites, audit=False)
                self.citations += len(cites)

    def _claim(self) -> str:
        return f"import batch {self.batch_id}: {self.info.path.name}"

    def finish(self) -> None:
        """Cite the records and merged links, apply what later rows add, nothing else."""
        self.flush()
        claim = self._claim()
        new_cites = [
            (e.record_id, None, e.spans.locator(), claim)
            for e in self.entities
            if not e.existing and e.citation_id is None
        ]
        # cited while the file was read, then met again on later rows: their rows, in full
        recurred = [
            {"cid": e.citation_id, "loc": e.spans.locator()}
            for e in self.entities
            if e.citation_id is not None and e.spans.count > 1
        ]
        if recurred:
            self.s.execute(
                update(Citation.__table__)
                .where(Citation.__table__.c.id == bindparam("cid"))
                .values(locator=bindparam("loc")),
                recurred,
            )
        old_cites = [
            (e.record_id, None, e.spans.locator(), claim) for e in self.entities if e.existing
        ]
        new_cites += [
            (None, st.link_id, st.spans.locator(), claim)
            for st in self.link_states.values()
            if not st.existing
        ]
        old_cites += [
            (None, st.link_id, st.spans.locator(), claim)
            for st in self.link_states.values()
            if st.existing
        ]
        if new_cites:
            # Their subjects' creation entries already name the evidence and row (audit=False).
            bulk_cite(self.s, self.case_id, self.evidence_id, new_cites, audit=False)
        if old_cites:
            bulk_cite(
                self.s,
                self.case_id,
                self.evidence_id,
                old_cites,
                audit_extra={"import_batch": self.batch_id},
            )
        self.citations += len(new_cites) + len(old_cites)
        for ent in self.entities:
            if ent.extra:
                self._apply_extra(ent)

    def _apply_extra(self, ent: Entity) -> None:
        """Fill empty fields and add names, identifiers and notes a later row (or a merge) brings."""
        from casedesk.services.records import get_record

        extra = ent.extra or {}
        record = get_record(self.s, ent.record_id)
        before = record_snapshot(record)
        changed = False
        for name, value in (extra.get("fields") or {}).items():
            if hasattr(record, name) and getattr(record, name) in (None, "", []):
                setattr(record, name, value)
                changed = True
        names = {self.normalize(record.label)} | {self.normalize(a.name) for a in record.aliases}
        for alias in extra.get("aliases") or ():
            if self.normalize(alias) not in names:
                record.aliases.append(Alias(name=alias, alias_kind="aka"))
                names.add(self.normalize(alias))
                changed = True
        have = {(i.scheme, i.value) for i in record.identifiers}
        for ident in extra.get("identifiers") or ():
            if (ident.scheme, ident.value) not in have:
                record.identifiers.append(
                    Identifier(
                        scheme=ident.scheme,
                        value=ident.value,
                        status=ident.status,
                        country=ident.country,
                    )
                )
                have.add((ident.scheme, ident.value))
                changed = True
        fulls = {a.full for a in record.addresses}
        for addr in extra.get("addresses") or ():
            if addr.full not in fulls:
                record.addresses.append(
                    AddressRow(full=addr.full, city=addr.city or "", country=addr.country)
                )
                fulls.add(addr.full)
                changed = True
        notes = extra.get("notes") or []
        if notes:
            text = f"From {self.info.path.name} (import batch {self.batch_id}):\n" + "\n".join(
                notes
            )
            record.notes = f"{record.notes}\n{text}" if record.notes else text
            changed = True
        if not changed:
            return
        record.updated_at = now_iso()
        self.s.flush()
        record_audit(
            self.s,
            "update",
            "record",
            record.id,
            case_id=record.case_id,
            record_id=record.id,
            before=before,
            after={**record_snapshot(record), "import_batch": self.batch_id},
        )
        changes_of(self.s).add("updated", "record", record.id)
        self.s.expunge(record)

    def counts(self) -> dict[str, Any]:
        """The batch's counts."""
        self.match_queued()
        return {
            "rows": self.rows,
            "valid": self.valid,
            "rejected": self.rejected,
            "created": sum(self.created.values()),
            "created_by_kind": dict(self.created),
            "merged": self.merged,
            "links": self.links,
            "links_matched": self.links_matched,
            "citations": self.citations,
            "suggestions": sum(1 for e in self.entities if e.candidates and not e.existing),
        }

    def _score_aside(self) -> None:
        """Hand the queued names to the background scorer (started on first use) in batches
        big enough that it interrupts the main thread for the GIL only a few times."""
        if len(self.fuzzy_queue) < _FUZZY_BATCH:
            return
        if self.scorer is None:
            self.scorer = FuzzyScorer(self.case)
        queued, self.fuzzy_queue = self.fuzzy_queue, []
        self.scorer.submit(queued)

    def match_queued(self) -> None:
        """Score the queued new entities' names against the case (fuzzy suggestions)."""
        if self.scorer is not None:
            self.case.apply_fuzzy(self.scorer.finish())
            self.scorer = None
        queued, self.fuzzy_queue = self.fuzzy_queue, []
        self.case.match_fuzzy(queued)

    def close(self) -> None:
        """Stop background scoring (after a cancel or an error; results are dropped)."""
        if self.scorer is not None:
            self.scorer.cancel()
            self.scorer = None

    def suggestions(self) -> list[Suggestion]:
        """Every incoming entity with candidates in the case, with its decision."""
        self.match_queued()
        return [
            Suggestion(
                e.key,
                e.kind,
                e.label,
                e.spans.first,
                e.spans.count,
                e.candidates,
                e.record_id if e.existing else None,
            )
            for e in self.entities
            if e.candidates
        ]

    # -- the pass ----------------------------------------------------------------------------

    def run(self, verb: str) -> Generator[Progress, None, None]:
        """Stream every row through process(), flushing and reporting progress as it goes."""
        stream = RowStream(self.info)
        chunk = self.settings.chunk_rows
        since_flush = 0
        yield Progress(0, stream.total, f"{verb} {self.info.path.name}…")
        for row, cells in stream:
            self.process(row, cells)
            since_flush += 1
            if since_flush >= chunk:
                self._score_aside()
                if self.write:
                    self.flush()
                    if self.writer is not None:
                        self.writer.dispatch()
                since_flush = 0
            if self.rows % _PROGRESS_EVERY == 0:
                yield Progress(
                    stream.position,
                    stream.total,
                    f"{verb}: {self.rows:,} rows, {self.rejected:,} rejected",
                )
        if self.rows == 0:
            raise ValidationError("file", f"{self.info.path.name} has no data rows")
        yield Progress(
            stream.total, stream.total, f"{verb}: {self.rows:,} rows, {self.rejected:,} rejected"
        )


def _prepare(
    path: str | Path,
    mapping: Mapping,
    read: ReadOptions,
    info: SourceInfo | None,
    vocab: Vocabulary,
) -> SourceInfo:
    check_mapping(mapping, vocab)
    if info is None:
        info = inspect_source(Path(path), read, known_columns=mapping.known_header_keys())
    return info


def analyse_import(
    ws: Workspace,
    case_id: int,
    path: str | Path,
    mapping: Mapping,
    *,
    read: ReadOptions = DEFAULT_READ,
    options: ImportOptions | None = None,
    info: SourceInfo | None = None,
) -> Generator[Progress, None, ImportPlan]:
    """Read the whole file under the mapping without writing; returns the ImportPlan."""
    options = options or ImportOptions()
    vocab = default_vocabulary()
    info = _prepare(path, mapping, read, info, vocab)
    with ws.read() as s, few_gc_passes():
        get_case(s, case_id)
        imp = _Importer(s, case_id, info, mapping, options, {}, vocab, write=False)
        try:
            yield from imp.run("Checking")
            suggestions = imp.suggestions()
        finally:
            imp.close()
    return ImportPlan(
        info=info,
        mapping=mapping,
        rows=imp.rows,
        valid=imp.valid,
        rejected=imp.rejected,
        new_records=dict(imp.created),
        matched=imp.merged,
        links=imp.links,
        valid_sample=imp.valid_sample,
        rejects_sample=imp.rejects_sample,
        suggestions=suggestions,
        missing_columns=sorted(set(imp.converter.missing)),
        note_columns=[info.columns[i] for i in imp.converter.note_columns],
    )


def run_import(
    ws: Workspace,
    case_id: int,
    path: str | Path,
    mapping: Mapping,
    *,
    read: ReadOptions = DEFAULT_READ,
    options: ImportOptions | None = None,
    decisions: dict[str, int | None] | None = None,
    info: SourceInfo | None = None,
) -> Generator[Progress, None, ImportResult]:
    """Import the file in one transaction; returns the ImportResult (rolls back on any error).

    decisions (from the wizard) map a suggestion's entity key to the record id to merge into,
    or None to keep it separate; without one, exact matches merge and name matches stay apart.
    """
    options = options or ImportOptions()
    vocab = default_vocabulary()
    parse_grade(options.grade)
    path = Path(path)
    info = _prepare(path, mapping, read, info, vocab)
    # Built before anything is written: a mapping that does not fit the file fails here.
    converter = RowConverter(mapping, info.columns, vocab, options.params)
    yield Progress(0, info.size, f"Hashing {path.name}…")
    sha256, size = hash_file(path)
    rejects = RejectsWriter(options.rejects_path, info.columns) if options.rejects_path else None
    committed_rejects: Path | None = None
    imp: _Importer | None = None
    try:
        with ws.write(defer_checkpoint=True) as s, few_gc_passes():
            get_case(s, case_id)
            _large_cache(s)
            yield Progress(0, info.size, f"Storing {path.name} as evidence…")
            title = options.title or f"Import of {path.name}"
            source = (
                options.source
                or f"{path.name}, imported with the {mapping.label or mapping.name} mapping"
            )
            evidence_id = add_import_evidence(
                s, case_id, path, sha256, size, grade=options.grade, title=title, source=source
            )
            batch_id = start_batch(
                s,
                case_id,
                evidence_id,
                path,
                sha256,
                _batch_mapping(mapping, info, options, decisions),
            )
            imp = _Importer(
                s,
                case_id,
                info,
                mapping,
                options,
                decisions or {},
                vocab,
                write=True,
                converter=converter,
            )
            imp.rejects, imp.batch_id, imp.evidence_id = rejects, batch_id, evidence_id
            # SQLite writes each chunk on a second thread while the next chunk is parsed.
            with background_writes(s) if _BACKGROUND_WRITES else nullcontext() as writer:
                imp.writer = writer
                yield from imp.run("Importing")
                imp.flush()
            imp.writer = None
            if imp.valid == 0:
                if rejects is not None:
                    committed_rejects = rejects.commit()
                    rejects = None
                first = imp.rejects_sample[0] if imp.rejects_sample else None
                # whole words: a reason cut mid-word reads as a different reason
                reason = textwrap.shorten(first.reason, 200, placeholder=" …") if first else ""
                where = f" (first: row {first.row}: {reason})" if first else ""
                saved = (
                    f"; rejected rows written to {committed_rejects}" if committed_rejects else ""
                )
                raise ValidationError(
                    "file",
                    f"none of the {imp.rows:,} rows can be imported, "
                    f"nothing was written{where}{saved}",
                )
            # Names were scored in batches of 20,000 beside the import (FuzzyScorer); this waits
            # for the last batch and scores the rest on both cores.
            yield Progress(info.size, info.size, "Comparing names with the case…")
            imp.match_queued()
            yield Progress(info.size, info.size, "Citing the evidence…")
            imp.finish()
            finish_batch(s, case_id, batch_id, imp.counts())
            yield Progress(info.size, info.size, "Committing…")
        if rejects is not None:
            committed_rejects = rejects.commit()
            rejects = None
    finally:
        if imp is not None:
            imp.close()
        if rejects is not None:
            rejects.discard()
    return ImportResult(
        batch_id=batch_id,
        case_id=case_id,
        evidence_id=evidence_id,
        sha256=sha256,
        filename=path.name,
        rows=imp.rows,
        valid=imp.valid,
        rejected=imp.rejected,
        created=sum(imp.created.values()),
        created_by_kind=dict(imp.created),
        merged=imp.merged,
        links=imp.links,
        links_matched=imp.links_matched,
        citations=imp.citations,
        suggestions=imp.suggestions(),
        rejects_path=committed_rejects,
        rejects_sample=imp.rejects_sample,
    )


def _large_cache(session: Any) -> None:
    """Give SQLite a bigger page cache for this connection: the link and audit indexes take
    scattered inserts, and a small cache makes their pages spill to disk mid-import."""
    if session.bind.dialect.name == "sqlite":
        session.execute(text("PRAGMA cache_size = -131072"))  # 128 MB, in KiB


def _batch_mapping(
    mapping: Mapping,
    info: SourceInfo,
    options: ImportOptions,
    decisions: dict[str, int | None] | None,
) -> dict[str, Any]:
    return {
        "mapping": mapping.to_data(),
        "parameters": dict(options.params),
        "read": {
            "format": info.kind,
            "encoding": info.encoding,
            "delimiter": info.delimiter,
            "header_row": info.header_row,
            "sheet": info.sheet,
            "columns": list(info.columns),
        },
        "grade": options.grade.upper(),
        "decisions": {k: v for k, v in (decisions or {}).items()},
    }
