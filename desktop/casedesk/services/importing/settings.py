"""The importer's thresholds and limits, read from resources/import_settings.yaml."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import yaml

from casedesk.domain.errors import VocabularyError
from casedesk.paths import resources_dir

_FILE = "import_settings.yaml"


@dataclass(frozen=True)
class ImportSettings:
    """Every tunable of the importer (see the YAML file for what each one means)."""

    encodings: tuple[str, ...]
    detect_encodings: tuple[str, ...]
    sample_bytes: int
    sample_pieces: int
    sample_piece_bytes: int
    max_cell_chars: int
    max_label_chars: int
    max_field_chars: int
    fuzzy_threshold: float
    fuzzy_limit: int
    chunk_rows: int
    preview_rows: int
    locator_ranges: int
    automap_threshold: float
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    count_qualifier_words: dict[str, tuple[str, ...]] = field(default_factory=dict)


_INTS = (
    "sample_bytes",
    "sample_pieces",
    "sample_piece_bytes",
    "max_cell_chars",
    "max_label_chars",
    "max_field_chars",
    "fuzzy_limit",
    "chunk_rows",
    "preview_rows",
    "locator_ranges",
)
_FLOATS = ("fuzzy_threshold", "automap_threshold")


@functools.cache
def import_settings() -> ImportSettings:
    """The shipped settings, loaded once per process (VocabularyError if the file is malformed)."""
    path = resources_dir() / _FILE
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(_FILE, "-", "-", f"cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise VocabularyError(_FILE, "-", "-", "must be a mapping")
    values: dict[str, Any] = {}
    for name in _INTS:
        value = raw.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise VocabularyError(_FILE, name, name, "must be a positive whole number")
        values[name] = value
    for name in _FLOATS:
        value = raw.get(name)
        if not isinstance(value, (int, float)) or not 0 < value <= 100:
            raise VocabularyError(_FILE, name, name, "must be a number in 0-100")
        values[name] = float(value)
    encodings = raw.get("encodings")
    detect = raw.get("detect_encodings")
    for name, value in (("encodings", encodings), ("detect_encodings", detect)):
        if not isinstance(value, list) or not all(isinstance(e, str) for e in value) or not value:
            raise VocabularyError(_FILE, name, name, "must be a list of encoding names")
    synonyms = raw.get("synonyms") or {}
    if not isinstance(synonyms, dict):
        raise VocabularyError(_FILE, "synonyms", "synonyms", "must be a mapping of field to words")
    words = raw.get("count_qualifier_words") or {}
    if not isinstance(words, dict):
        raise VocabularyError(
            _FILE,
            "count_qualifier_words",
            "count_qualifier_words",
            "must be a mapping of qualifier code to words",
        )
    return ImportSettings(
        encodings=tuple(encodings),
        detect_encodings=tuple(detect),
        synonyms={str(k): tuple(str(w) for w in v or ()) for k, v in synonyms.items()},
        count_qualifier_words={
            str(k): tuple(str(w).casefold() for w in v or ()) for k, v in words.items()
        },
        **values,
    )
