"""The protocol of long work: a generator that yields Progress and returns its result.

The GUI's one background runner and the CLI both drive such generators; closing the generator
(at a yield) is how work is cancelled, and the caller's transaction then rolls back.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """How far long work has got: done out of total (None when unknown), and what it is doing."""

    done: int
    total: int | None = None
    message: str = ""

    @property
    def fraction(self) -> float | None:
        """done/total in 0..1, or None when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


Job = Generator[Progress, None, T]


def run_to_end(job: Job[T], on_progress: Any = None) -> T:
    """Drive a job to completion in the current thread (CLI, tests); returns its result."""
    while True:
        try:
            step = next(job)
        except StopIteration as stop:
            return stop.value
        if on_progress is not None:
            on_progress(step)
