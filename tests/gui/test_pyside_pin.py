"""Guard against PySide6 6.12.0 on CPython 3.11, which leaks None on void calls and aborts."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_100000_void_qt_calls_keep_none_refcount_stable():
    obj = QObject()
    before = sys.getrefcount(None)
    for i in range(100_000):
        obj.setObjectName("n")  # returns void
    after = sys.getrefcount(None)
    # 6.12.0 on 3.11 drops one reference per call (−100,000) and dies with none_dealloc.
    assert abs(after - before) < 1000
