"""Importing lists, screening a case, reviewing hits: on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import AuditEntry, Finding
from casedesk.domain.watchlists import ScreeningHit, Watchlist, WatchlistEntry, WatchlistName
from casedesk.services.progress import run_to_end
from casedesk.services.records import IdentifierIn, RecordIn, create_record, update_record
from casedesk.services.screening.formats import ListFormatError
from casedesk.services.screening.watchlist_import import BadRowsError, import_watchlist, list_watchlists
from casedesk.services.screening.hits import decide_hit, hit_comparison, list_hits
from casedesk.services.screening.screen import screen_case, screen_name
from casedesk.services.verify import verify_workspace

LISTS = Path(__file__).resolve().parents[3] / "data" / "screening-lists"


def write_list(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    path.write_text("Ref,Name,Country,USCC\n" + "".join(f'{r},"{n}",{c},{u}\n' for r, n, c, u in rows),
                    encoding="utf-8")
    return path


MAPPING = {"name": "Test list", "columns": {"key": "Ref", "name": "Name", "countries": "Country"},
           "identifiers": [{"column": "USCC", "scheme": "CN_USCC"}]}
ROWS = [("1", "Huawei Investment & Holding Co., Ltd.", "CN", ""),
        ("2", "China Mobile Communications Group Co., Ltd.", "CN", "911100007109250324"),
        ("3", "Wang Jiawei", "HK", ""),
        ("4", "Rosneft Trade Limited", "CY", "")]


def load(ws, path: Path, **kw):
    with ws.write() as s:
        return run_to_end(import_watchlist(s, path, **kw))


def party(ws, case_id, label, **fields):
    with ws.write() as s:
        ids = fields.pop("identifiers", [])
        return create_record(s, case_id, RecordIn("party", {"label": label, **fields},
                                                 identifiers=ids)).id


def test_real_files_import_with_their_counts(workspace):
    counts = {}
    for path in (LISTS / "ofac-sdn-2021" / "sdn.csv", LISTS / "csl" / "consolidated_sample_2024.csv",
                 LISTS / "dpl" / "dpl.txt", LISTS / "ftm" / "zala_cluster.ftm.jsonl"):
        r = load(workspace, path)
        counts[r.format] = r.entries
    assert counts == {"ofac-sdn": 8976, "csl": 13, "dpl": 543, "ftm": 14}
    with workspace.read() as s:
        lists = {w["format"]: w for w in list_watchlists(s)}
        assert lists["csl"]["snapshot_date"] == "2023-07-19"
        assert len(lists["ofac-sdn"]["source_sha256"]) == 64
        assert s.scalar(select(func.count()).select_from(WatchlistEntry)) == 8976 + 13 + 543 + 14
        # every stored name carries its precomputed normalised form
        assert s.scalar(select(func.count()).select_from(WatchlistName)
                        .where(WatchlistName.normalized == "")) <= 5
    assert verify_workspace(workspace).ok


def test_a_malformed_file_imports_nothing_unless_the_user_agrees(workspace):
    bad = LISTS / "csl" / "csl_invalid_2019.csv"
    with pytest.raises(BadRowsError, match="line 2: row has 2 fields"):
        load(workspace, bad)
    # more bad rows than good: refused even with consent
    with pytest.raises(ListFormatError, match="looks damaged"):
        load(workspace, bad, skip_bad_rows=True)
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(Watchlist)) == 0


def test_skipping_bad_rows_with_consent(workspace, tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("Ref,Name,Country,USCC\n1,Acme,CN,\n2,Beta Corp,CN\n3,Gamma Ltd,RU,\n",
                 encoding="utf-8")
    with pytest.raises(BadRowsError, match="line 3"):
        load(workspace, p, mapping=MAPPING)
    r = load(workspace, p, mapping=MAPPING, skip_bad_rows=True)
    assert r.entries == 2 and r.skipped == ["line 3: row has 3 fields, the header has 4"]


def test_screening_finds_names_across_scripts_and_spellings(workspace, case_id, tmp_path):
    load(workspace, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    hw = party(workspace, case_id, "華為投資控股有限公司", country="CN")
    cm = party(workspace, case_id, "中国移动通信集团有限公司")
    wk = party(workspace, case_id, "王家衛", party_kind="person")
    neg = [party(workspace, case_id, n) for n in ("Huaxin Technology Co., Ltd.", "王伟", "Co., Ltd.",
                                                   "---", "China Unicom", "x" * 1_000_000)]
    with workspace.write() as s:
        result = run_to_end(screen_case(s, case_id))
    by_record = {}
    for h in result.hits:
        by_record.setdefault(h["record_id"], []).append(h)
    assert {h["entry_key"] for h in by_record[hw]} == {"1"}
    hit = by_record[hw][0]
    assert hit["score"] == 100 and hit["list"] == "Test list"
    assert "traditional→simplified" in hit["explanation"] and "glossary" in hit["explanation"]
    assert "country +3" in hit["explanation"]
    assert by_record[cm][0]["entry_key"] == "2"
    assert by_record[wk][0]["entry_key"] == "3" and "pinyin" in by_record[wk][0]["explanation"].lower()
    assert not any(r in by_record for r in neg)


def test_identifier_and_wallet_hits(workspace, case_id, tmp_path):
    load(workspace, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    load(workspace, LISTS / "ofac-sdn-2021" / "sdn.csv")
    p = party(workspace, case_id, "CMCC", identifiers=[IdentifierIn("CN_USCC", "911100007109250324")])
    with workspace.write() as s:
        w = create_record(s, case_id, RecordIn("wallet", {
            "label": "cold wallet", "chain": "ETH",
            "address": "0x1da5821544e25c636c1417ba96ade4cf6d2f9b5a"})).id
        result = run_to_end(screen_case(s, case_id))
    hits = {h["record_id"]: h for h in result.hits}
    assert hits[p]["entry_key"] == "2" and "identifier CN_USCC" in hits[p]["explanation"]
    assert hits[w]["entry_name"] == "SECONDEYE SOLUTION" and hits[w]["score"] == 100
    assert any(f["feature"] == "wallet" for f in hits[w]["features"])


def test_decisions_are_audited_remembered_and_reopened_when_the_entry_changes(workspace, case_id, tmp_path):
    path = write_list(tmp_path / "l.csv", ROWS)
    load(workspace, path, mapping=MAPPING)
    r1 = party(workspace, case_id, "Huawei Investment Holding")
    r2 = party(workspace, case_id, "Rosneft Trade Ltd")
    with workspace.write() as s:
        hits = {h["record_id"]: h["hit_id"] for h in run_to_end(screen_case(s, case_id)).hits}
    with workspace.write() as s, pytest.raises(ValidationError, match="say why"):
        decide_hit(s, hits[r1], "dismissed", "  ")
    with workspace.write() as s:
        decide_hit(s, hits[r1], "dismissed", "different company: registry extract shows another USCC")
        decide_hit(s, hits[r2], "confirmed", "same registration in Cyprus")
    with workspace.read() as s:
        finding = s.scalar(select(Finding).where(Finding.rule == "screening_hit"))
        assert finding.record_ids == [r2] and finding.status == "confirmed"
        assert "Rosneft" in finding.title
        actions = {a for (a,) in s.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "screening_hit"))}
        assert {"create", "decide"} <= actions
    # re-screening keeps both decisions
    with workspace.write() as s:
        again = {h["record_id"]: h for h in run_to_end(screen_case(s, case_id)).hits}
    assert again[r1]["status"] == "dismissed" and again[r2]["status"] == "confirmed"
    # a newer snapshot: entry 1 unchanged, entry 4 changed (new country) -> only 4 re-opens
    rows = [r if r[0] != "4" else ("4", "Rosneft Trade Limited", "RU", "") for r in ROWS]
    result = load(workspace, write_list(tmp_path / "l2.csv", rows), mapping=MAPPING)
    assert result.replaced and result.kept_decisions == 1 and result.reopened == 1
    with workspace.read() as s:
        status = {h["record_id"]: h for h in list_hits(s, case_id)}
        assert status[r1]["status"] == "dismissed"
        assert status[r2]["status"] == "open" and "re-opened" in status[r2]["reason"]
        assert s.scalar(select(func.count()).select_from(Watchlist)) == 1
        assert s.scalar(select(func.count()).select_from(WatchlistEntry)) == 4
        comparison = hit_comparison(s, status[r2]["hit_id"])
        assert comparison["list"]["countries"] == ["RU"]
        assert comparison["case"]["names"][0]["name"] == "Rosneft Trade Ltd"
    assert verify_workspace(workspace).ok


def test_open_hits_withdrawn_when_a_record_no_longer_matches(workspace, case_id, tmp_path):
    load(workspace, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    r = party(workspace, case_id, "Rosneft Trade Ltd")
    with workspace.write() as s:
        run_to_end(screen_case(s, case_id))
    with workspace.write() as s:
        update_record(s, r, {"label": "Acme Bakery"}, expected_version=1)
        run_to_end(screen_case(s, case_id))
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(ScreeningHit)) == 0


def test_type_ahead_screening_of_one_name(workspace, tmp_path):
    load(workspace, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    with workspace.read() as s:
        res = screen_name(s, "中國移動通信集團")
        assert res[0]["entry_name"].startswith("China Mobile")
        assert screen_name(s, "") == [] and screen_name(s, "Ltd.") == []


def test_threshold_is_checked(workspace, case_id):
    with workspace.write() as s, pytest.raises(ValidationError, match="between 0 and 100"):
        run_to_end(screen_case(s, case_id, threshold=150))


@pytest.mark.parametrize("threshold", [0, 10, 100])
def test_the_whole_threshold_range_screens(workspace, case_id, tmp_path, threshold):
    load(workspace, write_list(tmp_path / "l.csv", ROWS), mapping=MAPPING)
    party(workspace, case_id, "Huawei Investment & Holding Co., Ltd.")
    with workspace.write() as s:
        run_to_end(screen_case(s, case_id, threshold=threshold))
    with workspace.read() as s:
        assert any(h["entry_name"].startswith("Huawei") for h in list_hits(s, case_id))
        low = screen_name(s, "Huawei Investment", threshold=threshold, limit=100)
        assert low and low[0]["entry_name"].startswith("Huawei") or threshold == 100


def test_the_true_entry_is_kept_among_same_named_siblings(workspace, tmp_path):
    forms = ["Inc.", "Co., Ltd.", "LLC", "Limited", "GmbH", "S.A.", "Pte. Ltd.", "Corp.", "AG", "plc",
             "B.V.", "Sdn. Bhd.", "Holdings Ltd.", "K.K.", "Oy", "AB", "SRL", "LLP"]
    rows = [(str(i), f"Jade Systems International {f}", "CN", "") for i, f in enumerate(forms)]
    rows += [(str(100 + i), f"Jade Systems Intl Branch {i} Ltd.", "CN", "") for i in range(20)]
    load(workspace, write_list(tmp_path / "l.csv", rows), mapping=MAPPING)
    with workspace.read() as s:
        names = {r["entry_name"] for r in screen_name(s, "Jade Sistems International LLP", limit=1000)}
    assert {f"Jade Systems International {f}" for f in forms} <= names


def test_unspaced_pinyin_meets_the_glossary_and_ranks_the_true_entry_first(workspace, tmp_path):
    rows = [("1", "中国核工业集团有限公司", "CN", ""), ("2", "中国化学工程集团有限公司", "CN", ""),
            ("3", "中国航空工业集团有限公司", "CN", ""), ("4", "中国核工业建设股份有限公司", "CN", "")]
    load(workspace, write_list(tmp_path / "l.csv", rows), mapping=MAPPING)
    with workspace.read() as s:
        for query in ("Zhongguo Hegongye Jituan Youxian Gongsi", "ZhongguoHegongyeJituan",
                      "Zhōngguó Hégōngyè Jítuán", "China He Industrial Group"):
            res = screen_name(s, query, threshold=0, limit=10)
            assert res[0]["entry_name"] == "中国核工业集团有限公司", query


def test_company_names_of_the_same_syllables_in_another_order_are_not_a_hit(workspace, case_id, tmp_path):
    # Baidu (百度, bai du) is not Dubai Trading (du bai): a company's name keeps its syllable order
    load(workspace, write_list(tmp_path / "order.csv", [("1", "DUBAI TRADING COMPANY", "AE", ""),
                                                        ("2", "Baidu Netcom Science Technology", "", "")]),
         mapping=MAPPING)
    party(workspace, case_id, "百度公司", party_kind="company")
    with workspace.write() as s:
        run_to_end(screen_case(s, case_id))
    with workspace.read() as s:
        hits = list_hits(s, case_id)
    assert "DUBAI TRADING COMPANY" not in {h["entry_name"] for h in hits}


def test_reordered_syllables_are_told_apart_from_the_same_order():
    from casedesk.services.screening.name_scoring import syllables_reordered

    assert syllables_reordered("bai du", "du bai trading")
    assert not syllables_reordered("bai du", "bai du wang xun")
    assert not syllables_reordered("bai", "bai du")  # one shared syllable says nothing of order


def test_a_big_batch_screened_by_forked_workers_finds_what_one_process_finds(workspace, tmp_path,
                                                                             monkeypatch):
    from casedesk.services.screening.screen import screen_subjects
    from casedesk.services.screening.subjects import Subject

    rows = [(str(i), f"{w} Precision Instruments Co., Ltd.", "CN", "")
            for i, w in enumerate(["Jade", "Huaxin", "Lanxin", "Pearl River", "Golden Bay"])]
    load(workspace, write_list(tmp_path / "l.csv", rows), mapping=MAPPING)
    names = [f"Jade Precision Instruments {i}" if i % 7 else "Huaxin Precision Instrument Limited"
             for i in range(1500)]
    subjects = [Subject(i + 1, 1, "party", n, names=[(n, "label")]) for i, n in enumerate(names)]

    def run(workers: str):
        monkeypatch.setenv("CASEDESK_WORKERS", workers)
        with workspace.read() as s:
            return [(subj.record_id, e["entry_key"], score, exp["summary"])
                    for subj, e, score, exp in run_to_end(screen_subjects(s, subjects))]

    one, two = run("1"), run("2")
    assert one == two
    assert any(key == "1" for rid, key, _s, _x in one if rid % 7 == 1), "the Huaxin names hit"
