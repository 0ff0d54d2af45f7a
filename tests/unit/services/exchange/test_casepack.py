"""Case pack: round trip into a fresh workspace, and every kind of bad pack refused whole."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.domain.models import Case, Evidence, Record
from casedesk.services.exchange import export_case
from casedesk.services.exchange.case_rows import CaseRows, ExportScope
from casedesk.services.exchange.casepack_in import PackRefused, import_casepack
from casedesk.services.progress import run_to_end
from casedesk.services.verify import verify_workspace
from casedesk.storage.workspace import open_workspace


@pytest.fixture
def pack(demo_ws, tmp_path) -> Path:
    from casedesk.services.findings import add_manual_finding, decide_finding

    ws, cid = demo_ws
    with ws.write() as s:  # a decided finding travels with the case
        rid = s.scalar(select(Record.id).where(Record.case_id == cid))
        f = add_manual_finding(s, cid, "Hand-made flag", record_ids=[rid])
        decide_finding(s, f.id, "dismissed", "checked by hand")
    out = tmp_path / "demo.casepack"
    run_to_end(export_case(ws, cid, "casepack", out))
    return out


def _picture(ws, cid):  # noqa: ANN001, ANN202
    with ws.read() as s:
        rows = CaseRows(s, ExportScope(cid))
        recs = list(rows.records())
        label = {r["id"]: r["label"] for r in recs}
        drop = {"id", "created_at", "updated_at", "version"}
        records = sorted(json.dumps({k: ([{x: y for x, y in c.items() if x != "id" and x != "party_id"}
                                           for c in v] if isinstance(v, list) and v and isinstance(v[0], dict) else v)
                                     for k, v in r.items() if k not in drop}, sort_keys=True, default=str)
                         for r in recs)
        links = sorted((lk["link_type"], label[lk["source_id"]], label[lk["target_id"]], lk["role"],
                        lk["share_pct"], lk["start_on"], lk["end_on"], lk["grade"], lk["notes"])
                       for lk in rows.links())
        hashes = sorted(s.scalars(select(Evidence.sha256).where(Evidence.case_id == cid)))
    return records, links, hashes


def test_round_trip_into_a_fresh_workspace(demo_ws, pack, tmp_path):
    ws, cid = demo_ws
    fresh = open_workspace(str(tmp_path / "fresh.casedesk"))
    try:
        result = run_to_end(import_casepack(fresh, pack))
        assert (result.records, result.links, result.evidence) == (32, 30, 4)
        assert _picture(fresh, result.case_id) == _picture(ws, cid)
        assert verify_workspace(fresh).ok
        with fresh.read() as s:
            from casedesk.domain.origins import CaseOrigin

            origin = s.scalars(select(CaseOrigin)).one()
            assert origin.source_case_id == cid and origin.exporter
        # the same pack again: said so, refused unless asked for
        with pytest.raises(PackRefused, match="already imported"):
            run_to_end(import_casepack(fresh, pack))
        again = run_to_end(import_casepack(fresh, pack, again=True))
        assert again.earlier_imports == [result.case_id]
        assert again.counts["blobs_already_held"] == 4  # content-addressed: no second copy
    finally:
        fresh.dispose()


def test_findings_and_decisions_travel(pack, tmp_path):
    from casedesk.domain.models import Finding

    fresh = open_workspace(str(tmp_path / "fresh.casedesk"))
    try:
        cid = run_to_end(import_casepack(fresh, pack)).case_id
        with fresh.read() as s:
            f = s.scalars(select(Finding).where(Finding.case_id == cid)).one()
            assert (f.status, f.reason) == ("dismissed", "checked by hand")
            assert s.get(Record, f.record_ids[0]).case_id == cid
    finally:
        fresh.dispose()


def _rewrite(src: Path, dst: Path, change) -> Path:  # noqa: ANN001
    """A copy of a pack with change(name, data) -> (name, data) or None applied to each entry."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            out = change(info.filename, zin.read(info.filename))
            if out is not None:
                zout.writestr(out[0], out[1])
    return dst


