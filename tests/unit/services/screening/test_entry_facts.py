"""What a hit and `watchlist entries` show of a list entry: names with kind and quality, ref, listing."""

from __future__ import annotations

from pathlib import Path

from casedesk.services.cases import create_case
from casedesk.services.progress import run_to_end
from casedesk.services.records import RecordIn, create_record
from casedesk.services.screening.entry_facts import list_entries
from casedesk.services.screening.screen import screen_case
from casedesk.services.screening.watchlist_import import import_watchlist


def _un_list(path: Path, aliases: int) -> Path:
    names = "".join(f"<ENTITY_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Front Company {i}</ALIAS_NAME>"
                    "</ENTITY_ALIAS>" for i in range(aliases))
    path.write_text('<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-11-30T00:00:00Z">'
                    "<ENTITIES><ENTITY><DATAID>42</DATAID><FIRST_NAME>Meridian Shipping Holdings"
                    "</FIRST_NAME><REFERENCE_NUMBER>QDe.042</REFERENCE_NUMBER>"
                    f"<LISTED_ON>2021-04-01</LISTED_ON>{names}<ENTITY_ADDRESS><COUNTRY>Iran</COUNTRY>"
                    "</ENTITY_ADDRESS></ENTITY></ENTITIES></CONSOLIDATED_LIST>", encoding="utf-8")
    return path


def test_a_hit_on_an_alias_names_it_and_shows_a_bounded_entry(workspace, tmp_path):
    with workspace.write() as s:
        run_to_end(import_watchlist(s, _un_list(tmp_path / "un.xml", 60)))
        case_id = create_case(s, "facts").id
        create_record(s, case_id, RecordIn("party", {"label": "Front Company 57"}))
    with workspace.write() as s:
        (hit,) = run_to_end(screen_case(s, case_id, threshold=95)).hits
    assert hit["matched_name"] == {"name": "Front Company 57", "kind": "aka", "quality": "Low"}
    assert hit["explanation"].endswith(
        "List entry: the name met is 'Front Company 57' (a.k.a., quality Low); ref QDe.042; "
        "listed on 2021-04-01; countries IR; address Iran; list snapshot 2026-11-30.")
    # 61 names: a hit shows 50 and says how many there are; the listing shows them all
    assert len(hit["entry"]["names"]) == 50 and hit["entry"]["names_total"] == 61
    with workspace.read() as s:
        (entry,) = list_entries(s, "UN Security Council Consolidated List", search="front company 57")
        assert list_entries(s, "1", search="nobody") == []
    assert len(entry["names"]) == 61 and entry["reference_number"] == "QDe.042"
