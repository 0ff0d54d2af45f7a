"""Case pack × workspace catalog: the models a case's fleets use travel with it, never overriding."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from casedesk.domain.catalog_entries import CatalogEntry
from casedesk.domain.models import AuditEntry, Case
from casedesk.services.analysis.engine import run_analysis
from casedesk.services.analysis.workspace_catalog import NewModel, add_model
from casedesk.services.cases import create_case
from casedesk.services.exchange import export_case
from casedesk.services.exchange.casepack_in import PackRefused, import_casepack
from casedesk.services.progress import run_to_end
from casedesk.services.records import RecordIn, create_record
from casedesk.services.verify import verify_workspace
from casedesk.storage.workspace import open_workspace
from sqlalchemy import func, select

ASCEND = NewModel(name="Ascend 910D", vendor="Huawei", tpp=20000.0, die_area_mm2=700.0,
                  aliases=("昇腾910D",), prc_made=True, source="vendor briefing, p. 2")
OTHER = NewModel(name="Kunlun P900", vendor="Baidu", tpp=4000.0, source="press release")


def _case_with_fleet(ws, model: str = "昇腾910D") -> int:
    with ws.write() as s:
        cid = create_case(s, "Shenzhen").id
        create_record(s, cid, RecordIn("server", {"label": "Shenzhen cluster", "accelerator_model": model,
                                                  "server_count": 10, "accelerators_per_server": 8}))
        create_record(s, cid, RecordIn("server", {"label": "Ascend row", "accelerator_model": "Ascend 910D",
                                                  "server_count": 1, "accelerators_per_server": 8}))
        create_record(s, cid, RecordIn("server", {"label": "H100 rack", "accelerator_model": "H100 SXM",
                                                  "server_count": 2, "accelerators_per_server": 8}))
    return cid


def _fleet(ws, cid: int, label: str = "Shenzhen cluster") -> tuple[dict, list[str]]:
    with ws.write() as s:
        result = run_to_end(run_analysis(s, cid))
    fleet = next(f for f in result.compute["fleets"] if f["label"] == label)
    return fleet, [u["question"] for u in result.undecided]


@pytest.fixture
def source_ws(tmp_path: Path):
    ws = open_workspace(str(tmp_path / "a.casedesk"))
    source = tmp_path / "datasheet.txt"
    source.write_text("Ascend 910D: TPP 20,000\n", "utf-8")
    with ws.write() as s:
        add_model(s, ASCEND, source_file=source)
        add_model(s, OTHER)  # not used by the case: stays home
    yield ws
    ws.dispose()


@pytest.fixture
def pack(source_ws, tmp_path) -> Path:
    cid = _case_with_fleet(source_ws)
    out = tmp_path / "a.casepack"
    run_to_end(export_case(source_ws, cid, "casepack", out))
    return out


@pytest.fixture
def fresh(tmp_path: Path):
    ws = open_workspace(str(tmp_path / "b.casedesk"))
    yield ws
    ws.dispose()


def test_the_pack_carries_only_the_models_the_case_uses(pack):
    with zipfile.ZipFile(pack) as z:
        manifest = json.loads(z.read("manifest.json"))
        lines = [json.loads(x) for x in z.read("catalog.jsonl").splitlines()]
        sources = [n for n in z.namelist() if n.startswith("catalog/")]
    assert [m["name"] for m in lines] == ["Ascend 910D"] and lines[0]["tpp"] == 20000.0
    assert "catalog.jsonl" in manifest["parts"] and manifest["format_version"] == 2
    assert sources == [f"catalog/{lines[0]['source_sha256']}"] and sources[0] in manifest["parts"]


def test_a_pack_without_workspace_models_stays_format_1(demo_ws, tmp_path):
    ws, cid = demo_ws
    out = tmp_path / "demo.casepack"
    run_to_end(export_case(ws, cid, "casepack", out))
    with zipfile.ZipFile(out) as z:
        assert "catalog.jsonl" not in z.namelist()
        assert json.loads(z.read("manifest.json"))["format_version"] == 1


def test_the_receiver_classifies_the_fleet_alike(pack, fresh):
    result = run_to_end(import_casepack(fresh, pack))
    assert [m["name"] for m in result.catalog.added] == ["Ascend 910D"] and not result.catalog.conflicts
    fleet, questions = _fleet(fresh, result.case_id)
    assert fleet["model"] == "Ascend 910D" and fleet["total_tpp"] == pytest.approx(80 * 20000)
    assert not [q for q in questions if "not in the catalog" in q]
    with fresh.read() as s:
        entry = s.scalars(select(CatalogEntry)).one()
        assert entry.aliases == ["昇腾910D"] and entry.prc_made and len(entry.sha256) == 64
        audit = s.scalars(select(AuditEntry).where(AuditEntry.entity == "catalog_entry")).one()
        assert audit.action == "create"
    assert verify_workspace(fresh).ok
    # the same pack again: the model is reused, not added twice
    again = run_to_end(import_casepack(fresh, pack, again=True))
    assert [m["name"] for m in again.catalog.reused] == ["Ascend 910D"] and not again.catalog.added
    with fresh.read() as s:
        assert s.scalar(select(func.count()).select_from(CatalogEntry)) == 1
    assert verify_workspace(fresh).ok


def test_a_receiver_model_with_other_figures_is_kept_and_reported(pack, fresh):
    with fresh.write() as s:
        add_model(s, NewModel(name="Ascend 910D", vendor="Huawei", tpp=9000.0, source="our own sheet"))
    result = run_to_end(import_casepack(fresh, pack))
    assert not result.catalog.added
    (conflict,) = result.catalog.conflicts
    assert conflict["name"] == "Ascend 910D" and conflict["differs"]["tpp"] == {"pack": 20000.0, "here": 9000.0}
    assert "kept this workspace's" in conflict["message"]
    assert result.as_json()["catalog"]["conflicts"][0]["here_code"] == "ws_ascend_910d"
    with fresh.read() as s:
        assert s.scalars(select(CatalogEntry)).one().tpp == 9000.0  # the receiver's, untouched
    # the receiver's figures classify the imported fleet named so: its catalog keeps its meaning
    fleet, questions = _fleet(fresh, result.case_id, "Ascend row")
    assert fleet["model"] == "Ascend 910D" and fleet["total_tpp"] == pytest.approx(8 * 9000)
    # a spelling only the pack's model knew is not pinned on the receiver's: left as a question
    assert any("昇腾910D" in q and "not in the catalog" in q for q in questions)


def test_a_carried_alias_the_receiver_uses_otherwise_is_left_out_and_reported(pack, fresh):
    with fresh.write() as s:
        add_model(s, NewModel(name="Ascend 910D-B", vendor="Huawei", tpp=9000.0, aliases=("昇腾910D",),
                              source="our own sheet"))
    result = run_to_end(import_casepack(fresh, pack))
    assert [m["name"] for m in result.catalog.added] == ["Ascend 910D"]
    assert [c["kind"] for c in result.catalog.conflicts] == ["alias"]
    with fresh.read() as s:
        added = s.scalar(select(CatalogEntry).where(CatalogEntry.name == "Ascend 910D"))
        assert added.aliases == []


def _rewrite(pack: Path, out: Path, edit) -> Path:
    """Rewrite catalog.jsonl with `edit` and give the manifest its new hash (a consistent fake)."""
    import hashlib

    with zipfile.ZipFile(pack) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    parts["catalog.jsonl"] = edit(parts["catalog.jsonl"])
    manifest = json.loads(parts["manifest.json"])
    manifest["parts"]["catalog.jsonl"] = {"sha256": hashlib.sha256(parts["catalog.jsonl"]).hexdigest(),
                                          "size": len(parts["catalog.jsonl"])}
    parts["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w") as zout:
        for n, d in parts.items():
            zout.writestr(n, d)
    return out


def _nothing_written(ws) -> None:
    with ws.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(CatalogEntry)) == 0


def test_a_tampered_catalog_part_is_refused_whole(pack, fresh, tmp_path):
    with zipfile.ZipFile(pack) as zin, zipfile.ZipFile(tmp_path / "t.casepack", "w") as zout:
        for n in zin.namelist():
            d = zin.read(n)
            zout.writestr(n, d.replace(b"20000.0", b"90000.0") if n == "catalog.jsonl" else d)
    with pytest.raises(PackRefused, match="part catalog.jsonl: .*SHA-256"):
        run_to_end(import_casepack(fresh, tmp_path / "t.casepack"))
    _nothing_written(fresh)


def test_carried_figures_that_fail_the_checks_refuse_the_pack(pack, fresh, tmp_path):
    absurd = _rewrite(pack, tmp_path / "x.casepack", lambda d: d.replace(b'"tpp":20000.0', b'"tpp":1e15'))
    with pytest.raises(PackRefused, match=r"part catalog.jsonl: line 1: model 'Ascend 910D': tpp"):
        run_to_end(import_casepack(fresh, absurd))
    _nothing_written(fresh)
    texty = _rewrite(pack, tmp_path / "y.casepack", lambda d: d.replace(b'"tpp":20000.0', b'"tpp":"lots"'))
    with pytest.raises(PackRefused, match=r"line 1: model 'Ascend 910D': tpp: not a number"):
        run_to_end(import_casepack(fresh, texty))
    _nothing_written(fresh)


def test_a_source_file_renamed_to_another_hash_is_refused(pack, fresh, tmp_path):
    with zipfile.ZipFile(pack) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    (src,) = [n for n in parts if n.startswith("catalog/")]
    manifest = json.loads(parts["manifest.json"])
    manifest["parts"][src]["sha256"] = "0" * 64
    parts["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(tmp_path / "r.casepack", "w") as zout:
        for n, d in parts.items():
            zout.writestr(n, d)
    with pytest.raises(PackRefused, match=f"part {src}"):
        run_to_end(import_casepack(fresh, tmp_path / "r.casepack"))
    _nothing_written(fresh)


def test_a_model_citing_the_case_evidence_cites_its_imported_copy(tmp_path, fresh):
    from casedesk.domain.models import Evidence
    from casedesk.services.evidence import attach_evidence

    a = open_workspace(str(tmp_path / "c.casedesk"))
    try:
        cid = _case_with_fleet(a)  # the fleets were written before the model existed
        with a.write() as s:
            ev = attach_evidence(s, cid, b"Ascend 910D datasheet\n", title="Ascend 910D datasheet")
            add_model(s, ASCEND, evidence_id=ev.id)
            elsewhere = create_case(s, "Elsewhere").id
            other = attach_evidence(s, elsewhere, b"Kunlun P900 sheet\n", title="Kunlun sheet")
            add_model(s, OTHER, evidence_id=other.id)
            create_record(s, cid, RecordIn("server", {"label": "Baidu rack", "accelerator_model": "Kunlun P900",
                                                      "server_count": 1, "accelerators_per_server": 8}))
        out = tmp_path / "c.casepack"
        run_to_end(export_case(a, cid, "casepack", out))
    finally:
        a.dispose()
    result = run_to_end(import_casepack(fresh, out))
    assert sorted(m["name"] for m in result.catalog.added) == ["Ascend 910D", "Kunlun P900"]
    with fresh.read() as s:
        by_name = {e.name: e for e in s.scalars(select(CatalogEntry))}
        cited = s.get(Evidence, by_name["Ascend 910D"].evidence_id)
        assert cited.case_id == result.case_id and cited.title == "Ascend 910D datasheet"
        # another case's evidence does not travel: the source text stays, the citation does not
        assert by_name["Kunlun P900"].evidence_id is None and by_name["Kunlun P900"].source == "press release"
    assert verify_workspace(fresh).ok


def test_the_receiver_on_each_backend_adds_the_model_in_the_case_transaction(pack, workspace):
    result = run_to_end(import_casepack(workspace, pack))
    assert [m["name"] for m in result.catalog.added] == ["Ascend 910D"]
    fleet, questions = _fleet(workspace, result.case_id)
    assert fleet["total_tpp"] == pytest.approx(80 * 20000)
    assert not [q for q in questions if "not in the catalog" in q]
    assert verify_workspace(workspace).ok


def test_a_newer_format_with_parts_unknown_here_says_upgrade(pack, fresh, tmp_path):
    with zipfile.ZipFile(pack) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    manifest = json.loads(parts["manifest.json"])
    manifest["format_version"] = 3
    parts["manifest.json"] = json.dumps(manifest).encode()
    parts["satellites.jsonl"] = b"{}\n"
    with zipfile.ZipFile(tmp_path / "v3.casepack", "w") as zout:
        for n, d in parts.items():
            zout.writestr(n, d)
    with pytest.raises(PackRefused, match="upgrade CaseDesk"):
        run_to_end(import_casepack(fresh, tmp_path / "v3.casepack"))
    _nothing_written(fresh)
