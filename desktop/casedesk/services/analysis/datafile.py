"""Reading the analysis data files (resources/analysis/*.yaml) safely and strictly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from casedesk.domain.errors import VocabularyError

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """A SafeLoader that leaves dates as text, so a bad date is reported with its entry."""


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}


def read_data_file(path: Path, name: str) -> dict[str, Any]:
    """Parse a YAML data file into a mapping; VocabularyError (naming the file) if it cannot."""
    try:
        doc = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)  # safe: no objects
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(name, "(file)", "(file)", f"cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        problem = re.sub(r"\s+", " ", str(getattr(exc, "problem", None) or exc))[:200]
        raise VocabularyError(name, where, "(yaml)", f"not valid YAML: {problem}") from None
    if not isinstance(doc, dict):
        raise VocabularyError(name, "(file)", "(file)", "expected a mapping of sections")
    return doc
