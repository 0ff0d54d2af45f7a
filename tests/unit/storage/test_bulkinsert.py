"""The fast SQLite insert path stores exactly what a Core insert stores; the writer thread's errors surface."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from casedesk.domain.models import Party, Record
from casedesk.services.cases import create_case
from casedesk.storage.bulkinsert import background_writes, insert_rows, insert_tuples


def _row(rid, case_id, tags=(), sensitive=False):
    return {
        "id": rid,
        "case_id": case_id,
        "kind": "party",
        "label": "P 华为\x00",
        "created_at": "t",
        "updated_at": "t",
        "version": 1,
        "notes": "",
        "tags": list(tags),
        "sensitive": sensitive,
    }


def test_fast_insert_matches_core_insert(sqlite_ws):
    with sqlite_ws.write() as s:
        case_id = create_case(s, "c").id
        s.execute(insert(Record.__table__), [_row(1, case_id, ["a", "b"], True), _row(2, case_id)])
        s.execute(insert(Party.__table__), [{"id": 1}, {"id": 2}])  # Core fills column defaults
        insert_rows(s, Record.__table__, [_row(3, case_id, ["a", "b"], True), _row(4, case_id)])
        insert_tuples(s, Party.__table__, ["id"], [(3,), (4,)])
        raw = (
            s.connection()
            .exec_driver_sql("SELECT id, tags, sensitive FROM record ORDER BY id")
            .all()
        )
    with sqlite_ws.read() as s:
        rec = {r.id: r._asdict() for r in s.execute(select(Record.__table__)).all()}
        party = {r.id: r._asdict() for r in s.execute(select(Party.__table__)).all()}
    for core, fast in ((1, 3), (2, 4)):
        assert rec[core] | {"id": 0} == rec[fast] | {"id": 0}
        assert party[core] | {"id": 0} == party[fast] | {"id": 0}
    assert raw[0][1:] == raw[2][1:] and raw[1][1:] == raw[3][1:]  # the very same stored text
    assert rec[3]["tags"] == ["a", "b"] and party[3]["party_kind"] == "company"


def test_background_writer_runs_in_order_and_raises_in_the_caller(sqlite_ws):
    with sqlite_ws.write() as s:
        case_id = create_case(s, "c").id
    with pytest.raises(IntegrityError):
        with sqlite_ws.write() as s:
            with background_writes(s) as writer:
                assert writer is not None
                insert_rows(s, Record.__table__, [_row(10, case_id)])
                writer.dispatch()
                insert_rows(s, Record.__table__, [_row(10, case_id)])  # duplicate id
                writer.dispatch()
                writer.wait()
    with sqlite_ws.read() as s:
        assert s.scalar(select(Record.id).where(Record.id == 10)) is None  # rolled back
    with sqlite_ws.write() as s:
        with background_writes(s):
            insert_rows(s, Record.__table__, [_row(11, case_id), _row(12, case_id)])
        # leaving the block writes what is queued
        assert s.scalar(select(Record.label).where(Record.id == 12)) == "P 华为\x00"


def test_rows_beyond_one_statement_go_in_whole_and_in_order(sqlite_ws):
    """Inserts split into multi-row statements: every row lands, a bad row anywhere fails them all."""
    n = 4321  # two full 2,000-row statements and a short one
    with sqlite_ws.write() as s:
        case_id = create_case(s, "c").id
        insert_rows(s, Record.__table__, [_row(100 + i, case_id, [str(i)] if i % 2 else [])
                                          for i in range(n)])
    with sqlite_ws.read() as s:
        got = s.execute(select(Record.id, Record.tags).order_by(Record.id)).all()
    assert [r.id for r in got] == list(range(100, 100 + n))
    assert got[4001].tags == ["4001"] and got[4000].tags == []
    with pytest.raises(IntegrityError):
        with sqlite_ws.write() as s:
            rows = [_row(10_000 + i, case_id) for i in range(n)]
            rows[-1]["id"] = 10_000  # a duplicate in the last, short statement
            insert_rows(s, Record.__table__, rows)
    with sqlite_ws.read() as s:
        assert s.scalar(select(Record.id).where(Record.id == 10_001)) is None  # none kept


def test_the_fast_audit_body_is_the_canonical_one():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from casedesk.services.audit import canonical_json, entry_body, entry_hash

    ids = st.one_of(st.none(), st.integers(-(2**70), 2**70), st.booleans(), st.text(max_size=5))
    texts = st.text(max_size=40)

    @settings(max_examples=300, deadline=None)
    @given(
        at=texts,
        actor=texts,
        action=texts,
        entity=texts,
        entity_id=ids,
        case_id=ids,
        record_id=ids,
        before=st.one_of(st.none(), texts),
        after=st.one_of(st.none(), texts),
    )
    def check(**f):
        fields = dict(f)
        body = entry_body(**fields)
        assert body == canonical_json(
            {
                k: fields[k]
                for k in (
                    "at",
                    "actor",
                    "action",
                    "entity",
                    "entity_id",
                    "case_id",
                    "record_id",
                    "before",
                    "after",
                )
            }
        )
        import hashlib

        assert hashlib.sha256(
            f"x\n{body}".encode("utf-8", "surrogatepass")
        ).hexdigest() == entry_hash("x", fields)

    check()


def test_bulk_audit_entries_hash_as_single_entries_do(sqlite_ws):
    """record_audit_bulk's prebuilt entry layout gives the hashes walk_chain recomputes."""
    from casedesk.domain.models import AuditEntry
    from casedesk.services.audit import entry_hash, record_audit_bulk, walk_chain

    items = [
        ("create", "record", 7, 1, 7, None, {"label": 'A "quoted" 华为\x00\n', "n": 1}),
        ("create", "link", 8, 1, None, None, {"notes": "Txhash: 0x1\nStatus: ok"}),
        ("update", "record", 9, 1, 9, {"label": "old"}, {"label": "new"}),
        ("create", "citation", 10, None, None, None, {"x": [1, 2]}),  # no case: the slow path
    ]
    with sqlite_ws.write() as s:
        record_audit_bulk(s, items)
    with sqlite_ws.read() as s:
        assert list(walk_chain(s)) == []
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        assert [r.entity for r in rows] == ["record", "link", "record", "citation"]
        for r in rows:
            fields = {k: getattr(r, k) for k in ("at", "actor", "action", "entity", "entity_id",
                                                 "case_id", "record_id", "before", "after")}
            assert r.hash == entry_hash(r.prev_hash, fields)


