"""GraphML opens in networkx with typed attributes; CSV files join on ids with formulas neutralised."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import select

from casedesk.domain.models import ChartPosition, Record
from casedesk.services.exchange import export_case
from casedesk.services.exchange.csv_out import cell
from casedesk.services.progress import run_to_end
from casedesk.services.records import update_record


def test_graphml_opens_in_networkx_with_kinds_labels_positions(demo_ws, tmp_path):
    nx = pytest.importorskip("networkx")
    ws, cid = demo_ws
    with ws.write() as s:
        rid = s.scalar(select(Record.id).where(Record.case_id == cid, Record.kind == "server"))
        s.add(ChartPosition(case_id=cid, record_id=rid, x=12.5, y=-3.0))
    out = tmp_path / "case.graphml"
    result = run_to_end(export_case(ws, cid, "graphml", out))
    g = nx.read_graphml(out)
    assert g.number_of_nodes() == result.records == 32 and g.number_of_edges() == result.links == 30
    node = g.nodes[f"r{rid}"]
    assert node["kind"] == "server" and node["label"] and (node["x"], node["y"]) == (12.5, -3.0)
    assert isinstance(node.get("server_count", 0), int)
    assert all("type" in d and "label" in d for _, _, d in g.edges(data=True))
    text = out.read_text("utf-8")
    assert 'attr.name="label"' in text and "y:NodeLabel" in text  # Gephi and yEd labels


def test_graphml_scope_is_a_view(demo_ws, tmp_path):
    nx = pytest.importorskip("networkx")
    ws, cid = demo_ws
    with ws.read() as s:
        ids = set(s.scalars(select(Record.id).where(Record.case_id == cid, Record.kind == "party")))
    result = run_to_end(export_case(ws, cid, "graphml", tmp_path / "v.graphml", record_ids=ids))
    assert result.scope == f"view of {len(ids)} records"
    g = nx.read_graphml(tmp_path / "v.graphml")
    assert set(g.nodes) == {f"r{i}" for i in ids}


@pytest.mark.parametrize("text, safe", [("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
                                        ("+1+1", "'+1+1"), ("@SUM(A1)", "'@SUM(A1)"),
                                        ("\tx", "'\tx"), ("\rx", "'\rx"), ("-12.5", "-12.5"),
                                        ("plain", "plain")])
def test_formula_cells_are_neutralised_and_numbers_left_alone(text, safe):
    assert cell(text) == safe
    assert cell(-3) == -3 and cell(2.5) == 2.5


@pytest.mark.parametrize("target", ["folder", "case.zip"])
def test_csv_files_join_on_ids(demo_ws, tmp_path, target):
    ws, cid = demo_ws
    with ws.write() as s:
        rid = s.scalar(select(Record.id).where(Record.case_id == cid, Record.kind == "party"))
        version = s.get(Record, rid).version
        update_record(s, rid, {"label": "=HYPERLINK(\"http://x\")"}, expected_version=version)
    out = tmp_path / target
    result = run_to_end(export_case(ws, cid, "csv", out))
    if target.endswith(".zip"):
        with zipfile.ZipFile(out) as z:
            files = {n: z.read(n) for n in z.namelist()}
    else:
        files = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(files) == {"parties.csv", "wallets.csv", "datacenters.csv", "servers.csv",
                          "contracts.csv", "links.csv"}
    assert all(data.startswith(b"\xef\xbb\xbf") for data in files.values())
    tables = {n: list(csv.DictReader(io.StringIO(d.decode("utf-8-sig")))) for n, d in files.items()}
    ids = {row["id"] for n, rows in tables.items() if n != "links.csv" for row in rows}
    assert len(ids) == result.records
    assert all(r["source_id"] in ids and r["target_id"] in ids for r in tables["links.csv"])
    assert any(r["label"] == "'=HYPERLINK(\"http://x\")" for r in tables["parties.csv"])
