"""FtM lines: the export writes each entity as canonical JSON (sorted keys, no spaces, Unicode kept)."""

from __future__ import annotations

import json

import pytest

from casedesk.services.audit import canonical_json
from casedesk.services.exchange import export_case
from casedesk.services.exchange.ftm_mapping import ALIAS_PROPERTY, PERSON_SCHEME_PROPERTY, SCHEME_PROPERTY
from casedesk.services.exchange.ftm_out import entity, entity_line
from casedesk.services.progress import run_to_end

VALUES = [
    "plain", "", "   ", None, [], (), ["a", "a", " ", None, "b"], ("x", 3, 2.0, 2.5, True, False),
    0, 0.0, 12.5, 7.0, True, False, "公司 «名» émigré", 'quote " backslash \\ slash /',
    "line\nbreak\ttab\r\x00\x1f\x7f", "emoji 🐉", "lone \ud800 surrogate", ["\u2028", "\u2029"],
    {"a": 1},
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_one_property_is_written_as_the_entity_dict_would_be(value):
    props = {"name": value, "notes": "kept"}
    assert entity_line("cd-1-r1", "Company", props) == canonical_json(entity("cd-1-r1", "Company", props))


def test_property_names_sort_as_canonical_json_sorts_them():
    # names that are prefixes of others (address/addressEntity), every name the mapping writes
    names = ["address", "addressEntity", "date", "startDate", "alias", "previousName", "weakAlias",
             "country", "jurisdiction", "mainCountry", "keywords", "summary", "status", "role",
             *ALIAS_PROPERTY.values(), *SCHEME_PROPERTY.values(), *PERSON_SCHEME_PROPERTY.values()]
    props = {name: f"value of {name}" for name in reversed(names)}
    line = entity_line("cd-1-l9", "UnknownLink", props)
    assert line == canonical_json(entity("cd-1-l9", "UnknownLink", props))
    assert list(json.loads(line)["properties"]) == sorted(set(names))


def test_every_line_of_an_export_is_canonical_json(demo_ws, tmp_path):
    ws, cid = demo_ws
    out = tmp_path / "case.ftm.jsonl"
    run_to_end(export_case(ws, cid, "ftm", out))
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) >= 62
    assert all(line == canonical_json(json.loads(line)) for line in lines)
    keywords = [json.loads(line)["properties"].get("keywords") for line in lines]
    assert ["context"] in keywords  # the demo's tags, read as stored text, come out as keywords


def test_tags_become_keywords_on_both_backends(workspace, case_id, tmp_path):
    from casedesk.services.records import RecordIn, create_record

    with workspace.write() as s:
        create_record(s, case_id, RecordIn("party", {"label": "Tagged Ltd", "party_kind": "company",
                                                     "tags": ["shell", "offshore"]}))
        create_record(s, case_id, RecordIn("party", {"label": "Plain Ltd", "party_kind": "company"}))
    out = tmp_path / "case.ftm.jsonl"
    run_to_end(export_case(workspace, case_id, "ftm", out))
    by_name = {e["properties"]["name"][0]: e["properties"]
               for e in map(json.loads, out.read_text("utf-8").splitlines())}
    assert by_name["Tagged Ltd"]["keywords"] == ["shell", "offshore"]
    assert "keywords" not in by_name["Plain Ltd"]
