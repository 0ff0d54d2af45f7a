"""Read-only work over many items split across forked worker processes, when that is safe and pays.

Screening 2,000 names against 200,000 list names is pure Python scoring over an index that
takes seconds to load: spawned workers would have to load it again, threads share one GIL.
Forked workers inherit the loaded index as it is (copy-on-write), so each core scores its own
share. Fork is only safe in a process with a single thread (a fork copies other threads' held
locks but not the threads): the GUI, which runs long work on a background thread, and
platforms without a safe fork (macOS, Windows) get the same work in the calling process.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

# What the workers read: set just before the fork, inherited by the children, cleared after.
_STATE: dict[str, Any] = {}


def worker_count() -> int:
    """How many processes forked work may use here (1: do it in the calling process)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return 1
    if os.environ.get("CASEDESK_WORKERS", "").isdigit():
        return max(1, int(os.environ["CASEDESK_WORKERS"]))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _run_chunk(bounds: tuple[int, int]) -> Any:
    return _STATE["fn"](*bounds)


def _quiet_worker() -> None:
    # Ctrl+C reaches the whole process group: the parent stops the workers, which must not
    # print a traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def chunked(fn: Callable[[int, int], Any], total: int, chunk: int, *,
            min_total: int = 0) -> Iterator[tuple[int, Any]]:
    """(stop, fn(start, stop)) for consecutive chunks of range(total), in order.

    fn must only read what existed before the call and return picklable results; with more than
    one worker (and at least min_total items) the chunks run in forked processes. Closing the
    iterator stops the workers at once.
    """
    bounds = [(start, min(total, start + chunk)) for start in range(0, total, chunk)]
    workers = min(worker_count(), len(bounds))
    if workers <= 1 or total < min_total:
        for start, stop in bounds:
            yield stop, fn(start, stop)
        return
    import multiprocessing

    _STATE["fn"] = fn
    # Objects that exist now are left out of the children's garbage collection: scanning them
    # would touch (and so copy) every page of the inherited index.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
            for (_start, stop), result in zip(bounds, pool.imap(_run_chunk, bounds)):
                yield stop, result
    finally:
        if freeze:
            gc.unfreeze()
        _STATE.clear()
