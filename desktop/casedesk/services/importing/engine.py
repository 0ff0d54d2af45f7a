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
from collections.abc import Generator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.cases import get_case
from casedesk.services.collector import few_gc_passes
from casedesk.services.evidence import parse_grade
from casedesk.services.importing.converting import RowConverter
from casedesk.services.importing.drafts import Reject, RowDraft
from casedesk.services.importing.mapping import Mapping, check_mapping
from casedesk.services.importing.provenance import (
    RejectsWriter,
    add_import_evidence,
    finish_batch,
    hash_file,
    start_batch,
)
from casedesk.services.importing.reading import ReadOptions, RowStream, SourceInfo, inspect_source
from casedesk.services.importing.resolve import RowResolver
from casedesk.services.importing.results import (
    ImportOptions,
    ImportPlan,
    ImportResult,
    PreviewRow,
)
from casedesk.services.importing.settings import import_settings
from casedesk.services.importing.writer import ImportWriter, batch_mapping, large_cache
from casedesk.services.progress import Progress
from casedesk.storage.bulkinsert import background_writes
from casedesk.storage.workspace import Workspace

_PROGRESS_EVERY = 1000
_FUZZY_BATCH = 20_000  # names per background scoring batch
DEFAULT_READ = ReadOptions()  # detect encoding, delimiter and header
_BACKGROUND_WRITES = os.environ.get("CASEDESK_IMPORT_WRITER_THREAD", "1") != "0"


