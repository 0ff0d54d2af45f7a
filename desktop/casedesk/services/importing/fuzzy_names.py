"""Names made comparable, and the background scorer of similar names against the case.

The name normaliser is a seam: pass any ``Callable[[str], str]`` (the script-aware screening
normaliser can replace ``simple_normalize`` without touching the import). Names match fuzzily
on RapidFuzz ratio of token-sorted normalised names (i.e. token_sort_ratio).
"""

from __future__ import annotations

import functools
import os
import queue
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Sequence
from typing import Protocol

from casedesk.services.importing.entities import Entity, FuzzyResults

NameNormalizer = Callable[[str], str]

_NON_WORD = re.compile(r"[\W_]+")


# ASCII letters and digits kept (lower-cased), everything else a space: what the regex below
# does to an ASCII name, as one str.translate (most imported names are ASCII).
_ASCII_FOLD = {c: (chr(c).lower() if chr(c).isalnum() else " ") for c in range(128)}


def simple_normalize(name: str) -> str:
    """Casefold, NFKC (full-width → ASCII), punctuation to spaces, collapsed spaces."""
    if name.isascii():
        return " ".join(name.translate(_ASCII_FOLD).split())
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split())


@functools.lru_cache(maxsize=1 << 18)
def import_normalize(name: str) -> str:
    """The screening normaliser's key of a name (script, legal form, glossary, order folded);
    '' when nothing identifying is left. Cached: each distinct name is normalised once."""
    from casedesk.services.screening.normalize.pipeline import name_key as screening_key

    return screening_key(name)


def name_key(name: str, normalize: NameNormalizer = simple_normalize) -> str:
    """The comparable form of a name: normalised, tokens sorted (word order does not matter)."""
    return " ".join(sorted(normalize(name).split()))



class ScoresNames(Protocol):
    """What FuzzyScorer needs of the case's names (CaseIndex)."""

    def prepare_fuzzy(self) -> None:
        """Build what fuzzy_scores reads, before another thread reads it."""

    def fuzzy_scores(
        self, items: Sequence[tuple[Entity, str]], *, workers: int = -1
    ) -> FuzzyResults:
        """(entity, [(score, record id)…]) for items similar to a case name."""


class FuzzyScorer:
    """Scores batches of names against a CaseIndex on a background thread while the import goes on.

    RapidFuzz releases the GIL only when it scores on its own worker threads (with workers=1 it
    takes the GIL back over and over, and waits each time behind the busy main thread: 2.5 s
    instead of 0.65 s for 100,000 names), so every batch runs with workers=2. The thread and the
    workers it starts take the lowest scheduling priority where the system allows it per thread
    (Linux): they use the time the import's own threads leave free instead of taking it from them.
    """

    def __init__(self, case: ScoresNames):
        self._case = case
        case.prepare_fuzzy()  # the sorted names are built here, before the thread reads them
        self._todo: queue.SimpleQueue[Sequence[tuple[Entity, str]] | None] = queue.SimpleQueue()
        self._results: FuzzyResults = []
        self._error: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._work, name="casedesk-fuzzy", daemon=True)
        self._thread.start()

    def submit(self, items: Sequence[tuple[Entity, str]]) -> None:
        """Queue (entity, name key) pairs; the caller must not change their keys afterwards."""
        self._todo.put(items)

    def finish(self) -> FuzzyResults:
        """Wait for every queued batch; their results (the first error is raised here)."""
        self._todo.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._results

    def cancel(self) -> None:
        """Drop what is queued and stop after the batch in hand."""
        self._cancelled = True
        self._todo.put(None)
        self._thread.join()

    def _work(self) -> None:
        if sys.platform.startswith("linux"):
            try:  # per-thread on Linux; the scoring workers inherit it
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
            except OSError:
                pass
        while (items := self._todo.get()) is not None:
            if self._cancelled or self._error is not None:
                continue
            try:
                self._results.extend(self._case.fuzzy_scores(items, workers=2))
            except BaseException as exc:  # noqa: BLE001 - raised again in finish()
                self._error = exc
