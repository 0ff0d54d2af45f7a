"""Importing CSV, TSV and XLSX evidence: one engine for the wizard and ``casedesk import``.

One row's path: reading → converting (drafts) → resolve (FileIndex, CaseIndex) → writer.

sniffing     a text table's encoding, delimiter and header row, from a sample
reading      inspect a file (text or sheet) and stream its rows
mapping      a mapping: columns → fields of records, and links between them
mapping_files  the shipped presets, and mappings loaded, saved and listed as files
compiling    a mapping compiled against a file's header (a getter per field)
cells        cleaning cells: numbers, dates, identifiers, wallets, choices (cached)
converting   one row → validated record and link drafts (drafts), or a rejection with reasons
resolve      deduplication: each row's drafts against the file (FileIndex) and the case (case_index)
fuzzy_names  the name-normaliser seam and the background scorer of similar names
entities     what is kept per distinct incoming record (Entity, RowSpans, Candidate)
writer       bulk insert of records and links with their citations
provenance   the file as evidence, the import batch, the rejects file
results      ImportOptions, ImportPlan, ImportResult, Suggestion, PreviewRow
engine       analyse_import (preview) and run_import (one transaction), both Progress generators
undo         undo_import: remove what a batch added, restore what it merged into (audited)

This package re-exports the public API the wizard and the CLI use.
"""

from casedesk.services.importing.engine import analyse_import, run_import
from casedesk.services.importing.fuzzy_names import NameNormalizer, simple_normalize
from casedesk.services.importing.mapping import Mapping
from casedesk.services.importing.mapping_files import (
    load_mapping_file,
    load_preset,
    preset_names,
    save_mapping_file,
)
from casedesk.services.importing.reading import ReadOptions, SourceInfo, inspect_source
from casedesk.services.importing.results import (
    ImportOptions,
    ImportPlan,
    ImportResult,
    PreviewRow,
    Suggestion,
)

__all__ = [
    "ImportOptions",
    "ImportPlan",
    "ImportResult",
    "PreviewRow",
    "Suggestion",
    "analyse_import",
    "run_import",
    "Mapping",
    "load_mapping_file",
    "load_preset",
    "preset_names",
    "save_mapping_file",
    "NameNormalizer",
    "simple_normalize",
    "ReadOptions",
    "SourceInfo",
    "inspect_source",
]
