"""Case pack lines: each row is written as json.dumps writes it (compact, Unicode kept, str() for the rest)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from casedesk.services.exchange.casepack_out import _json_line

ROWS = [
    {"id": 1, "label": "Party 0 公司", "share_pct": 12.5, "whole": 7.0, "big": 1e300, "tiny": 5e-324,
     "none": None, "flag": True, "off": False, "tags": ["a", "b"], "nested": {"k": [1, {"x": None}]}},
    {"quote": 'he said "hi" \\ /', "ctrl": "\n\t\r\x00\x1f\x7f", "emoji": "🐉", "lone": "\ud800",
     "seps": "\u2028\u2029"},
    {"when": datetime(2026, 12, 8, 1, 2, 3, tzinfo=timezone.utc), "day": date(2026, 1, 2),
     "money": Decimal("10.50"), "nan": float("nan"), "inf": float("-inf")},
    {}, {"b": 1, "a": 2},  # key order kept, as dumps keeps it
]


@pytest.mark.parametrize("row", ROWS, ids=range(len(ROWS)))
def test_a_row_is_written_as_json_dumps_writes_it(row):
    expected = json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str)
    assert _json_line(row) == expected.encode("utf-8", "surrogatepass") + b"\n"
