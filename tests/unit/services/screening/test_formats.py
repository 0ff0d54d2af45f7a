"""List readers on the real shared files: counts, quirks, detection and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.services.screening.formats import ListFormatError, detect_format, read_list

LISTS = Path(__file__).resolve().parents[3] / "data" / "screening-lists"


def test_ofac_sdn_reads_every_entry_with_its_companions():
    parsed = read_list(LISTS / "ofac-sdn-2021" / "sdn.csv")
    assert parsed.format == "ofac-sdn" and len(parsed.entries) == 8976 and not parsed.problems
    by_key = {e.key: e for e in parsed.entries}
    # -0- is empty; no Ctrl-Z anywhere; programs split
    assert all("-0-" not in e.name and "\x1a" not in e.remarks for e in parsed.entries)
    assert by_key["36"].name == "AEROCARIBBEAN AIRLINES" and by_key["36"].entity_type == "organization"
    assert ("AERO-CARIBBEAN", "aka") in by_key["36"].aliases  # alt.csv
    assert "CU" in by_key["36"].countries  # add.csv
    # Remarks continued in sdn_comments.csv without a separator: a wallet split mid-address
    wallets = [v for s, v, _c in by_key["30518"].identifiers if s == "WALLET_BTC"]
    assert "1GqChmWqGtsaLrGbHfgdrV5Nkvahtjjuxr" in wallets
    assert any(s == "WALLET_ETH" for s, _v, _c in by_key["30518"].identifiers)
    assert by_key["30518"].programs == ["CYBER2", "ELECTION-EO13848"]


def test_ofac_wallets_match_the_derived_vector_file():
    import csv

    vectors = Path(__file__).resolve().parents[3] / "data" / "address-test-vectors" / \
        "ofac_sdn_2021_digital_currency_addresses.csv"
    if not vectors.exists():
        pytest.skip("address vectors not copied")
    parsed = read_list(LISTS / "ofac-sdn-2021" / "sdn.csv")
    ours = {v for e in parsed.entries for s, v, _c in e.identifiers if s.startswith("WALLET_")}
    with vectors.open(encoding="utf-8") as fh:
        theirs = {row["address"] for row in csv.DictReader(fh)}
    assert theirs <= ours


def test_csl_current_format():
    parsed = read_list(LISTS / "csl" / "consolidated_sample_2024.csv")
    assert parsed.format == "csl" and len(parsed.entries) == 13 and not parsed.problems
    rim = next(e for e in parsed.entries if e.name == "RIM, Ryong Nam")
    assert ("PASSPORT", "836238033", "KP") in rim.identifiers
    isn = parsed.entries[0]
    assert isn.name == "Sinobright Import and Export Company"  # ISN boilerplate removed


def test_invalid_csl_reports_each_bad_row_by_line():
    parsed = read_list(LISTS / "csl" / "csl_invalid_2019.csv")
    assert [p.line for p in parsed.problems] == [2, 4, 5, 9]
    assert "2 fields" in parsed.problems[0].reason


def test_dpl_merges_exact_duplicate_rows():
    parsed = read_list(LISTS / "dpl" / "dpl.txt")
    assert parsed.format == "dpl" and parsed.rows == 546
    assert len(parsed.entries) == 543 and len(parsed.duplicates) == 3
    assert parsed.snapshot_date == "2019-06-12"  # the 3017 typo is not a snapshot date
    assert parsed.entries[0].name == "ADRIAN MANUEL HERNANDEZ"  # leading space trimmed


def test_ftm_imports_the_targets_with_their_context():
    parsed = read_list(LISTS / "ftm" / "zala_cluster.ftm.jsonl")
    assert parsed.format == "ftm" and len(parsed.entries) == 14
    zakharov = next(e for e in parsed.entries if e.name == "Alexander Vyacheslavovich ZAKHAROV")
    assert zakharov.entity_type == "person" and "RU" in zakharov.countries
    assert any(p.startswith("US-") for p in zakharov.programs)  # from Sanction entities
    assert any(a == "Александр Вячеславович Захаров" for a, _k in zakharov.aliases)


def test_opensanctions_simple_csv_and_mapping(tmp_path):
    p = tmp_path / "targets.simple.csv"
    p.write_text("id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,"
                 "phones,emails,dataset,first_seen,last_seen\n"
                 "NK-1,Company,Acme Ltd,Acme Limited;ACME,,ru;cn,,1027739108649,,,,"
                 "Test,2024-01-01,2024-03-01\n", encoding="utf-8")
    parsed = read_list(p)
    assert parsed.format == "opensanctions-csv"
    e = parsed.entries[0]
    assert e.countries == ["RU", "CN"] and ("Acme Limited", "aka") in e.aliases
    assert parsed.snapshot_date == "2024-03-01"
    m = tmp_path / "mine.csv"
    m.write_text("Ref;Company;Country;ETH\n7;Acme Ltd;China;0x1da5821544e25c636c1417ba96ade4cf6d2f9b5a\n",
                 encoding="utf-8")
    mapped = read_list(m, mapping={"columns": {"name": "Company", "key": "Ref", "countries": "Country"},
                                   "identifiers": [{"column": "ETH", "chain": "ETH"}]})
    assert mapped.entries[0].key == "7" and mapped.entries[0].countries == ["CN"]
    assert mapped.entries[0].identifiers[0][0] == "WALLET_ETH"
    with pytest.raises(ListFormatError, match="'Nom' is not in mine.csv"):
        read_list(m, mapping={"columns": {"name": "Nom"}})


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"),
    (b"Hardware name,Manufacturer,Type\nH100,NVIDIA,GPU\n", "unknown list format"),
    (b'{"foo": 1}\n', "not a FollowTheMoney entity"),
    (b"\x00\x01\x02binary", "unknown list format"),
])
def test_unknown_formats_are_refused_with_the_reason(tmp_path, content, reason):
    p = tmp_path / "x.csv"
    p.write_bytes(content)
    with pytest.raises(ListFormatError, match=reason):
        read_list(p)


def test_detection_of_every_real_format():
    assert detect_format(LISTS / "ofac-sdn-2021" / "sdn.csv") == "ofac-sdn"
    assert detect_format(LISTS / "csl" / "consolidated_sample_2024.csv") == "csl"
    assert detect_format(LISTS / "dpl" / "dpl.txt") == "dpl"
    assert detect_format(LISTS / "ftm" / "zala_cluster.ftm.jsonl") == "ftm"


def test_older_csl_without_id_column_maps_by_header(tmp_path):
    import csv

    src = LISTS / "csl" / "consolidated_sample_2024.csv"
    with src.open(encoding="utf-8", newline="") as fh:
        rows = [row[1:] for row in csv.reader(fh)]  # drop _id: the 2019 layout
    old = tmp_path / "consolidated_2019.csv"
    with old.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    parsed = read_list(old)
    assert parsed.format == "csl" and len(parsed.entries) == 13 and not parsed.problems
    keys = {e.key for e in parsed.entries}
    assert len(keys) == 13  # Treasury rows keyed by entity number, others by a derived key
    assert any(k.endswith(":18300") for k in keys)
