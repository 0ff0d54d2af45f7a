"""Broken list files, format by format: a message naming line, field and reason; nothing written.

Each format gets a file with one good row and several broken ones. Importing it is refused with
every problem named (line, field, reason), the workspace keeps no trace of it, and an earlier
import of the same list stays exactly as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.domain.watchlists import Watchlist, WatchlistEntry, WatchlistName
from casedesk.services.progress import run_to_end
from casedesk.services.screening.formats import ListFormatError, read_list
from casedesk.services.screening.watchlist_import import BadRowsError, import_watchlist

TAB = "\t"
CSL_HEADER = "_id,source,entity_number,type,programs,name,title,addresses,alt_names\n"
EL = "Entity List (EL) - Bureau of Industry and Security"
OFAC_TAIL = ",-0- " * 8
DPL_HEADER = TAB.join(f'"{c}"' for c in ("Name", "Street_Address", "City", "State", "Country",
                                          "Postal_Code", "Effective_Date", "Last_Update")) + "\n"


def dpl_row(*cells: str) -> str:
    return TAB.join(f'"{c}"' for c in cells) + "\n"


def ftm(ent_id: str | None, name: str | None, **extra) -> str:
    obj = {"schema": "Company", "properties": {"name": [name]} if name is not None else {}, **extra}
    if ent_id is not None:
        obj["id"] = ent_id
    return json.dumps(obj, ensure_ascii=False) + "\n"


# (format, file name, good content, broken content, [expected fragments of the message])
CASES = {
    "csl": ("csl.csv",
            CSL_HEADER + f"a1,{EL},,Entity,,Good Trading Co.,,,\n",
            CSL_HEADER + f"a1,{EL},,Entity,,Good Trading Co.,,,\n"
            f"a2,{EL},,Entity,,,,,\n"                       # line 3: no name
            f"a3,{EL},,Entity,,Short Row\n"                 # line 4: too few fields
            f"a4,{EL},,Entity,,!!! ---,,,\n"                # line 5: only punctuation
            f"a5,,,Entity,,No Source Ltd,,,\n",             # line 6: no source
            ["line 3: field name is empty", "line 4: row has 6 fields, the header has 9",
             "line 5: field name '!!! ---' has no letters or digits", "line 6: field source is empty"]),
    "ofac-sdn": ("sdn.csv",
                 f'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"{OFAC_TAIL}\n',
                 f'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"{OFAC_TAIL}\n'
                 f'x7,"BAD NUMBER LTD",-0- ,"CUBA"{OFAC_TAIL}\n'   # line 2: ent_num
                 f'38,-0- ,-0- ,"CUBA"{OFAC_TAIL}\n'               # line 3: no name
                 f'39,"SHORT"\n'                                         # line 4: 2 fields
                 f'40,"...",-0- ,"CUBA"{OFAC_TAIL}\n',              # line 5: punctuation
                 ["line 2: sdn.csv: ent_num 'x7' is not a number", "line 3: sdn.csv: SDN_Name is empty",
                  "line 4: sdn.csv: row has 2 fields, expected 12",
                  "line 5: field SDN_Name '...' has no letters or digits"]),
    "dpl": ("dpl.txt",
            DPL_HEADER + dpl_row("GOOD PERSON", "1 MAIN ST", "PHOENIX", "AZ", "US", "85043",
                                 "10/16/2017", "2017-10-23"),
            DPL_HEADER + dpl_row("GOOD PERSON", "1 MAIN ST", "PHOENIX", "AZ", "US", "85043",
                                 "10/16/2017", "2017-10-23")
            + dpl_row("", "2 MAIN ST", "PHOENIX", "AZ", "US", "85043", "10/16/2017", "2017-10-23")
            + dpl_row("ONLY", "THREE", "FIELDS")
            + dpl_row("#&*", "3 MAIN ST", "PHOENIX", "AZ", "US", "85043", "10/16/2017", "2017-10-23"),
            ["line 3: field Name is empty", "line 4: row has 3 fields, the header has 8",
             "line 5: field Name '#&*' has no letters or digits"]),
    "ftm": ("entities.ftm.json",
            ftm("c1", "Good Holdings Ltd"),
            ftm("c1", "Good Holdings Ltd") + '{"id": "c2", "schema": \n'   # line 2: bad JSON
            + ftm(None, "No Id Ltd")                                        # line 3: no id
            + ftm("c4", None)                                               # line 4: no name
            + ftm("c5", "???"),                                             # line 5: punctuation
            ["line 2: not valid JSON", "line 3: not a FollowTheMoney entity (needs id and schema)",
             "line 4: entity c4 has no name", "line 5: field name '???' has no letters or digits"]),
    "opensanctions-csv": ("targets.simple.csv",
                          "id,schema,name,aliases,countries,identifiers,dataset\n"
                          "NK-1,Company,Acme Ltd,,ru,,Test\n",
                          "id,schema,name,aliases,countries,identifiers,dataset\n"
                          "NK-1,Company,Acme Ltd,,ru,,Test\n"
                          ",Company,No Id Ltd,,ru,,Test\n"        # line 3: no id
                          "NK-3,Company,,,ru,,Test\n"              # line 4: no name
                          "NK-4,Company,\"a,b\n"                    # line 5: unclosed quote
                          ,
                          ["line 3: field id is empty", "line 4: field name is empty", "line 5"]),
    "un-xml": ("consolidated.xml",
               '<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2024-05-01T00:00:00">'
               "<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>GOOD</FIRST_NAME>"
               "<SECOND_NAME>PERSON</SECOND_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
               '<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2024-05-01T00:00:00">'
               "<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>GOOD</FIRST_NAME>"
               "</INDIVIDUAL><INDIVIDUAL><DATAID></DATAID><FIRST_NAME>NO ID</FIRST_NAME>"
               "<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL>"
               "<INDIVIDUAL><DATAID>3</DATAID><FIRST_NAME>--</FIRST_NAME></INDIVIDUAL>"
               "</INDIVIDUALS></CONSOLIDATED_LIST>",
               ["INDIVIDUAL QDi.1: field DATAID is empty",
                "INDIVIDUAL 3: field FIRST_NAME is empty or only punctuation"]),
    "mapping": ("mine.csv",
                "Ref,Company,Country\n1,Good Co,CN\n",
                "Ref,Company,Country\n1,Good Co,CN\n2,,CN\n3,Ragged\n4,(),CN\n",
                ["line 3: field Company (name) is empty", "line 4: row has 2 fields, the header has 3",
                 "line 5: field Company '()' has no letters or digits"]),
}
MAPPING = {"name": "Mine", "columns": {"key": "Ref", "name": "Company", "countries": "Country"}}


def _import(ws, path: Path, fmt: str, **kw):
    mapping = MAPPING if fmt == "mapping" else None
    with ws.write() as s:
        return run_to_end(import_watchlist(s, path, fmt="auto", mapping=mapping,
                                           name="The list", **kw))


def _state(ws) -> tuple[int, int, int, list[str]]:
    with ws.read() as s:
        return (s.scalar(select(func.count()).select_from(Watchlist)),
                s.scalar(select(func.count()).select_from(WatchlistEntry)),
                s.scalar(select(func.count()).select_from(WatchlistName)),
                sorted(s.scalars(select(WatchlistEntry.name))))


@pytest.mark.parametrize("fmt", list(CASES))
def test_a_broken_file_is_refused_naming_each_row_and_nothing_is_written(workspace, tmp_path, fmt):
    fname, good, bad, expected = CASES[fmt]
    folder = tmp_path / "good"
    folder.mkdir()
    (folder / fname).write_text(good, encoding="utf-8")
    assert _import(workspace, folder / fname, fmt).entries == 1
    before = _state(workspace)
    broken = tmp_path / fname
    broken.write_text(bad, encoding="utf-8")
    assert read_list(broken, "auto", MAPPING if fmt == "mapping" else None).format == fmt
    with pytest.raises(BadRowsError) as err:
        _import(workspace, broken, fmt)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert "nothing imported" in message
    assert _state(workspace) == before  # the earlier import is untouched


@pytest.mark.parametrize("fmt", [f for f in CASES if f != "un-xml"])
def test_skipping_bad_rows_keeps_the_good_row_and_reports_the_rest(workspace, tmp_path, fmt):
    fname, _good, bad, expected = CASES[fmt]
    path = tmp_path / fname
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ListFormatError, match="more than the 1 readable"):
        _import(workspace, path, fmt, skip_bad_rows=True)  # more bad rows than good: refused
    assert _state(workspace)[0] == 0
    # With enough good rows, skipping is allowed and every skipped row is reported.
    lines = bad.splitlines(keepends=True)
    good_line = lines[1] if fmt != "ofac-sdn" else lines[0]
    padded = bad + "".join(good_line.replace("1", str(n), 1).replace("36", str(900 + n), 1)
                           .replace("GOOD", f"GOOD{n}").replace("Good", f"Good{n}")
                           .replace("Acme", f"Acme{n}") for n in range(2, 8))
    if fmt == "opensanctions-csv":  # the unclosed quote swallows what follows: close it
        padded = bad.replace('"a,b\n', '"a,b"\n') + "".join(
            f"NK-{n}0,Company,Acme{n} Ltd,,ru,,Test\n" for n in range(2, 8))
    if fmt == "ftm":
        padded = bad + "".join(ftm(f"g{n}", f"Good{n} Holdings") for n in range(2, 8))
    path.write_text(padded, encoding="utf-8")
    result = _import(workspace, path, fmt, skip_bad_rows=True)
    assert result.entries >= 5
    for fragment in expected:
        line = fragment.split(":")[0]
        assert any(s.startswith(line) for s in result.skipped), (line, result.skipped)


@pytest.mark.parametrize("content, reason", [
    (CSL_HEADER.replace("source,", "origin,"), "not a CSL file: the header has no source column"),
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><CONSOLIDATED_LIST>&lol;'
     "</CONSOLIDATED_LIST>", "refused: the XML declares a DTD or entities"),
    ('<?xml version="1.0"?><CONSOLIDATED_LIST><INDIVIDUALS>', "malformed XML at line 1"),
    ('{"id": "x", "schema": "Company"', "the first line is JSON but not a FollowTheMoney entity"),
])
def test_a_file_that_is_broken_as_a_whole_says_why(workspace, tmp_path, content, reason):
    path = tmp_path / "list.xml" if content.startswith("<") else tmp_path / "list.csv"
    path.write_text(content + ("\nx,y\n" if content.startswith("_id") or content.startswith("origin")
                               else ""), encoding="utf-8")
    fmt = "csl" if "origin" in content else "auto"
    with pytest.raises(ListFormatError, match=reason.replace("(", r"\(")):
        with workspace.write() as s:
            run_to_end(import_watchlist(s, path, fmt=fmt))
    assert _state(workspace)[0] == 0


def test_ten_thousand_aliases_and_duplicate_ids_are_read_without_loss(workspace, tmp_path):
    aliases = ";".join(f"Alias Number {n}" for n in range(10_000))
    path = tmp_path / "csl.csv"
    path.write_text(CSL_HEADER + f'a1,{EL},,Entity,,Many Names Ltd,,,"{aliases}"\n'
                    f"dup,{EL},,Entity,,First Of Two,,,\n"
                    f"dup,{EL},,Entity,,Second Of Two,,,\n"
                    f"dup,{EL},,Entity,,First Of Two,,,\n", encoding="utf-8")
    result = _import(workspace, path, "csl")
    assert result.entries == 3 and result.duplicates == 1  # the exact repeat is merged
    # the different row under the same id is kept apart, and the result says so
    assert result.as_json()["renamed_ids"] == [
        "line 4: id 'dup' is already used by an earlier, different row; kept as 'dup#2'"]
    with workspace.read() as s:
        keys = sorted(s.scalars(select(WatchlistEntry.entry_key)))
        names = s.scalar(select(func.count()).select_from(WatchlistName))
    assert keys == ["a1", "dup", "dup#2"]
    assert names == 10_000 + 1 + 2


def test_ftm_lines_nested_too_deeply_or_with_odd_values_are_row_problems(tmp_path):
    good = json.dumps({"id": "p1", "schema": "Person", "datasets": 5,
                       "properties": {"name": ["Good Person"], "alias": [None, {"a": 1}, "Goody"]}})
    deep = '{"id": "p2", "schema": "Person", "properties": {"name": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    path = tmp_path / "entities.ftm.json"
    path.write_text(good + "\n" + deep + "\n", encoding="utf-8")
    parsed = read_list(path)  # detected as FtM from the first line
    assert [str(p) for p in parsed.problems] == ["line 2: not valid JSON: nested too deeply"]
    (entry,) = parsed.entries
    assert entry.name == "Good Person" and entry.aliases == [("Goody", "aka")]
    assert entry.source_list == ""  # "datasets": 5 is no list of datasets
