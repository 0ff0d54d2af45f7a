"""The candidate index: blocking finds spellings, the stored form round-trips, imports store it."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.services.progress import run_to_end
from casedesk.services.screening import watchlist_import as importing
from casedesk.services.screening.formats import ListEntry, ParsedList
from casedesk.services.screening.watchlist_import import import_watchlist
from casedesk.services.screening.index import NameIndex, get_index, index_from_bytes, index_to_bytes
from casedesk.services.screening.normalize import normalize_name, serialize_variants

NAMES = ["华为投资控股有限公司", "Gazprombank", "Rosneft Trade Limited", "王伟", "Wong Kar Wai",
         "Kalashnikov Concern", "Atlas Sanatgaran", "中国电子科技集团公司第十三研究所"]


def make_index() -> NameIndex:
    index = NameIndex()
    for i, name in enumerate(NAMES):
        n = normalize_name(name)
        index.add(100 + i, 1000 + i, serialize_variants(n), n.exact_only)
    return index


@pytest.mark.parametrize("query,expected", [
    ("Huawei Investment & Holding Co., Ltd.", "华为投资控股有限公司"),
    ("Gazprom Bank", "Gazprombank"),
    ("Gazprombnak", "Gazprombank"),  # a typo: found through the affix keys
    ("ROSNEFT TRADE LTD", "Rosneft Trade Limited"),
    ("王偉", "王伟"),
    ("王家衛", "Wong Kar Wai"),
])
def test_blocking_finds_other_spellings(query, expected):
    index = make_index()
    found = {NAMES[c.name_id - 100] for c in index.candidates(normalize_name(query), cutoff=60)}
    assert expected in found


def test_empty_and_legal_form_queries_find_nothing():
    index = make_index()
    for query in ("", "Co., Ltd.", "有限公司", "..."):
        assert index.candidates(normalize_name(query)) == []


def test_stored_form_round_trips():
    index = make_index()
    again = index_from_bytes(index_to_bytes(index))
    for query in ("Huawei Investment Holding", "Gazprom Bank", "王伟", "Wang Jiawei"):
        q = normalize_name(query)
        a = [(c.name_id, c.prescore, c.variants()) for c in index.candidates(q)]
        b = [(c.name_id, c.prescore, c.variants()) for c in again.candidates(q)]
        assert a == b and a
    assert again.han == index.han
    assert index_from_bytes(b"not an index") is None


def test_import_stores_the_index_and_screening_loads_it(workspace, tmp_path, monkeypatch):
    src = tmp_path / "l.csv"
    src.write_text("x", encoding="utf-8")
    entries = [ListEntry(key=str(i), name=n, line=i) for i, n in enumerate(NAMES)]
    parsed = ParsedList("mapping", entries, [], default_name="t", rows=len(entries), files=[src])
    with workspace.write() as s:
        run_to_end(import_watchlist(s, src, parsed=parsed))
    importing_forget = __import__("casedesk.services.screening.index", fromlist=["x"])
    importing_forget.forget_indexes()

    def refuse(*_a, **_k):
        raise AssertionError("the stored index should have been used")

    monkeypatch.setattr(importing_forget, "_build_list_index", refuse)
    with workspace.read() as s:
        index = run_to_end(get_index(s))
    assert len(index) == len(NAMES)
    assert index.candidates(normalize_name("Gazprom Bank"))[0].variants()[0][0] == "gazprombank"


def test_parallel_normalisation_gives_the_same_forms(sqlite_ws, tmp_path, monkeypatch):
    names = NAMES * 30 + [f"Company {i} Trading Co., Ltd." for i in range(300)]
    src = tmp_path / "l.csv"
    src.write_text("x", encoding="utf-8")
    monkeypatch.setattr(importing, "PARALLEL_MIN", 10)
    monkeypatch.setattr(importing, "_PARALLEL_CHUNK", 100)
    pool = importing.start_normalising(names)
    if pool is None:
        pytest.skip("no worker processes on this machine")
    forms = [f for _start, chunk in importing.normalised_chunks(pool, names) for f in chunk]
    assert forms == [(serialize_variants(normalize_name(n)), normalize_name(n).exact_only) for n in names]
