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


def test_entries_and_hits_show_alias_quality_original_script_reference_listing_and_snapshot(
    run, tmp_path
):
    db = str(tmp_path / "ws.casedesk")
    listed = tmp_path / "un.xml"
    listed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST dateGenerated="2026-11-30T00:00:09Z">'
        "<INDIVIDUALS/><ENTITIES><ENTITY><DATAID>900005</DATAID>"
        "<FIRST_NAME>China National Nuclear Industry Group</FIRST_NAME>"
        "<NAME_ORIGINAL_SCRIPT>中国核工业集团</NAME_ORIGINAL_SCRIPT><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>"
        "<REFERENCE_NUMBER>QDe.905</REFERENCE_NUMBER><LISTED_ON>2020-01-15</LISTED_ON>"
        "<LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>"
        "<ENTITY_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Zhonghe Group</ALIAS_NAME></ENTITY_ALIAS>"
        "<ENTITY_ADDRESS><STREET>1 Nanlishi Road</STREET><CITY>Beijing</CITY><COUNTRY>China</COUNTRY>"
        "</ENTITY_ADDRESS></ENTITY></ENTITIES></CONSOLIDATED_LIST>", encoding="utf-8")
    assert run("--db", db, "watchlist", "import", str(listed)).returncode == 0
    out = run("--db", db, "watchlist", "entries", "1", "--search", "ZHONGHE", "--json")
    assert out.returncode == 0, out.stderr
    (entry,) = json.loads(out.stdout)
    assert {"name": "Zhonghe Group", "kind": "aka", "quality": "Low"} in entry["names"]
    assert {"name": "中国核工业集团", "kind": "original script", "quality": None} in entry["names"]
    assert (entry["reference_number"], entry["listed_on"], entry["list_type"], entry["snapshot_date"],
            entry["countries"], entry["addresses"]) == (
        "QDe.905", "2020-01-15", "UN List", "2026-11-30", ["CN"], ["1 Nanlishi Road, Beijing, China"])
    text = run("--db", db, "watchlist", "entries", "UN Security Council Consolidated List").stdout
    assert "Zhonghe Group (a.k.a., quality Low)" in text and "ref QDe.905" in text
    missing = run("--db", db, "watchlist", "entries", "7")
    assert missing.returncode == 2 and "no screening list '7'" in missing.stderr

    out = run("--db", db, "cases", "new", "un", "--json")
    case_id = str(json.loads(out.stdout)["id"])
    for name in ("Zhonghe Group", "中国核工业集团有限公司"):
        assert run("--db", db, "records", "add", "--case", case_id, "--kind", "party",
                   "--label", name).returncode == 0
    hits = json.loads(run("--db", db, "screen", "--case", case_id, "--json").stdout)["hits"]
    by_label = {h["record_label"]: h for h in hits}
    alias_hit = by_label["Zhonghe Group"]
    assert "the name met is 'Zhonghe Group' (a.k.a., quality Low)" in alias_hit["explanation"]
    assert alias_hit["matched_name"] == {"name": "Zhonghe Group", "kind": "aka", "quality": "Low"}
    han_hit = by_label["中国核工业集团有限公司"]
    assert "the name met is '中国核工业集团' (original script)" in han_hit["explanation"]
    for hit in (alias_hit, han_hit):
        assert "ref QDe.905; listed on 2020-01-15; list type UN List" in hit["explanation"]
        assert "list snapshot 2026-11-30" in hit["explanation"]
    listed_hits = json.loads(run("--db", db, "hits", "list", "--case", case_id, "--json").stdout)
    assert all(h["entry"]["reference_number"] == "QDe.905" for h in listed_hits)


def test_a_record_reusing_an_id_is_kept_apart_with_a_warning(run, tmp_path):
    db = str(tmp_path / "ws.casedesk")
    listed = tmp_path / "un.xml"
    record = "<ENTITY><DATAID>{}</DATAID><FIRST_NAME>{}</FIRST_NAME></ENTITY>"
    listed.write_text('<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-11-30"><ENTITIES>'
                      + record.format(7, "Alpha Trading Co") + record.format(7, "Alpha Trading Co")
                      + record.format(7, "Beta Trading Co") + "</ENTITIES></CONSOLIDATED_LIST>",
                      encoding="utf-8")
    out = run("--db", db, "watchlist", "import", str(listed), "--json")
    assert out.returncode == 0, out.stderr
    assert ("casedesk: warning: record 3: id '7' is already used by an earlier, different row; "
            "kept as '7#2'") in out.stderr
    payload = json.loads(out.stdout)
    assert (payload["entries"], payload["duplicates"], len(payload["renamed_ids"])) == (2, 1, 1)
    keys = [e["entry_key"] for e in json.loads(run("--db", db, "watchlist", "entries", "1",
                                                   "--json").stdout)]
    assert keys == ["7", "7#2"]
