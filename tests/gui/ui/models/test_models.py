"""The Qt models are thin adapters: lazy pages, precise signals from ChangeSets, and they pass qtmodeltester."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex

from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.bulk import bulk_create_records
from casedesk.services.records import RecordIn, delete_record, update_record
from casedesk.ui.models.lists import AuditLogModel, FindingListModel, SearchResultModel, TimelineModel
from casedesk.ui.models.navigator import NavigatorModel
from casedesk.ui.models.records import PAGE, RecordFilterProxyModel, RecordTableModel
from casedesk.ui.operations import Operations


class Signals:
    """Counts a model's structural signals."""

    def __init__(self, model):  # noqa: ANN001
        self.events: list[str] = []
        model.rowsInserted.connect(lambda *a: self.events.append("insert"))
        model.rowsRemoved.connect(lambda *a: self.events.append("remove"))
        model.dataChanged.connect(lambda *a: self.events.append("change"))
        model.modelReset.connect(lambda *a: self.events.append("reset"))
        model.layoutChanged.connect(lambda *a: self.events.append("layout"))


@pytest.fixture
def reader(inline_runner):  # noqa: ANN001, ANN201
    """Models read through the operations object, as in the window."""
    return lambda ws: Operations(ws, inline_runner)


@pytest.fixture
def big_case(sqlite_ws):
    from casedesk.services.cases import create_case

    with sqlite_ws.write() as s:
        case_id = create_case(s, "Big").id
        ids = bulk_create_records(s, case_id, [RecordIn("party", {"label": f"Party {i:04d}"}) for i in range(700)])
    return sqlite_ws, case_id, ids


def test_record_table_fetches_in_pages_and_follows_changes_precisely(qapp, qtmodeltester, big_case, reader):
    ws, case_id, ids = big_case
    model = RecordTableModel("party", reader(ws), default_vocabulary())
    model.load(case_id)
    assert model.rowCount() == PAGE and model.canFetchMore(QModelIndex())
    assert model.index(3, 1).data() == "Party 0003"  # a view showed the first rows
    seen = Signals(model)
    with ws.write() as s:
        update_record(s, ids[3], {"label": "Renamed"}, expected_version=1)
        delete_record(s, ids[5], expected_version=1)
        new = bulk_create_records(s, case_id, [RecordIn("party", {"label": "Newcomer"})])
        changes = s.info["changes"]
    model.apply(changes)
    assert "reset" not in seen.events and "change" in seen.events and "remove" in seen.events
    assert model.data(model.index(model.row_of(ids[3]), 1)) == "Renamed"
    assert model.row_of(ids[5]) is None
    assert model.row_of(new[0]) is None  # beyond the fetched pages: comes with a later page
    row = model.ensure_row(ids[650])
    assert model.record_id(row) == ids[650]
    model.fetch_all()
    assert model.rowCount() == 700 and model.row_of(new[0]) is not None
    qtmodeltester.check(model)
    fresh = RecordTableModel("party", reader(ws), default_vocabulary())
    fresh.load(case_id)
    qtmodeltester.check(fresh)  # the tester itself fetches the remaining pages


def test_filter_proxy_sorts_and_filters_every_row(qapp, qtmodeltester, big_case, reader):
    ws, case_id, _ = big_case
    model = RecordTableModel("party", reader(ws), default_vocabulary())
    model.load(case_id)
    proxy = RecordFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.set_filter_text("Party 069")
    assert proxy.rowCount() == 10  # 0690–0699, found though they were beyond the first page
    proxy.set_filter_text("")
    proxy.sort(1, proxy.sortOrder().DescendingOrder)
    assert proxy.index(0, 1).data() == "Party 0699"
    qtmodeltester.check(proxy)


def test_navigator_tree(qapp, qtmodeltester, big_case, reader):
    ws, case_id, ids = big_case
    model = NavigatorModel(reader(ws), default_vocabulary())
    model.load(case_id)
    parties = model.kind_index("party")
    assert parties.data() == "Parties (700)"
    assert model.hasChildren(parties) and model.canFetchMore(parties)
    model.fetchMore(parties)
    assert model.rowCount(parties) == 200
    qtmodeltester.check(model)
    index = model.record_index(ids[600], "party", "Party 0600")
    assert index.isValid() and index.data() == "Party 0600"
    seen = Signals(model)
    with ws.write() as s:
        delete_record(s, ids[0], expected_version=1)
        new = bulk_create_records(s, case_id, [RecordIn("party", {"label": "Party 0000a"})])
        changes = s.info["changes"]
    model.apply(changes)
    assert "reset" not in seen.events
    assert model.kind_index("party").data() == "Parties (700)"
    assert model.index(0, 0, model.kind_index("party")).data() == "Party 0000a"
    assert model.record_index(new[0], "party", "Party 0000a").row() == 0
    qtmodeltester.check(model)


def test_audit_findings_timeline_and_search_models(qapp, qtmodeltester, demo_ws, reader):
    from casedesk.services.search import search_records
    from casedesk.services.timeline import timeline_items

    ws, case_id = demo_ws
    audit = AuditLogModel(reader(ws))
    audit.load(case_id)
    assert 0 < audit.rowCount() <= 200
    qtmodeltester.check(audit)
    findings = FindingListModel(reader(ws))
    findings.load(case_id)
    qtmodeltester.check(findings)
    timeline = TimelineModel()
    with ws.read() as s:
        items = timeline_items(s, case_id)
        hits = search_records(s, case_id, "H100")
    timeline.reset_rows(items)
    qtmodeltester.check(timeline)
    seen = Signals(timeline)
    timeline.set_rows(items[1:] + items[:1][:0])  # one item gone
    assert seen.events == ["remove"]
    timeline.set_rows(items)
    assert seen.events == ["remove", "insert"]
    search = SearchResultModel()
    search.set_rows(hits)
    assert search.rowCount() == len(hits) >= 3
    qtmodeltester.check(search)
    search.set_rows(hits[::-1])
    assert [search.row_at(r).record_id for r in range(search.rowCount())] == [h.record_id for h in hits[::-1]]
    qtmodeltester.check(search)
