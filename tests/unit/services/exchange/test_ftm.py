"""FtM out and in: valid entities, stable ids, the zala cluster's links, round trip, bad input."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import select

from casedesk.domain.models import Citation, Link, Record
from casedesk.services.cases import create_case
from casedesk.services.exchange import export_case
from casedesk.services.exchange.ftm_in import run_ftm_import
from casedesk.services.progress import run_to_end


def _export(ws, cid, tmp_path, name="case.ftm.jsonl"):  # noqa: ANN001, ANN202
    out = tmp_path / name
    return run_to_end(export_case(ws, cid, "ftm", out)), out


def _new_case(ws, title="In") -> int:  # noqa: ANN001
    with ws.write() as s:
        return create_case(s, title).id


def test_every_exported_entity_is_valid_ftm(demo_ws, tmp_path, ftm_problems):
    ws, cid = demo_ws
    result, out = _export(ws, cid, tmp_path)
    assert ftm_problems(out) == []
    schemata = Counter(json.loads(line)["schema"] for line in out.read_text("utf-8").splitlines())
    assert {"Person", "Company", "CryptoWallet", "Asset", "Contract"} <= set(schemata)
    assert result.records == 32 and result.links == 30


def test_ids_are_stable_across_exports(demo_ws, tmp_path):
    ws, cid = demo_ws
    _, a = _export(ws, cid, tmp_path, "a.jsonl")
    _, b = _export(ws, cid, tmp_path, "b.jsonl")
    assert a.read_bytes() == b.read_bytes()


def test_datacenters_and_fleets_carry_compute_facts(demo_ws, tmp_path):
    ws, cid = demo_ws
    _, out = _export(ws, cid, tmp_path)
    assets = [json.loads(line) for line in out.read_text("utf-8").splitlines()
              if json.loads(line)["schema"] == "Asset"]
    fleets = [a for a in assets if "server fleet" in a["properties"]["keywords"]]
    assert fleets and all("Accelerator model" in a["properties"]["summary"][0] for a in fleets)


def test_export_is_audited_with_format_scope_and_hash(demo_ws, tmp_path):
    import hashlib

    from casedesk.domain.models import AuditEntry

    ws, cid = demo_ws
    result, out = _export(ws, cid, tmp_path)
    with ws.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    after = json.loads(entry.after)
    assert after["format"] == "ftm" and after["scope"] == "case"
    assert after["sha256"] == result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()


def test_zala_ownerships_and_directorships_arrive_between_the_right_parties(sqlite_ws, zala):
    cid = _new_case(sqlite_ws)
    out = run_to_end(run_ftm_import(sqlite_ws, cid, zala))
    assert out.result.created_by_kind == {"party": 17}
    assert out.skipped == {"Sanction": 41}
    entities = [json.loads(line) for line in zala.read_text("utf-8").splitlines()]
    by_id = {e["id"]: e for e in entities}
    with sqlite_ws.read() as s:
        # each record cites the file with the FtM entity id as its locator
        record_of = {}
        for rid, loc in s.execute(select(Citation.record_id, Citation.locator)
                                  .where(Citation.record_id.is_not(None))):
            for eid in loc.removeprefix("entities ").removeprefix("entity ").split(", "):
                record_of[eid] = rid
        links = s.scalars(select(Link).where(Link.case_id == cid)).all()
        link_cites = dict(s.execute(select(Citation.link_id, Citation.locator)
                                    .where(Citation.link_id.is_not(None))).all())
    got = Counter((lk.link_type, lk.source_id, lk.target_id, lk.start_on, lk.share_pct) for lk in links)
    want: Counter = Counter()
    for e in entities:
        p = e["properties"]
        if e["schema"] == "Ownership":
            share = float(p["percentage"][0]) if "percentage" in p else None
            want[("owns", record_of[p["owner"][0]], record_of[p["asset"][0]],
                  p.get("startDate", [None])[0], share)] += 1
        elif e["schema"] == "Directorship":
            want[("officer_of", record_of[p["director"][0]], record_of[p["organization"][0]],
                  p.get("startDate", [None])[0], None)] += 1
    assert sum(want.values()) == 17
    assert {k: v for k, v in got.items() if k[0] in ("owns", "officer_of")} == want
    assert all(loc.startswith("entity ") and loc.split(" ", 1)[1] in by_id for loc in link_cites.values())


def test_ftm_import_keeps_aliases_identifiers_and_countries(sqlite_ws, zala):
    from casedesk.services.records import get_record

    cid = _new_case(sqlite_ws)
    run_to_end(run_ftm_import(sqlite_ws, cid, zala))
    with sqlite_ws.read() as s:
        rid = s.scalar(select(Citation.record_id).where(Citation.locator == "entity NK-aU5ybkbRFJucf8YMwsJvDw"))
        rec = get_record(s, rid)
        assert rec.party_kind == "person" and rec.country == "RU"
        assert {i.scheme for i in rec.identifiers} >= {"RU_INN"}
        assert len(rec.aliases) > 3 and rec.addresses


def test_second_import_merges_instead_of_duplicating(sqlite_ws, zala):
    cid = _new_case(sqlite_ws)
    run_to_end(run_ftm_import(sqlite_ws, cid, zala))
    again = run_to_end(run_ftm_import(sqlite_ws, cid, zala))
    assert again.result.created == 0 and again.result.merged == 17 and again.result.links == 0


def test_round_trip_gives_the_same_parties_wallets_and_links(demo_ws, tmp_path):
    ws, cid = demo_ws
    _, out = _export(ws, cid, tmp_path)
    target = _new_case(ws, "Round trip")
    run_to_end(run_ftm_import(ws, target, out))

    def picture(case_id: int):  # noqa: ANN202
        from casedesk.services.exchange.case_rows import CaseRows, ExportScope

        with ws.read() as s:
            rows = CaseRows(s, ExportScope(case_id))
            recs = {r["id"]: r for r in rows.records(("party", "wallet"))}
            label = {r["id"]: r["label"] for r in rows.records()}
            parties = sorted((r["label"], r["party_kind"], r["country"],
                              sorted(a["name"] for a in r["aliases"]),
                              sorted((i["scheme"], i["value"]) for i in r["identifiers"]))
                             for r in recs.values() if r["kind"] == "party")
            wallets = sorted((r["label"], r["chain"], r["address"]) for r in recs.values()
                             if r["kind"] == "wallet")
            links = sorted((lk["link_type"], label[lk["source_id"]], label[lk["target_id"]],
                            lk["role"], lk["share_pct"], lk["start_on"], lk["end_on"])
                           for lk in rows.links())
        return parties, wallets, links

    assert picture(target) == picture(cid)


@pytest.mark.parametrize("lines, reason", [
    (['{"id": "a", "schema": "Spaceship", "properties": {"name": ["x"]}}'], "unknown FtM schema"),
    (['not json at all'], "not JSON"),
    (['{"schema": "Person", "properties": {"name": ["x"]}}'], "without an id"),
    (['{"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["gone"]}}',
      '{"id": "p1", "schema": "Person", "properties": {"name": ["Ann Example"]}}'], "not an entity of the file"),
])
def test_bad_entities_get_their_own_reason(sqlite_ws, tmp_path, lines, reason):
    cid = _new_case(sqlite_ws)
    path = tmp_path / "bad.ftm.jsonl"
    good = '{"id": "ok", "schema": "Company", "properties": {"name": ["Good Co"], "sector": ["x"], "nope": ["y"]}}'
    path.write_text("\n".join([good, *lines]) + "\n", "utf-8")
    out = run_to_end(run_ftm_import(sqlite_ws, cid, path))
    assert out.result.created >= 1
    assert any(reason in r["reason"] for r in out.rejects), out.rejects
    assert any("unknown property 'nope'" in w["warning"] for w in out.warnings)


def test_nothing_importable_writes_nothing(sqlite_ws, tmp_path):
    from casedesk.domain.errors import ValidationError

    cid = _new_case(sqlite_ws)
    path = tmp_path / "bad.jsonl"
    path.write_text("garbage\n{\"id\": 1}\n", "utf-8")
    with pytest.raises(ValidationError):
        run_to_end(run_ftm_import(sqlite_ws, cid, path))
    with sqlite_ws.read() as s:
        assert s.scalar(select(Record.id)) is None


def test_nested_and_delta_forms(sqlite_ws, tmp_path):
    cid = _new_case(sqlite_ws)
    nested = {"id": "own", "schema": "Ownership", "properties": {
        "owner": [{"id": "p", "schema": "Person", "properties": {"name": ["Pat Owner"]}}],
        "asset": [{"id": "c", "schema": "Company", "properties": {"name": ["Asset Ltd"]}}],
        "percentage": ["60"]}}
    lines = [{"op": "ADD", "entity": nested},
             {"op": "ADD", "entity": {"id": "x", "schema": "Company", "properties": {"name": ["Gone Ltd"]}}},
             {"op": "DEL", "entity": {"id": "x"}},
             {"op": "MOD", "entity": {"id": "c", "schema": "Company", "properties": {"name": ["Asset Limited"]}}}]
    path = tmp_path / "delta.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", "utf-8")
    out = run_to_end(run_ftm_import(sqlite_ws, cid, path))
    assert out.deltas == 4
    with sqlite_ws.read() as s:
        labels = set(s.scalars(select(Record.label).where(Record.case_id == cid)))
        link = s.scalars(select(Link)).one()
    assert labels == {"Pat Owner", "Asset Limited"} and link.share_pct == 60.0


def test_import_streams_a_large_file_in_flat_memory(sqlite_ws, tmp_path):
    import tracemalloc

    cid = _new_case(sqlite_ws)
    path = tmp_path / "big.jsonl"
    note = "x" * 2000  # bulky entities: the file is large, the index small
    with path.open("w", encoding="utf-8") as fh:
        for i in range(3000):
            fh.write(json.dumps({"id": f"p{i}", "schema": "Company", "properties": {
                "name": [f"Company {i}"], "summary": [note]}}) + "\n")
    tracemalloc.start()
    run_to_end(run_ftm_import(sqlite_ws, cid, path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert path.stat().st_size > 6_000_000
    assert peak < 3 * path.stat().st_size  # the notes go to the database, not held per pass
