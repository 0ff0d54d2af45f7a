"""Values for `column IN (...)` queries, in lists short enough for every database."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import TypeVar

# SQLite refuses statements with more bound parameters than its limit (999 in older builds).
IN_LIST_SIZE = 900

T = TypeVar("T", bound=Hashable)


def in_chunks(values: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[list[T]]:
    """The distinct values, sorted, in lists of at most `size` (one IN query each)."""
    items = sorted(set(values))  # type: ignore[type-var]
    for start in range(0, len(items), size):
        yield items[start:start + size]
