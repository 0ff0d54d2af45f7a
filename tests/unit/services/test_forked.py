"""Forked chunks: the same results in the same order as in-process, stopped when closed."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from casedesk.services import forked
from casedesk.services.forked import chunked, worker_count

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux only")


def _pids_and_squares(data):
    def fn(start, stop):
        return os.getpid(), [x * x for x in data[start:stop]]
    return fn


@linux_only
def test_forked_chunks_give_the_in_process_results_in_order(monkeypatch):
    data = list(range(1000))
    monkeypatch.setenv("CASEDESK_WORKERS", "2")
    got = list(chunked(_pids_and_squares(data), len(data), 64))
    assert [stop for stop, _r in got] == [*range(64, 1000, 64), 1000]
    assert [x for _stop, (_pid, part) in got for x in part] == [x * x for x in data]
    assert {pid for _stop, (pid, _part) in got} - {os.getpid()}, "the chunks ran in workers"
    assert forked._STATE == {}


def test_one_worker_or_few_items_stay_in_process(monkeypatch):
    data = list(range(100))
    monkeypatch.setenv("CASEDESK_WORKERS", "1")
    assert {pid for _s, (pid, _p) in chunked(_pids_and_squares(data), 100, 10)} == {os.getpid()}
    monkeypatch.setenv("CASEDESK_WORKERS", "2")
    assert {pid for _s, (pid, _p) in chunked(_pids_and_squares(data), 100, 10, min_total=500)} \
        == {os.getpid()}


def test_a_process_with_other_threads_never_forks(monkeypatch):
    # The GUI runs long work on a background thread: forking it would copy held locks.
    monkeypatch.setenv("CASEDESK_WORKERS", "2")
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert worker_count() == 1
    finally:
        stop.set()
        t.join()


@linux_only
def test_closing_the_iterator_stops_the_workers(monkeypatch):
    import multiprocessing

    monkeypatch.setenv("CASEDESK_WORKERS", "2")
    it = chunked(_pids_and_squares(list(range(10_000))), 10_000, 10)
    next(it)
    it.close()
    assert multiprocessing.active_children() == []
    assert forked._STATE == {}