def _refused(ws, path, match):  # noqa: ANN001
    with pytest.raises(PackRefused, match=match):
        run_to_end(import_casepack(ws, path))
    with ws.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0  # nothing partly written


def _manifest(data: bytes, edit) -> bytes:  # noqa: ANN001
    m = json.loads(data)
    edit(m)
    return json.dumps(m).encode()


def test_bad_packs_are_refused_whole_naming_the_part(pack, tmp_path, sqlite_ws):
    ws = sqlite_ws
    # altered part
    bad = _rewrite(pack, tmp_path / "a.casepack", lambda n, d: (n, d.replace(b"Derek", b"Dirk"))
                   if n == "records.jsonl" else (n, d))
    _refused(ws, bad, "part records.jsonl")
    # truncated file
    cut = tmp_path / "t.casepack"
    cut.write_bytes(pack.read_bytes()[: pack.stat().st_size // 2])
    _refused(ws, cut, "not a readable zip")
    # renamed part
    ren = _rewrite(pack, tmp_path / "r.casepack", lambda n, d: ("links.jsonl" if n == "links.jsonl"
                                                               else n, d) if n != "events.jsonl" else None)
    _refused(ws, ren, "events.jsonl")
    # not a pack at all, renamed to .casepack
    fake = tmp_path / "fake.casepack"
    fake.write_text("hello", "utf-8")
    _refused(ws, fake, "not a case pack")
    # a path that climbs out
    climb = _rewrite(pack, tmp_path / "c.casepack", lambda n, d: (n, d))
    with zipfile.ZipFile(climb, "a") as z:
        z.writestr("../evil.txt", b"x")
    _refused(ws, climb, "climbs out")
    # newer schema and newer format
    newer = _rewrite(pack, tmp_path / "n.casepack", lambda n, d: (n, _manifest(
        d, lambda m: m.update(schema_revision="9999_from_the_future"))) if n == "manifest.json" else (n, d))
    _refused(ws, newer, "newer workspace schema")
    future = _rewrite(pack, tmp_path / "f.casepack", lambda n, d: (n, _manifest(
        d, lambda m: m.update(format_version=99))) if n == "manifest.json" else (n, d))
    _refused(ws, future, "newer CaseDesk")


def test_zip_bomb_is_refused_before_it_is_unpacked(pack, tmp_path, sqlite_ws, monkeypatch):
    # a part that unpacks far beyond what the manifest says: stops at the first byte too many
    def bomb(name, data):  # noqa: ANN001, ANN202
        if name == "events.jsonl":
            return name, b"\n" * (50 * 1024 * 1024)
        return name, data

    _refused(sqlite_ws, _rewrite(pack, tmp_path / "b.casepack", bomb), "events.jsonl")
    # and a manifest that claims more than the cap is refused before anything is read
    monkeypatch.setenv("CASEDESK_CASEPACK_MAX_BYTES", "1000")
    _refused(sqlite_ws, pack, "more than the")


def test_verify_notices_a_tampered_import(pack, tmp_path):
    from casedesk.domain.origins import CaseOrigin

    fresh = open_workspace(str(tmp_path / "fresh.casedesk"))
    try:
        run_to_end(import_casepack(fresh, pack))
        with fresh.write() as s:
            s.scalars(select(CaseOrigin)).one().manifest += " "
        report = verify_workspace(fresh)
        assert not report.ok and any(p.check == "import" for p in report.problems)
    finally:
        fresh.dispose()


def test_case_properties_travel_in_the_pack(demo_ws, tmp_path):
    from casedesk.services.case_properties import set_case_properties

    ws, cid = demo_ws
    with ws.write() as s:
        set_case_properties(s, cid, {"reference": "DD-7", "client": "Acme", "marking": "OFFICIAL"})
    out = tmp_path / "props.casepack"
    run_to_end(export_case(ws, cid, "casepack", out))
    fresh = open_workspace(str(tmp_path / "fresh.casedesk"))
    try:
        result = run_to_end(import_casepack(fresh, out))
        with fresh.read() as s:
            assert s.get(Case, result.case_id).properties == {"reference": "DD-7", "client": "Acme",
                                                              "marking": "OFFICIAL"}
    finally:
        fresh.dispose()
