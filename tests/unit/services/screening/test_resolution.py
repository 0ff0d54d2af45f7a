"""Entity resolution in the workspace: duplicate suggestions, merge, and other cases."""

from __future__ import annotations

from casedesk.services.cases import create_case
from casedesk.services.records import IdentifierIn, RecordIn, create_record, merge_records
from casedesk.services.screening.entity_resolution import (
    find_duplicates,
    mark_distinct,
    other_cases_for_record,
)


def add(ws, case_id, label, kind="party", **fields):
    with ws.write() as s:
        ids = fields.pop("identifiers", [])
        return create_record(s, case_id, RecordIn(kind, {"label": label, **fields}, identifiers=ids)).id


def test_duplicates_are_suggested_merged_or_dismissed(workspace, case_id):
    a = add(workspace, case_id, "华为技术有限公司")
    b = add(workspace, case_id, "Huawei Technologies Co., Ltd.")
    c = add(workspace, case_id, "Huaxin Technologies Co., Ltd.")
    d = add(workspace, case_id, "Acme", identifiers=[IdentifierIn("LEI", "253400V1H6ART1UQ0N98")])
    e = add(workspace, case_id, "VTB", identifiers=[IdentifierIn("LEI", "253400V1H6ART1UQ0N98")])
    w1 = add(workspace, case_id, "hot wallet", "wallet", chain="ETH",
             address="0x7F367cC41522cE07553e823bf3be79A889DEbe1B")
    w2 = add(workspace, case_id, "exchange deposit", "wallet", chain="ETH",
             address="0x7f367cc41522ce07553e823bf3be79a889debe1b")
    with workspace.read() as s:
        pairs = {(p["record_a"], p["record_b"]): p for p in find_duplicates(s, case_id)}
    assert (a, b) in pairs and "names" in pairs[(a, b)]["explanation"]
    assert (d, e) in pairs and "LEI" in pairs[(d, e)]["explanation"]
    assert (w1, w2) in pairs
    assert not any(c in k for k in pairs)
    with workspace.write() as s:
        merge_records(s, a, b)
        mark_distinct(s, d, e, "two banks share a misprinted LEI in our source")
    with workspace.read() as s:
        left = {(p["record_a"], p["record_b"]) for p in find_duplicates(s, case_id)}
    assert left == {(w1, w2)}


def test_other_cases_in_which_a_party_appears(workspace, case_id):
    mine = add(workspace, case_id, "Rosneft Trade Limited")
    with workspace.write() as s:
        other = create_case(s, "Cyprus traders").id
        third = create_case(s, "Unrelated").id
    theirs = add(workspace, other, "ROSNEFT TRADE LTD.")
    add(workspace, third, "Rosnano")
    with workspace.read() as s:
        found = other_cases_for_record(s, mine)
    assert [(f["case_id"], f["record_id"]) for f in found] == [(other, theirs)]
    assert found[0]["case_title"] == "Cyprus traders"
