"""Case pack lines read back: the importer's parser accepts and refuses exactly what json.loads does."""

from __future__ import annotations

import json

import pytest

from casedesk.services.exchange.casepack_reading import _loads

LINES = [
    b'{"a":1}', b'{"a":1} ', b'{"a":1}\r', b'{"a":1}\t \r', b'{ "a" : [1, 2.5, {"b": null}] }',
    '{"名":"公司","e":"🐉"}'.encode(), b'{"lone":"\\ud800"}', b'{"raw":"\xed\xa0\x80"}',
    b'{"n":NaN,"i":-Infinity}', b"{}",
    # refused, or not an object: the same outcome as json.loads
    b'{"a":1} x', b"{}{}", b"{", b'{"a":', b'{"a":"\xff"}', b"{\x00", b"[1]", b' {"a":1}', b"",
    b'\xef\xbb\xbf{"a":1}', '{"a":1}'.encode("utf-16"),
]


def _outcome(parse, raw: bytes) -> tuple[str, str]:
    try:
        return "ok", repr(parse(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        return "refused", type(exc).__name__


@pytest.mark.parametrize("raw", LINES)
def test_parse_matches_json_loads(raw: bytes) -> None:
    assert _outcome(_loads, raw) == _outcome(json.loads, raw)
