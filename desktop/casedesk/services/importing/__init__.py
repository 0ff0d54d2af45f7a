"""Importing CSV, TSV and XLSX evidence: one engine for the wizard and ``casedesk import``.

reading     inspect a file (encoding, delimiter, header) and stream its rows
mapping     mappings and presets: columns → fields of records, and links between them
converting  one row → validated record and link drafts, or a rejection with reasons
matching    duplicates within the file and against the case (the name-normaliser seam)
provenance  the file as evidence, the import batch, the rejects file
engine      analyse_import (preview) and run_import (one transaction), both Progress generators
"""

from casedesk.services.importing.engine import (
    ImportOptions,
    ImportPlan,
    ImportResult,
    PreviewRow,
    Suggestion,
    analyse_import,
    run_import,
)
from casedesk.services.importing.mapping import (
    Mapping,
    load_mapping_file,
    load_preset,
    preset_names,
    save_mapping_file,
)
from casedesk.services.importing.matching import NameNormalizer, simple_normalize
from casedesk.services.importing.reading import ReadOptions, SourceInfo, inspect_source

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
