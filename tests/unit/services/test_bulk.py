"""The bulk path writes the same rows, citations-ready ids and audit chain as the one-by-one path."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import AuditEntry, Identifier, Link, Party, Record
from casedesk.services.bulk import bulk_create_links, bulk_create_records
from casedesk.services.records import IdentifierIn, RecordIn
from casedesk.services.verify import verify_workspace


def test_bulk_records_and_links_are_audited_and_verify(workspace, case_id):
    items = [RecordIn("party", {"label": f"Company {i}", "country": "SG"},
                      identifiers=[IdentifierIn("LEI", "213800KUD8LAJWSQ9D15")] if i == 0 else [])
             for i in range(500)]
    with workspace.write() as s:
        ids = bulk_create_records(s, case_id, items)
        links = bulk_create_links(s, case_id, [("owns", ids[i], ids[i + 1], {"share_pct": 50})
                                               for i in range(499)])
    assert len(ids) == 500 and ids == sorted(ids) and len(links) == 499
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(Party)) == 500
        assert s.scalar(select(func.count()).select_from(Link)) == 499
        assert s.scalar(select(func.count()).select_from(Identifier)) == 1
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 1 + 500 + 499
        assert s.get(Record, ids[3]).label == "Company 3"
    assert verify_workspace(workspace).ok


def test_bulk_refuses_the_whole_batch_naming_the_row(workspace, case_id):
    items = [RecordIn("party", {"label": "fine"}), RecordIn("party", {"label": "bad", "country": "Narnia"})]
    with pytest.raises(ValidationError) as err:
        with workspace.write() as s:
            bulk_create_records(s, case_id, items)
    assert err.value.row == 2 and err.value.field == "country"
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 0


def test_bulk_inserted_names_and_aliases_are_searchable(sqlite_ws):
    from casedesk.services.cases import create_case
    from casedesk.services.records import AliasIn
    from casedesk.services.search import search_records

    with sqlite_ws.write() as s:
        case_id = create_case(s, "c").id
        bulk_create_records(s, case_id, [RecordIn("party", {"label": f"深圳科技有限公司 {i}"},
                                                  aliases=[AliasIn(f"Shenzhen Tech {i}")]) for i in range(50)])
    with sqlite_ws.read() as s:
        assert search_records(s, case_id, "深圳科技")
        assert search_records(s, case_id, "Shenzhen Tech 7")


def test_bulk_index_holds_every_name_once_with_its_record(sqlite_ws):
    """What the bulk path indexes equals what the per-row triggers would have indexed."""
    from sqlalchemy import text

    from casedesk.services.cases import create_case
    from casedesk.services.records import AliasIn

    with sqlite_ws.write() as s:
        case_id = create_case(s, "c").id
        ids = bulk_create_records(s, case_id, [
            RecordIn("party", {"label": f"Label {i}"},
                     aliases=[AliasIn(f"Alias {i}-{k}") for k in range(i % 3)]) for i in range(30)])
    with sqlite_ws.read() as s:
        indexed = set(s.execute(text("SELECT rowid, name, record_id, case_id FROM record_search")))
        expected = {(r.id, r.label, r.id, case_id) for r in s.execute(select(Record.id, Record.label))}
        expected |= {(-a_id, name, rid, case_id) for a_id, name, rid in
                     s.execute(text("SELECT id, name, record_id FROM alias"))}
    assert len(expected) == 30 + sum(i % 3 for i in range(30)) and indexed == expected
    assert {rid for _, _, rid, _ in indexed} == set(ids)


def test_bulk_restores_the_garbage_collector_after_a_refused_batch(workspace, case_id):
    import gc

    before = gc.get_threshold()
    with pytest.raises(ValidationError):
        with workspace.write() as s:
            bulk_create_records(s, case_id, [RecordIn("party", {"label": "x", "country": "Narnia"})])
    assert gc.get_threshold() == before
