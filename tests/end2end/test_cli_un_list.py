"""`watchlist import` of the UN consolidated list, refused XML, and the whole threshold range."""

from __future__ import annotations

import json
from pathlib import Path

UN = Path(__file__).resolve().parents[1] / "data" / "screening-lists" / "un" / "UN_consolidated_sample.xml"


def test_un_list_import_detect_and_screen_at_any_threshold(run, tmp_path):
    db = str(tmp_path / "ws.casedesk")
    for extra in ([], ["--format", "un-xml"]):
        out = run("--db", db, "watchlist", "import", str(UN), "--json", *extra)
        assert out.returncode == 0, out.stderr
        payload = json.loads(out.stdout)
        assert (payload["format"], payload["entries"]) == ("un-xml", 32)
    rows = json.loads(run("--db", db, "watchlist", "list", "--json").stdout)
    assert [(r["format"], r["entries"], r["snapshot_date"]) for r in rows] == [("un-xml", 32, "2026-02-27")]

    from casedesk.services.cases import create_case
    from casedesk.services.records import RecordIn, create_record
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(db)
    with ws.write() as s:
        case_id = create_case(s, "un").id
        create_record(s, case_id, RecordIn("party", {"label": "Allied Democratic Forces",
                                                     "party_kind": "company"}))
    ws.dispose()
    for threshold in ("0", "10", "85", "100"):
        out = run("--db", db, "screen", "--case", str(case_id), "--threshold", threshold, "--json")
        assert out.returncode == 0, out.stderr
        assert any(h["entry_name"] == "ADF" for h in json.loads(out.stdout)["hits"])


def test_xml_entity_tricks_and_malformed_xml_exit_2_with_nothing_imported(run, tmp_path):
    db = str(tmp_path / "ws.casedesk")
    lol = tmp_path / "lol.xml"
    lol.write_text('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                   "<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>&b;</FIRST_NAME>"
                   "</ENTITY></ENTITIES></CONSOLIDATED_LIST>", encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text("<CONSOLIDATED_LIST><ENTITIES><ENTITY></ENTITIES>", encoding="utf-8")
    for path, says in ((lol, "refused"), (broken, "malformed XML at line 1")):
        out = run("--db", db, "watchlist", "import", str(path), "--format", "un-xml", "--json")
        assert out.returncode == 2 and out.stdout == "", out.stderr
        assert says in out.stderr and "nothing was imported" in out.stderr
        assert "Traceback" not in out.stderr
    assert not Path(db).exists()  # the workspace the refused import would have made is not left behind
