"""Type-ahead search finds records by any name or alias, in any script, on both backends."""

from __future__ import annotations

import pytest

from casedesk.services.bulk import bulk_create_records
from casedesk.services.cases import create_case
from casedesk.services.records import (
    AliasIn,
    RecordIn,
    add_alias,
    create_record,
    delete_record,
    remove_child,
    update_record,
)
from casedesk.services.search import has_search_index, search_records


@pytest.fixture
def people(workspace, case_id):
    with workspace.write() as s:
        ids = {
            "hx": create_record(s, case_id, RecordIn("party", {"label": "Huaxin Technology Co., Ltd."},
                                                     aliases=[AliasIn("華信科技有限公司", "Hant", "zh")])).id,
            "ww": create_record(s, case_id, RecordIn("party", {"label": "Wang Wei", "party_kind": "person"},
                                                     aliases=[AliasIn("王伟", "Hans", "zh")])).id,
            "hold": create_record(s, case_id, RecordIn("party", {"label": "Golden Holding 100% Ltd_"})).id,
        }
    return ids


def _ids(workspace, case_id, q):
    with workspace.read() as s:
        return [h.record_id for h in search_records(s, case_id, q)]


def test_sqlite_workspaces_have_the_trigram_index(sqlite_ws):
    with sqlite_ws.read() as s:
        assert has_search_index(s)


def test_latin_substring_any_case(workspace, case_id, people):
    assert _ids(workspace, case_id, "huaxin") == [people["hx"]]
    assert _ids(workspace, case_id, "OLDING") == [people["hold"]]
    assert _ids(workspace, case_id, "nothing like it") == []


def test_two_and_one_character_cjk_queries_find_names(workspace, case_id, people):
    # Trigrams cannot match under three characters; the scan fallback must.
    assert _ids(workspace, case_id, "王伟") == [people["ww"]]
    assert _ids(workspace, case_id, "伟") == [people["ww"]]
    with workspace.read() as s:
        hit = search_records(s, case_id, "王伟")[0]
    assert hit.matched == "王伟" and hit.via_alias and hit.label == "Wang Wei"


def test_simplified_query_finds_traditional_alias_and_back(workspace, case_id, people):
    assert _ids(workspace, case_id, "华信科技") == [people["hx"]]  # simplified → 華信科技
    assert _ids(workspace, case_id, "华信") == [people["hx"]]  # two characters, simplified
    assert _ids(workspace, case_id, "王偉") == [people["ww"]]  # traditional → 王伟


def test_query_syntax_characters_are_literal(workspace, case_id, people):
    assert _ids(workspace, case_id, '100%') == [people["hold"]]
    assert _ids(workspace, case_id, 'Ltd_') == [people["hold"]]
    assert _ids(workspace, case_id, '"') == []
    assert _ids(workspace, case_id, 'a" OR "b') == []
    assert _ids(workspace, case_id, "\x00") == []


def test_exact_and_prefix_matches_rank_first(workspace, case_id):
    with workspace.write() as s:
        a = create_record(s, case_id, RecordIn("party", {"label": "Star Alliance Holdings"})).id
        b = create_record(s, case_id, RecordIn("party", {"label": "Alliance"})).id
        c = create_record(s, case_id, RecordIn("party", {"label": "Alliance Capital"})).id
    assert _ids(workspace, case_id, "alliance") == [b, c, a]


def test_index_follows_edits_deletes_and_other_cases(workspace, case_id, people):
    with workspace.write() as s:
        update_record(s, people["hold"], {"label": "Silver Trust"}, expected_version=1)
        alias = add_alias(s, people["hold"], AliasIn("銀信託", "Hant"))
        alias_id = alias.id
    assert _ids(workspace, case_id, "olding") == []
    assert _ids(workspace, case_id, "silver") == [people["hold"]]
    assert _ids(workspace, case_id, "銀信託") == [people["hold"]]
    with workspace.write() as s:
        remove_child(s, people["hold"], "aliases", alias_id)
    assert _ids(workspace, case_id, "銀信託") == []
    with workspace.write() as s:
        delete_record(s, people["ww"], expected_version=1)
    assert _ids(workspace, case_id, "王伟") == []
    with workspace.write() as s:
        other = create_case(s, "Other").id
        create_record(s, other, RecordIn("party", {"label": "Huaxin Other"}))
    assert _ids(workspace, case_id, "huaxin") == [people["hx"]]


def test_bulk_created_records_are_searchable(workspace, case_id):
    with workspace.write() as s:
        ids = bulk_create_records(s, case_id, [
            RecordIn("party", {"label": f"Bulk {i}"}, aliases=[AliasIn(f"批量{i}號")]) for i in range(50)])
    assert _ids(workspace, case_id, "Bulk 42") == [ids[42]]
    assert _ids(workspace, case_id, "批量7號") == [ids[7]]


def test_a_transaction_hash_finds_the_transfer_ends_and_contracts(workspace, case_id):
    from tests.factories import make_contract, make_link, make_wallet

    tx = "0x" + "5e" * 32
    other = "0x" + "77" * 32
    with workspace.write() as s:
        a = make_wallet(s, case_id, "Sender", address="0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107")
        b = make_wallet(s, case_id, "Receiver", address="0xde709f2102306220921060314715629080e2fb77")
        make_link(s, case_id, "transferred_to", a, b, tx_hash=tx.upper().replace("0X", "0x"),
                  value="1.5", asset="ETH")
        rental = make_contract(s, case_id, "GPU rental", chain="ETH", tx_hashes=[other, tx])
    with workspace.read() as s:
        hits = search_records(s, case_id, tx[:14].upper())  # the first digits, as pasted
    assert {h.record_id for h in hits} == {a, b, rental}
    assert {h.matched for h in hits if h.record_id == a} == {f"sent {tx}"}
    assert _ids(workspace, case_id, other) == [rental]
    assert _ids(workspace, case_id, "0x" + "99" * 10) == []