class _Importer:
    """One pass over a file: convert each row, resolve it, and (when writing) insert in chunks."""

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
        converter: RowConverter | None = None,
        writer: ImportWriter | None = None,
    ):
        self.info = info
        self.vocab = vocab
        self.settings = import_settings()
        self.converter = converter or RowConverter(mapping, info.columns, vocab, options.params)
        self.writer = writer
        self.resolver = RowResolver(
            session,
            case_id,
            {r.kind for r in mapping.records},
            options,
            decisions,
            vocab,
            self.settings,
            self.converter,
            writer,
        )
        self.rows = self.valid = self.rejected = 0
        self.valid_sample: list[PreviewRow] = []
        self.rejects_sample: list[Reject] = []
        self.rejects: RejectsWriter | None = None
        self.stream: RowStream | None = None

    def process(self, row: int, cells: list[str], bad_bytes: str | None = None) -> None:
        """Convert, resolve and queue one row (or reject it with reasons)."""
        self.rows += 1
        if bad_bytes is not None:  # bytes the file's encoding does not decode
            out: RowDraft | Reject = Reject(row, tuple(cells), (bad_bytes,))
        else:
            out = self.converter.convert(row, cells)
        if isinstance(out, RowDraft):
            out = self.resolver.resolve(out, cells)
        if isinstance(out, Reject):
            self.rejected += 1
            if len(self.rejects_sample) < self.settings.preview_rows:
                self.rejects_sample.append(out)
            if self.rejects is not None:
                self.rejects.write(out.row, out.reason, out.cells)
        else:
            self.valid += 1
            if len(self.valid_sample) < self.settings.preview_rows:
                self._sample(out)

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

    def encoding(self) -> tuple[str | None, str]:
        """The file's encoding and the evidence for it, including rows its bytes failed."""
        if self.info.kind != "text":
            return None, "spreadsheet"
        how = self.stream.encoding_evidence() if self.stream else self.info.encoding_how
        return self.info.encoding, how

    def counts(self) -> dict[str, Any]:
        """The batch's counts."""
        res = self.resolver
        res.match_queued()
        return {
            "rows": self.rows,
            "valid": self.valid,
            "rejected": self.rejected,
            "created": sum(res.created.values()),
            "created_by_kind": dict(res.created),
            "merged": res.merged,
            "links": res.links,
            "links_matched": res.links_matched,
            "citations": self.writer.citations if self.writer is not None else 0,
            "suggestions": sum(1 for e in res.entities if e.candidates and not e.existing),
            "encoding_evidence": self.encoding()[1],
        }

    def run(self, verb: str) -> Generator[Progress, None, None]:
        """Stream every row through process(), flushing and reporting progress as it goes."""
        stream = self.stream = RowStream(self.info)
        bad_rows = stream.bad_rows
        chunk = self.settings.chunk_rows
        since_flush = 0
        yield Progress(0, stream.total, f"{verb} {self.info.path.name}…")
        for row, cells in stream:
            self.process(row, cells, bad_rows.get(row) if bad_rows else None)
            since_flush += 1
            if since_flush >= chunk:
                # names go to the background scorer in batches big enough that it interrupts
                # the main thread for the GIL only a few times
                if len(self.resolver.fuzzy_queue) >= _FUZZY_BATCH:
                    self.resolver.score_aside()
                if self.writer is not None:
                    self.writer.flush()
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
    vocab: Vocabulary | None = None,
) -> Generator[Progress, None, ImportPlan]:
    """Read the whole file under the mapping without writing; returns the ImportPlan."""
    options = options or ImportOptions()
    vocab = vocab or default_vocabulary()
    info = _prepare(path, mapping, read, info, vocab)
    with ws.read() as s, few_gc_passes():
        get_case(s, case_id)
        imp = _Importer(s, case_id, info, mapping, options, {}, vocab)
        try:
            yield from imp.run("Checking")
            suggestions = imp.resolver.suggestions()
        finally:
            imp.resolver.close()
    encoding, evidence = imp.encoding()
    return ImportPlan(
        info=info,
        encoding=encoding,
        encoding_evidence=evidence,
        mapping=mapping,
        rows=imp.rows,
        valid=imp.valid,
        rejected=imp.rejected,
        new_records=dict(imp.resolver.created),
        matched=imp.resolver.merged,
        links=imp.resolver.links,
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
    vocab: Vocabulary | None = None,
) -> Generator[Progress, None, ImportResult]:
    """Import the file in one transaction; returns the ImportResult (rolls back on any error).

    decisions (from the wizard) map a suggestion's entity key to the record id to merge into,
    or None to keep it separate; without one, exact matches merge and name matches stay apart.
    """
    options = options or ImportOptions()
    vocab = vocab or default_vocabulary()
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
            large_cache(s)
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
                batch_mapping(mapping, info, options.params, options.grade, decisions),
            )
            writer = ImportWriter(s, case_id, evidence_id, batch_id, path.name, options.normalize)
            imp = _Importer(
                s,
                case_id,
                info,
                mapping,
                options,
                decisions or {},
                vocab,
                converter=converter,
                writer=writer,
            )
            imp.rejects = rejects
            # SQLite writes each chunk on a second thread while the next chunk is parsed.
            with background_writes(s) if _BACKGROUND_WRITES else nullcontext() as background:
                writer.background = background
                yield from imp.run("Importing")
                writer.flush()
            writer.background = None
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
            imp.resolver.match_queued()
            yield Progress(info.size, info.size, "Citing the evidence…")
            writer.finish(imp.resolver.entities, imp.resolver.link_states)
            finish_batch(s, case_id, batch_id, imp.counts())
            yield Progress(info.size, info.size, "Committing…")
        if rejects is not None:
            committed_rejects = rejects.commit()
            rejects = None
    finally:
        if imp is not None:
            imp.resolver.close()
        if rejects is not None:
            rejects.discard()
    encoding, evidence = imp.encoding()
    return ImportResult(
        batch_id=batch_id,
        encoding=encoding,
        encoding_evidence=evidence,
        case_id=case_id,
        evidence_id=evidence_id,
        sha256=sha256,
        filename=path.name,
        rows=imp.rows,
        valid=imp.valid,
        rejected=imp.rejected,
        created=sum(imp.resolver.created.values()),
        created_by_kind=dict(imp.resolver.created),
        merged=imp.resolver.merged,
        links=imp.resolver.links,
        links_matched=imp.resolver.links_matched,
        citations=writer.citations,
        suggestions=imp.resolver.suggestions(),
        rejects_path=committed_rejects,
        rejects_sample=imp.rejects_sample,
    )
