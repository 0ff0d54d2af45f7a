"""Each preset imports a realistic file: records, links, dedupe within the file, provenance."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from casedesk.domain.models import (
    Alias,
    AuditEntry,
    Blob,
    Citation,
    Evidence,
    Identifier,
    ImportBatch,
    Link,
    Record,
)
from casedesk.services.importing import ImportOptions, load_preset, run_import
from casedesk.services.progress import run_to_end
from casedesk.services.listings import list_links, list_records
from casedesk.services.verify import verify_workspace

DATA = Path(__file__).resolve().parents[3] / "data" / "import"


def imp(ws, case_id, name, preset, **options):
    return run_to_end(
        run_import(ws, case_id, DATA / name, load_preset(preset), options=ImportOptions(**options))
    )


def by_label(ws, case_id, kind=None):
    with ws.read() as s:
        return {r["label"]: r for r in list_records(s, case_id, kind=kind)}


def citations_of(ws, record_id=None, link_id=None):
    with ws.read() as s:
        col = Citation.record_id if record_id is not None else Citation.link_id
        return s.execute(
            select(Citation.evidence_id, Citation.locator).where(
                col == (record_id if record_id is not None else link_id)
            )
        ).all()


def test_parties_gb18030_round_trip_every_character_with_identifiers(workspace, case_id):
    raw = (DATA / "parties_cmic_gb18030.csv").read_bytes()
    expected = [line.split(",")[0] for line in raw.decode("gb18030").splitlines()[1:]]
    result = imp(workspace, case_id, "parties_cmic_gb18030.csv", "parties")
    assert (result.rows, result.created, result.rejected, result.merged) == (14, 14, 0, 0)
    assert result.sha256 == hashlib.sha256(raw).hexdigest()
    parties = by_label(workspace, case_id, "party")
    assert sorted(parties) == sorted(expected)
    huawei = parties["华为技术有限公司"]
    assert huawei["fields"]["country"] == "CN" and huawei["fields"]["party_kind"] == "company"
    assert "program: CMIC-EO13959" in huawei["fields"]["notes"]  # unknown column kept as a note
    with workspace.read() as s:
        idents = s.execute(
            select(Identifier.scheme, Identifier.value, Identifier.status).where(
                Identifier.record_id == huawei["id"]
            )
        ).all()
        aliases = s.scalars(select(Alias.name).where(Alias.record_id == huawei["id"])).all()
        blob = s.scalar(select(Blob.content).where(Blob.sha256 == result.sha256))
        ev = s.get(Evidence, result.evidence_id)
    assert idents == [("CN_USCC", "914403001922038216", "valid")]
    assert aliases == ["HUAWEI TECHNOLOGIES CO., LTD."]
    assert blob == raw and (ev.reliability, ev.credibility) == ("F", "6")
    assert citations_of(workspace, record_id=huawei["id"]) == [(result.evidence_id, "row 2")]
    assert verify_workspace(workspace).ok


def test_parties_big5_round_trip_every_character(workspace, case_id):
    raw = (DATA / "parties_taiwan_big5.csv").read_bytes()
    expected = [line.split(",")[0] for line in raw.decode("cp950").splitlines()[1:]]
    result = imp(workspace, case_id, "parties_taiwan_big5.csv", "parties", grade="b2")
    assert result.created == 10 and result.rejected == 0
    parties = by_label(workspace, case_id, "party")
    assert sorted(parties) == sorted(expected) and "宏碁股份有限公司" in parties
    assert parties["鴻海精密工業股份有限公司"]["fields"]["country"] == "TW"
    with workspace.read() as s:
        ev = s.get(Evidence, result.evidence_id)
    assert (ev.reliability, ev.credibility, ev.evidence_kind) == ("B", "2", "csv_import")


def test_ownership_creates_each_party_once_and_links_them(workspace, case_id):
    result = imp(workspace, case_id, "ownership_aurora.csv", "ownership")
    assert result.rows == 9 and result.rejected == 2
    reasons = {r.row: r.reason for r in result.rejects_sample}
    assert "same party" in reasons[9]
    assert "150" in reasons[10] and "0–100" in reasons[10]
    parties = by_label(workspace, case_id, "party")
    assert len(parties) == 6 == result.created  # 7 valid rows, two parties each, six distinct
    assert parties["Aurora Compute (HK) Limited"]["fields"]["country"] == "HK"  # "Hong Kong" too
    assert parties["Aurora Compute Holdings Ltd"]["fields"]["country"] == "KY"  # "Cayman Islands"
    with workspace.read() as s:
        links = list_links(s, case_id)
    assert len(links) == 6 == result.links  # the duplicate row (8) joins row 6's link
    ids = {p["id"]: name for name, p in parties.items()}
    edges = {(ids[lk["source_id"]], ids[lk["target_id"]]): lk for lk in links}
    tan = edges[("Tan Wei Ming", "Aurora Compute Holdings Ltd")]["fields"]
    assert tan["share_pct"] == 62.5 and tan["start_on"] == "2020"  # "62,5" and a year
    hk = edges[("Aurora Compute Holdings Ltd", "Aurora Compute (HK) Limited")]["fields"]
    assert hk["share_pct"] == 100.0 and hk["start_on"] == "2021-03"  # "100%" and a month
    assert hk["notes"] == "Source: HK CR extract"  # the unknown column, on the ownership link
    assert (
        edges[("Aurora Compute Holdings Ltd", "Aurora Cloud Malaysia Sdn. Bhd.")]["fields"][
            "start_on"
        ]
        == "~2022"
    )
    lingxi = edges[("Shenzhen Lingxi Capital Co., Ltd.", "Aurora Compute Holdings Ltd")]
    assert lingxi["fields"]["end_on"] == "2023-12"
    assert citations_of(workspace, link_id=lingxi["id"]) == [(result.evidence_id, "rows 6, 8")]
    holdings = parties["Aurora Compute Holdings Ltd"]["id"]
    assert citations_of(workspace, record_id=holdings) == [(result.evidence_id, "rows 2, 5–8")]
    assert verify_workspace(workspace).ok


def test_servers_make_fleets_with_their_data_center_owner_operator_and_end_user(workspace, case_id):
    result = imp(workspace, case_id, "servers_inventory.csv", "servers")
    assert result.rows == 5 and result.rejected == 1
    assert "month 13" in result.rejects_sample[0].reason and result.rejects_sample[0].row == 6
    fleets = by_label(workspace, case_id, "server")
    assert set(fleets) == {
        "Brisbane H100 cluster",
        "1,200 × H100 SXM servers at Johor Bahru AI Park",
        "Kuala Lumpur A100 pod",
        "California B200 order",
    }
    johor = fleets["1,200 × H100 SXM servers at Johor Bahru AI Park"]["fields"]
    assert johor["server_count"] == 1200 and johor["accelerator_model"] == "H100 SXM"
    assert johor["installed_on"] == "2024-06-01" and johor["in_service_on"] == "2024-06-20"
    b200 = fleets["California B200 order"]["fields"]
    assert (b200["server_count"], b200["count_qualifier"]) == (50, "about")
    kl = fleets["Kuala Lumpur A100 pod"]["fields"]
    # No data center on that row: its city and country are kept on the fleet, not lost.
    assert "City: Kuala Lumpur" in kl["notes"] and "Country: MY" in kl["notes"]
    assert "Asset tag prefix: KUL-A" in kl["notes"]
    dcs = by_label(workspace, case_id, "datacenter")
    assert set(dcs) == {"Brisbane DC1", "Johor Bahru AI Park", "Santa Clara SC-7"}
    assert dcs["Johor Bahru AI Park"]["fields"]["country"] == "MY"
    parties = by_label(workspace, case_id, "party")
    assert set(parties) == {
        "Aurora Compute Holdings Ltd",
        "Aurora Compute Singapore Pte. Ltd.",
        "Shenzhen Lingxi Capital Co., Ltd.",
        "Aurora Cloud Malaysia Sdn. Bhd.",
    }
    with workspace.read() as s:
        links = {(lk["type"], lk["source_id"], lk["target_id"]) for lk in list_links(s, case_id)}
    malaysia = parties["Aurora Cloud Malaysia Sdn. Bhd."]["id"]
    johor_id = fleets["1,200 × H100 SXM servers at Johor Bahru AI Park"]["id"]
    assert ("owns_asset", malaysia, johor_id) in links and ("operates", malaysia, johor_id) in links
    assert (
        "uses_compute_of",
        parties["Shenzhen Lingxi Capital Co., Ltd."]["id"],
        johor_id,
    ) in links
    assert ("hosted_at", johor_id, dcs["Johor Bahru AI Park"]["id"]) in links
    assert len(links) == result.links == 11


def test_transactions_make_wallets_and_transfers(workspace, case_id):
    result = imp(workspace, case_id, "transactions_etherscan.csv", "transactions")
    assert (result.rows, result.rejected, result.links) == (14, 1, 13)
    assert "not a valid Ethereum address" in result.rejects_sample[0].reason
    wallets = by_label(workspace, case_id, "wallet")
    assert len(wallets) == 7 == result.created
    me = wallets["0x7Db418b5D567A4e0E8c59Ad71BE1FcE48f3E6107"]  # stored EIP-55 checksummed
    assert me["fields"]["chain"] == "ETH"
    with workspace.read() as s:
        links = list_links(s, case_id)
        cites = s.scalar(
            select(func.count()).select_from(Citation).where(Citation.link_id.is_not(None))
        )
    assert cites == 13
    failed = [lk for lk in links if "Error(0)" in lk["fields"]["notes"]]
    assert len(failed) == 1 and "ErrCode: out of gas" in failed[0]["fields"]["notes"]
    assert all(
        lk["type"] == "transferred_to" and lk["fields"]["role"] == "transfer" for lk in links
    )
    assert {lk["fields"]["start_on"] for lk in links} >= {"2024-05-01", "2024-06-01"}
    first = next(lk for lk in links if lk["fields"]["tx_hash"].startswith("0x95cd603f"))
    assert (first["fields"]["value"], first["fields"]["asset"]) == ("1.25", "ETH")
    assert first["fields"]["tx_time"] == "2024-05-01T00:00:00Z"
    assert all(len(lk["fields"]["tx_hash"]) == 66 for lk in links)
    created = [lk for lk in links if "Method: Create" in lk["fields"]["notes"]][0]
    assert (
        wallets[next(k for k, w in wallets.items() if w["id"] == created["target_id"])][
            "label"
        ].lower()
        == "0xcc8321d6375c494d043fdd0260f21bc0ec51dacc"
    )  # the new contract, from ContractAddress


def test_transactions_chain_and_unix_timestamps(sqlite_ws, tmp_path):
    from casedesk.services.cases import create_case

    with sqlite_ws.write() as s:
        case_id = create_case(s, "BSC").id
    path = tmp_path / "bsc.csv"
    path.write_text(
        "Txhash,UnixTimestamp,From,To,Value_IN(BNB),Value_OUT(BNB)\n"
        "0x" + "ab" * 32 + ",1717200000,0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107,"
        "0xde709f2102306220921060314715629080e2fb77,0,1.5\n",
        encoding="utf-8",
    )
    result = run_to_end(
        run_import(
            sqlite_ws,
            case_id,
            path,
            load_preset("transactions"),
            options=ImportOptions(params={"chain": "BNB Smart Chain"}),
        )
    )
    assert result.created == 2
    with sqlite_ws.read() as s:
        wallets = list_records(s, case_id, kind="wallet")
        link = list_links(s, case_id)[0]
    assert {w["fields"]["chain"] for w in wallets} == {"BSC"}
    assert link["fields"]["start_on"] == "2024-06-01"
    # the transfer's facts are typed fields: the nonzero value, the coin the header names, UTC time
    assert link["fields"]["tx_hash"] == "0x" + "ab" * 32
    assert (link["fields"]["value"], link["fields"]["asset"]) == ("1.5", "BNB")
    assert link["fields"]["tx_time"] == "2024-06-01T00:00:00Z"


def test_transactions_token_export_and_bad_hash(sqlite_ws, tmp_path):
    from casedesk.services.cases import create_case

    with sqlite_ws.write() as s:
        case_id = create_case(s, "Tokens").id
    path = tmp_path / "tokens.csv"
    good = "0x" + "cd" * 32
    path.write_text(
        "Txhash,DateTime (UTC),From,To,TokenValue,TokenSymbol\n"
        f"{good},2024-06-02 13:05:00,0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107,"
        "0xde709f2102306220921060314715629080e2fb77,\"1,250.5\",USDT\n"
        "hello world,2024-06-03 10:00:00,0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107,"
        "0xde709f2102306220921060314715629080e2fb77,2,USDT\n",
        encoding="utf-8",
    )
    result = run_to_end(run_import(sqlite_ws, case_id, path, load_preset("transactions")))
    assert (result.links, result.rejected) == (1, 1)
    reject = result.rejects_sample[0]
    assert reject.row == 3 and "Txhash" in reject.reason and "transaction hash" in reject.reason
    with sqlite_ws.read() as s:
        link = list_links(s, case_id)[0]
    assert (link["fields"]["tx_hash"], link["fields"]["value"], link["fields"]["asset"]) == (good, "1250.5", "USDT")
    assert link["fields"]["tx_time"] == "2024-06-02T13:05:00Z"


def test_every_import_is_one_batch_in_the_audit_chain(sqlite_ws, tmp_path):
    from casedesk.services.cases import create_case

    with sqlite_ws.write() as s:
        case_id = create_case(s, "audit").id
    result = imp(sqlite_ws, case_id, "ownership_aurora.csv", "ownership", grade="C3")
    with sqlite_ws.read() as s:
        batch = s.get(ImportBatch, result.batch_id)
        entries = s.execute(
            select(AuditEntry.action, AuditEntry.entity, AuditEntry.after)
            .where(AuditEntry.case_id == case_id)
            .order_by(AuditEntry.id)
        ).all()
    assert batch.filename == "ownership_aurora.csv" and batch.sha256 == result.sha256
    assert batch.counts["created"] == 6 and batch.counts["rejected"] == 2 and batch.actor
    assert batch.mapping["mapping"]["name"] == "ownership" and batch.mapping["grade"] == "C3"
    kinds = [(a, e) for a, e, _ in entries]
    assert kinds[1] == ("create", "evidence")
    assert kinds.count(("create", "record")) == 6 and kinds.count(("create", "link")) == 6
    assert kinds[-1] == ("create", "import_batch")
    import json

    record_after = json.loads(next(a for act, e, a in entries if e == "record"))
    assert record_after["import_batch"] == result.batch_id and record_after["row"] == 2
    assert record_after["evidence_id"] == result.evidence_id
    batch_after = json.loads(entries[-1][2])
    assert batch_after["counts"]["links"] == 6 and batch_after["sha256"] == result.sha256
    with sqlite_ws.read() as s:
        uncited = s.scalar(
            select(func.count())
            .select_from(Record)
            .where(
                Record.case_id == case_id,
                ~Record.id.in_(select(Citation.record_id).where(Citation.record_id.is_not(None))),
            )
        )
        uncited_links = s.scalar(
            select(func.count())
            .select_from(Link)
            .where(
                Link.case_id == case_id,
                ~Link.id.in_(select(Citation.link_id).where(Citation.link_id.is_not(None))),
            )
        )
    assert uncited == 0 and uncited_links == 0
    assert verify_workspace(sqlite_ws).ok
