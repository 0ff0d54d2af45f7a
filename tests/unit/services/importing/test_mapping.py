"""Mappings: presets as data, saved mappings in YAML and JSON, checks, auto-mapping by similarity."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from casedesk.domain.errors import ValidationError
from casedesk.services.cases import create_case
from casedesk.services.importing import (
    ImportOptions,
    load_mapping_file,
    load_preset,
    preset_names,
    run_import,
    save_mapping_file,
)
from casedesk.services.importing.automap import auto_map, rank_presets
from casedesk.services.importing.mapping import find_column, mapping_from_data
from casedesk.services.progress import run_to_end
from casedesk.services.listings import list_links, list_records


def test_the_four_presets_ship_and_check():
    assert preset_names() == ["ownership", "parties", "servers", "transactions"]
    for name in preset_names():
        mapping = load_preset(name)
        assert mapping.name == name and mapping.records
    assert load_preset("transactions").parameters[0].default == "ETH"
    with pytest.raises(ValidationError, match="no import preset 'nope'"):
        load_preset("nope")
    with pytest.raises(ValidationError):
        load_preset("../vocab/chains")


def test_columns_match_ignoring_case_spaces_underscores_and_dashes():
    cols = ("Owner Country", "START-DATE", "Value_IN(ETH)", "headquarters country")
    assert find_column("owner_country", cols) == 0 and find_column("start_date", cols) == 1
    assert find_column("Value_IN(*)", cols) == 2 and find_column("Headquarters-Country", cols) == 3
    assert find_column("missing", cols) is None


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_saved_mapping_round_trips_and_imports(sqlite_ws, tmp_path, suffix):
    # A registry extract with Chinese headers, mapped to a party owning another party.
    path = tmp_path / "registry.csv"
    with path.open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["股东", "公司", "持股比例", "国家"])
        w.writerow(["浪潮集团有限公司", "浪潮电子信息产业股份有限公司", "36.4%", "中国"])
    mapping = mapping_from_data(
        {
            "name": "registry_cn",
            "label": "PRC registry shareholders",
            "records": [
                {
                    "key": "holder",
                    "kind": "party",
                    "fields": {"label": "股东", "country": {"constant": "CN"}},
                },
                {
                    "key": "company",
                    "kind": "party",
                    "fields": {"label": "公司", "party_kind": {"constant": "company"}},
                },
            ],
            "links": [
                {
                    "key": "stake",
                    "type": "owns",
                    "source": "holder",
                    "target": "company",
                    "fields": {"share_pct": "持股比例"},
                }
            ],
            "notes_on": "company",
        }
    )
    saved = save_mapping_file(mapping, tmp_path / f"registry{suffix}")
    loaded = load_mapping_file(saved)
    assert loaded == mapping
    with sqlite_ws.write() as s:
        case_id = create_case(s, "registry").id
    result = run_to_end(run_import(sqlite_ws, case_id, path, loaded))
    assert result.created == 2 and result.links == 1
    with sqlite_ws.read() as s:
        records = {r["label"]: r for r in list_records(s, case_id)}
        link = list_links(s, case_id)[0]
    assert records["浪潮集团有限公司"]["fields"]["country"] == "CN"
    assert (
        records["浪潮电子信息产业股份有限公司"]["fields"]["notes"] == "国家: 中国"
    )  # unmapped: kept
    assert link["fields"]["share_pct"] == 36.4


@pytest.mark.parametrize(
    "data, message",
    [
        ({"records": []}, "at least one record"),
        (
            {"records": [{"key": "a", "kind": "ship", "fields": {"label": "n"}}]},
            "unknown kind 'ship'",
        ),
        (
            {"records": [{"key": "a", "kind": "party", "fields": {"label": "n", "tonnage": "t"}}]},
            "no field 'tonnage'",
        ),
        (
            {"records": [{"key": "a", "kind": "party", "fields": {"country": "c"}}]},
            "needs a source for its label",
        ),
        (
            {
                "records": [{"key": "a", "kind": "party", "fields": {"label": "n"}}],
                "links": [{"type": "owns", "source": "a", "target": "b"}],
            },
            "refers to no record 'b'",
        ),
        (
            {
                "records": [
                    {"key": "a", "kind": "party", "fields": {"label": "n"}},
                    {"key": "w", "kind": "wallet", "fields": {"label": "x", "address": "x"}},
                ],
                "links": [{"type": "hosted_at", "source": "a", "target": "w"}],
            },
            "cannot be linked",
        ),
        (
            {
                "records": [
                    {
                        "key": "a",
                        "kind": "party",
                        "fields": {"label": {"constant": "x", "column": "y"}},
                    }
                ]
            },
            "exactly one of",
        ),
        (
            {
                "records": [
                    {
                        "key": "a",
                        "kind": "party",
                        "fields": {"label": {"column": "x", "transform": "rot13"}},
                    }
                ]
            },
            "unknown transform",
        ),
        (
            {"records": [{"key": "a", "kind": "party", "fields": {"label": "n"}}], "colour": 1},
            "unknown key 'colour'",
        ),
    ],
)
def test_bad_mappings_are_refused_with_the_reason(data, message):
    with pytest.raises(ValidationError, match=message):
        mapping_from_data(data)


def test_unreadable_mapping_files(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("records: [unclosed", encoding="utf-8")
    with pytest.raises(ValidationError, match="not valid YAML"):
        load_mapping_file(bad)
    js = tmp_path / "m.json"
    js.write_text("{", encoding="utf-8")
    with pytest.raises(ValidationError, match="not valid JSON"):
        load_mapping_file(js)
    with pytest.raises(ValidationError, match="cannot read"):
        load_mapping_file(tmp_path / "missing.yaml")
    dumped = yaml.safe_dump({"records": "party"})
    (tmp_path / "s.yaml").write_text(dumped, encoding="utf-8")
    with pytest.raises(ValidationError):
        load_mapping_file(tmp_path / "s.yaml")


def test_auto_mapping_by_header_similarity():
    cols = [
        "Company Name",
        "Jurisdiction",
        "HQ",
        "Registration numbers",
        "Web site",
        "Remarks",
        "Other",
    ]
    mapping = auto_map(cols, "party")
    fields = {k: v[0].columns[0] for k, v in mapping.records[0].fields.items()}
    assert fields == {
        "label": "Company Name",
        "country": "Jurisdiction",
        "hq_country": "HQ",
        "identifiers": "Registration numbers",
        "website": "Web site",
        "notes": "Remarks",
    }
    wallet = auto_map(["Wallet address", "Exchange"], "wallet")
    wf = wallet.records[0].fields
    assert wf["address"][0].columns == ("Wallet address",) and wf["custodian"][0].columns == (
        "Exchange",
    )
    assert wf["chain"][0].parameter == "chain"


def test_the_best_preset_is_ranked_first():
    etherscan = [
        "Txhash",
        "Blockno",
        "UnixTimestamp",
        "DateTime (UTC)",
        "From",
        "To",
        "ContractAddress",
        "Value_IN(ETH)",
        "Value_OUT(ETH)",
        "Status",
    ]
    assert rank_presets(etherscan)[0].name == "transactions"
    assert rank_presets(["Owner", "Owned", "Share"])[0].name == "ownership"
    assert rank_presets(["Name", "Country", "Aliases"])[0].name == "parties"
    assert (
        rank_presets(["Label", "Accelerator", "Server count", "Data center"])[0].name == "servers"
    )


def test_constants_templates_and_parameters(sqlite_ws, tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(
        "Address,Owner\n0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107,Aurora\n", encoding="utf-8"
    )
    mapping = mapping_from_data(
        {
            "parameters": {"chain": {"default": "ETH"}},
            "records": [
                {
                    "key": "w",
                    "kind": "wallet",
                    "fields": {
                        "label": {"template": "Wallet of {Owner}"},
                        "address": "Address",
                        "chain": {"parameter": "chain"},
                        "illustrative": {"constant": "no"},
                    },
                },
                {"key": "o", "kind": "party", "fields": {"label": "Owner"}},
            ],
            "links": [{"type": "controls_wallet", "source": "o", "target": "w"}],
        }
    )
    with sqlite_ws.write() as s:
        case_id = create_case(s, "w").id
    result = run_to_end(
        run_import(
            sqlite_ws, case_id, path, mapping, options=ImportOptions(params={"chain": "polygon"})
        )
    )
    assert result.created == 2 and result.links == 1
    with sqlite_ws.read() as s:
        wallet = list_records(s, case_id, kind="wallet")[0]
    assert wallet["label"] == "Wallet of Aurora" and wallet["fields"]["chain"] == "POLYGON"
    assert wallet["fields"]["illustrative"] is False


def test_mapping_files_in_the_saved_folder_are_listed(tmp_path):
    from casedesk.services.importing.mapping_files import list_saved_mappings

    save_mapping_file(load_preset("parties"), tmp_path / "b.yaml")
    save_mapping_file(load_preset("servers"), tmp_path / "A.json")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in list_saved_mappings(tmp_path)] == ["A.json", "b.yaml"]
    assert list_saved_mappings(tmp_path / "none") == []
    assert isinstance(Path(tmp_path), Path)
