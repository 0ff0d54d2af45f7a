"""The UN Security Council Consolidated List (XML): what is read, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from casedesk.services.screening.formats import ListFormatError, detect_format, read_list

UN = Path(__file__).resolve().parents[3] / "data" / "screening-lists" / "un" / "UN_consolidated_sample.xml"

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def test_un_list_reads_individuals_and_entities_with_their_details():
    parsed = read_list(UN)
    assert parsed.format == "un-xml" and detect_format(UN) == "un-xml"
    assert parsed.snapshot_date == "2026-02-27" and parsed.problems == []
    kinds = [e.entity_type for e in parsed.entries]
    assert (kinds.count("person"), kinds.count("organization")) == (20, 12)
    saddam = next(e for e in parsed.entries if e.data.get("reference_number") == "IQi.001")
    assert saddam.name == "SADDAM HUSSEIN AL-TIKRITI" and saddam.countries == ["IQ"]
    assert ("صدام حسين التكريتي", "original script") in saddam.aliases
    assert {"name": "Abu Ali", "quality": "Low"} in saddam.data["alias_quality"]
    assert saddam.data["listed_on"] == "2003-06-27" and saddam.data["list_type"] == "UN List"
    adf = next(e for e in parsed.entries if e.data.get("reference_number") == "CDe.001")
    assert ("Allied Democratic Forces", "aka") in adf.aliases and ("NALU", "fka") in adf.aliases
    assert adf.data["addresses"] == ["North Kivu, Democratic Republic of the Congo"]
    assert adf.countries == ["CD"] and adf.programs == ["DRC"]


def _xml(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "un.xml"
    p.write_text(body, encoding="utf-8")
    return p


def test_billion_laughs_is_refused_clearly(tmp_path):
    lol = HEAD + ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10))
                  + ']>\n<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>'
                  '<FIRST_NAME>&lol9;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>')
    with pytest.raises(ListFormatError, match="refused.*DTD or entities.*nothing was imported"):
        read_list(_xml(tmp_path, lol))
    external = HEAD + ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                       "<CONSOLIDATED_LIST><ENTITIES/></CONSOLIDATED_LIST>")
    with pytest.raises(ListFormatError, match="refused"):
        read_list(_xml(tmp_path, external), fmt="un-xml")


def test_malformed_xml_names_line_and_column(tmp_path):
    bad = HEAD + "<CONSOLIDATED_LIST>\n<INDIVIDUALS><INDIVIDUAL></INDIVIDUALS>\n</CONSOLIDATED_LIST>"
    with pytest.raises(ListFormatError, match=r"malformed XML at line 3, column \d+.*nothing was imported"):
        read_list(_xml(tmp_path, bad))


def test_other_xml_is_not_taken_for_the_un_list(tmp_path):
    with pytest.raises(ListFormatError, match="not the UN consolidated list"):
        read_list(_xml(tmp_path, HEAD + "<rss><channel/></rss>"))
    with pytest.raises(ListFormatError, match="root element is <rss>"):
        read_list(_xml(tmp_path, HEAD + "<rss><channel/></rss>"), fmt="un-xml")


def test_bad_records_are_problems_and_huge_alias_lists_are_read(tmp_path):
    aliases = "".join(f"<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Front {i}</ALIAS_NAME>"
                      "</ENTITY_ALIAS>" for i in range(10_000))
    body = HEAD + ("<CONSOLIDATED_LIST dateGenerated='2025-01-02T00:00:00Z'><ENTITIES>"
                   "<ENTITY><DATAID>1</DATAID><FIRST_NAME>  </FIRST_NAME></ENTITY>"
                   "<ENTITY><DATAID>2</DATAID><FIRST_NAME>-- ./ </FIRST_NAME></ENTITY>"
                   "<ENTITY><DATAID></DATAID><FIRST_NAME>No Id Co</FIRST_NAME></ENTITY>"
                   f"<ENTITY><DATAID>3</DATAID><FIRST_NAME>Many Names Ltd</FIRST_NAME>{aliases}</ENTITY>"
                   "</ENTITIES></CONSOLIDATED_LIST>")
    parsed = read_list(_xml(tmp_path, body))
    assert [p.line for p in parsed.problems] == [1, 2, 3]
    assert "FIRST_NAME is empty or only punctuation" in parsed.problems[1].reason
    assert "DATAID is empty" in parsed.problems[2].reason
    assert len(parsed.entries) == 1 and len(parsed.entries[0].aliases) == 10_000
    assert parsed.snapshot_date == "2025-01-02" and parsed.rows == 4


def test_a_record_named_only_in_punctuation_takes_its_alias_and_problems_count_records(tmp_path):
    body = HEAD + ("<CONSOLIDATED_LIST dateGenerated='2025-01-02T00:00:00Z'><ENTITIES>"
                   "<ENTITY><DATAID>1</DATAID><FIRST_NAME>...</FIRST_NAME>"
                   "<NAME_ORIGINAL_SCRIPT>前锋贸易</NAME_ORIGINAL_SCRIPT>"
                   "<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Vanguard Trading</ALIAS_NAME>"
                   "</ENTITY_ALIAS></ENTITY>"
                   "<ENTITY><DATAID>2</DATAID><REFERENCE_NUMBER>QDe.2</REFERENCE_NUMBER>"
                   "<FIRST_NAME>!!! ---</FIRST_NAME></ENTITY>"
                   "</ENTITIES></CONSOLIDATED_LIST>")
    parsed = read_list(_xml(tmp_path, body))
    (entry,) = parsed.entries
    assert entry.name == "Vanguard Trading" and ("前锋贸易", "original script") in entry.aliases
    (problem,) = parsed.problems
    assert str(problem) == ("record 2: ENTITY QDe.2: field FIRST_NAME is empty or only punctuation "
                            "('!!! ---'), and no alias can stand in")


def test_malformed_xml_says_the_position_once(tmp_path):
    bad = HEAD + "<CONSOLIDATED_LIST>\n<ENTITIES></ENTITIE>\n</CONSOLIDATED_LIST>"
    with pytest.raises(ListFormatError) as err:
        read_list(_xml(tmp_path, bad))
    assert str(err.value) == "un.xml: malformed XML at line 3, column 12: mismatched tag; nothing was imported"


def test_encodings_utf16_is_read_and_an_unknown_one_is_refused(tmp_path):
    body = ('<?xml version="1.0" encoding="{}"?><CONSOLIDATED_LIST dateGenerated="2026-11-30T00:00:09Z">'
            "<ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>Ünïcode Trading</FIRST_NAME></ENTITY>"
            "</ENTITIES></CONSOLIDATED_LIST>")
    wide = tmp_path / "wide.xml"
    wide.write_text(body.format("UTF-16"), encoding="utf-16")
    parsed = read_list(wide)
    assert parsed.format == "un-xml" and [e.name for e in parsed.entries] == ["Ünïcode Trading"]
    odd = tmp_path / "odd.xml"
    odd.write_text(body.format("bogus-9"), encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"odd.xml: the XML declares an encoding that cannot "
                                              r"be read \(unknown encoding: bogus-9\); nothing"):
        read_list(odd)


def test_a_date_generated_that_is_no_date_is_a_warning_not_the_snapshot(tmp_path):
    body = ("<CONSOLIDATED_LIST dateGenerated='yesterday'><ENTITIES><ENTITY><DATAID>1</DATAID>"
            "<FIRST_NAME>Some Trading</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>")
    parsed = read_list(_xml(tmp_path, HEAD + body))
    assert parsed.snapshot_date is None
    assert parsed.warnings == ["dateGenerated 'yesterday' is not a date (YYYY-MM-DD…); the snapshot "
                               "date is taken as if the file gave none (--snapshot-date sets it)"]


def test_a_nul_byte_is_named_as_the_reason_xml_is_malformed(tmp_path):
    path = tmp_path / "un.xml"
    path.write_bytes(b"<CONSOLIDATED_LIST>\n<ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>R\x00ho"
                     b"</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>")
    with pytest.raises(ListFormatError, match=r"line 2, column \d+: not well-formed \(invalid token\) "
                                              r"\(a NUL byte: XML cannot hold one"):
        read_list(path)
