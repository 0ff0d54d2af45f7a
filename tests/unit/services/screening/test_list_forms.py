"""Lists stored by an older normaliser are re-normalised before the next screening."""

from __future__ import annotations

import json

from casedesk.domain.models import AuditEntry
from casedesk.domain.watchlists import Watchlist, WatchlistEntry, WatchlistIndex, WatchlistName
from casedesk.services.progress import run_to_end
from casedesk.services.screening.hits import list_hits
from casedesk.services.screening.index import fingerprint_of, forget_indexes
from casedesk.services.screening.list_forms import forms_current, outdated_lists
from casedesk.services.screening.normalize import FORMS_VERSION
from casedesk.services.screening.screen import screen_case
from casedesk.services.screening.watchlist_import import list_watchlists
from casedesk.services.verify import verify_workspace
from sqlalchemy import select

from tests.unit.services.screening.test_screen import MAPPING, load, party, write_list

ROWS = [("1", "DALIAN ZHENGHUA MAOYI YOUXIAN GONGSI", "CN", ""),
        ("2", "Rosneft Trade Limited", "CY", "")]


def _age_the_list(ws, list_id: int) -> None:
    """Make the list look as an older CaseDesk stored it: old version, zhenghua read as zhonghua."""
    with ws.write() as s:
        wl = s.get(Watchlist, list_id)
        wl.details = {**wl.details, "forms_version": "2026-11-01"}
        name = s.scalar(select(WatchlistName).join(WatchlistEntry)
                        .where(WatchlistEntry.entry_key == "1"))
        name.normalized = "dalian china trading"
    forget_indexes()


def test_a_list_imported_now_is_current(workspace, tmp_path):
    res = load(workspace, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    with workspace.read() as s:
        wl = s.get(Watchlist, res.list_id)
        assert forms_current(wl) and wl.details["forms_version"] == FORMS_VERSION
        assert outdated_lists(s) == []


def test_screening_re_reads_an_outdated_list_and_then_finds_the_match(workspace, case_id, tmp_path):
    res = load(workspace, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    _age_the_list(workspace, res.list_id)
    party(workspace, case_id, "大连正华贸易有限公司", country="CN")
    with workspace.read() as s:
        assert [w.id for w in outdated_lists(s)] == [res.list_id]
        assert [r["forms_current"] for r in list_watchlists(s)] == [False]
    with workspace.write() as s:
        steps = []
        run_to_end(screen_case(s, case_id), steps.append)
    assert any("re-read" in p.message for p in steps)
    with workspace.read() as s:
        assert [h["entry_name"] for h in list_hits(s, case_id)] == ["DALIAN ZHENGHUA MAOYI YOUXIAN GONGSI"]
        wl = s.get(Watchlist, res.list_id)
        assert forms_current(wl)
        assert [r["forms_current"] for r in list_watchlists(s)] == [True]
        stored = s.scalar(select(WatchlistName.normalized).join(WatchlistEntry)
                          .where(WatchlistEntry.entry_key == "1"))
        assert stored.startswith("dalian zhenghua trading")
        assert s.scalar(select(WatchlistIndex.fingerprint)
                        .where(WatchlistIndex.list_id == res.list_id)) == fingerprint_of(wl)
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "refresh")).all()
        assert len(audit) == 1
        assert json.loads(audit[0].after)["forms_changed"] == 1
        assert json.loads(audit[0].before) == {"forms_version": "2026-11-01"}
    # Current now: the next screening re-reads nothing.
    with workspace.write() as s:
        steps = []
        run_to_end(screen_case(s, case_id), steps.append)
    assert not any("re-read" in p.message for p in steps)
    assert verify_workspace(workspace).ok


def test_a_bad_threshold_is_refused_before_any_list_is_re_read(workspace, case_id, tmp_path):
    import pytest
    from casedesk.domain.errors import ValidationError

    res = load(workspace, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    _age_the_list(workspace, res.list_id)
    with workspace.write() as s, pytest.raises(ValidationError):
        run_to_end(screen_case(s, case_id, threshold=101))
    with workspace.read() as s:
        assert [w.id for w in outdated_lists(s)] == [res.list_id]