def test_constant_columns_are_stored_as_if_bound_in_every_row(workspace):
    """Values written once into the statement (quotes, CJK, NULL, ints) read back as bound ones."""
    from casedesk.storage.bulkinsert import hoist_constants

    odd = "O'Brien \"Ltd\" 华为 ? :x -- ; DROP TABLE record"
    with workspace.write() as s:
        case_id = create_case(s, "c").id
        rows = [(20 + i, f"P{i}", odd, []) for i in range(3)]
        cols, rows, same = hoist_constants(["id", "label", "notes", "tags"], rows, ["notes", "tags"])
        assert cols == ["id", "label"] and same == {"notes": odd, "tags": []}
        insert_tuples(
            s,
            Record.__table__,
            cols,
            rows,
            {"case_id": case_id, "kind": "party", "created_at": "t", "updated_at": "t",
             "version": 1, "sensitive": False, **same},
        )
        insert_tuples(s, Party.__table__, ["id"], [(20,), (21,), (22,)], {"website": "x" * 500})
    with workspace.read() as s:
        got = s.execute(select(Record.label, Record.notes, Record.tags, Record.case_id)
                        .order_by(Record.id)).all()
        sites = s.scalars(select(Party.website)).all()
    assert [tuple(r) for r in got] == [(f"P{i}", odd, [], case_id) for i in range(3)]
    assert sites == ["x" * 500] * 3  # too long to write into the statement: bound instead


def test_only_truly_equal_values_are_taken_out_of_the_rows():
    from casedesk.storage.bulkinsert import hoist_constants

    cols, rows, same = hoist_constants(
        ["a", "b", "c", "d"], [(1, 1, None, "x"), (True, 1, None, "y"), (1.0, 1, None, "x")],
        ["a", "b", "c", "d"],
    )
    # 1, True and 1.0 are equal in Python but not stored alike; "x"/"y" differ
    assert same == {"b": 1, "c": None} and cols == ["a", "d"]
    assert rows == [(1, "x"), (True, "y"), (1.0, "x")]
    assert hoist_constants(["a"], [], ["a"]) == (["a"], [], {})
    assert hoist_constants(["a", "b"], [(1, "x"), (2, "x")], ["b"]) == (["a"], [(1,), (2,)], {"b": "x"})
    assert hoist_constants(["a"], [(None,), (None,)], ["a"]) == ([], [(), ()], {"a": None})


def test_a_statement_of_constants_only(sqlite_ws):
    with sqlite_ws.write() as s:
        case_id = create_case(s, "c").id
        insert_tuples(s, Record.__table__, [], [()],
                      {"id": 99, "case_id": case_id, "kind": "party", "label": "only",
                       "created_at": "t", "updated_at": "t", "version": 1})
    with sqlite_ws.read() as s:
        assert s.scalar(select(Record.label).where(Record.id == 99)) == "only"
