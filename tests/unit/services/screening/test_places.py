"""Bracketed places ("(Shenzhen)", "（北京）") are where a party is, not part of its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.services.progress import run_to_end
from casedesk.services.screening.normalize import name_key, normalize_name
from casedesk.services.screening.screen import screen_name
from casedesk.services.screening.watchlist_import import import_watchlist


@pytest.mark.parametrize("name, bare, place, country", [
    ("Huawei Technologies Co., Ltd. (Shenzhen)", "Huawei Technologies Co., Ltd.", "Shenzhen", "CN"),
    ("北京智谱华章科技有限公司（北京）", "北京智谱华章科技有限公司", "北京", "CN"),
    ("Jade Systems (Hong Kong) Limited", "Jade Systems Limited", "Hong Kong", "HK"),
    ("Acme Trading (Singapore) Pte. Ltd.", "Acme Trading Pte. Ltd.", "Singapore", "SG"),
    ("深圳市大疆创新科技有限公司（深圳市）", "深圳市大疆创新科技有限公司", "深圳市", "CN"),
    # Transshipment hubs are places too (glossary.yaml), in English and Chinese.
    ("Jade Systems International (Dubai) LLC", "Jade Systems International LLC", "Dubai", "AE"),
    ("Nimbus Trading (Istanbul) Ltd", "Nimbus Trading Ltd", "Istanbul", "TR"),
    ("华芯科技有限公司（迪拜）", "华芯科技有限公司", "迪拜", "AE"),
    ("Orion Systems (Almaty) LLP", "Orion Systems LLP", "Almaty", "KZ"),
])
def test_a_bracketed_place_is_set_aside_from_the_name(name, bare, place, country):
    n = normalize_name(name)
    assert [v.text for v in n.variants] == [v.text for v in normalize_name(bare).variants]
    assert n.han == normalize_name(bare).han
    assert [(p.text, p.country) for p in n.places] == [(place, country)]
    assert any("place in brackets set aside" in s for s in n.variants[0].steps)


@pytest.mark.parametrize("name", ["China Electronics (CETC 13)", "Foo (Bar) Ltd", "(Shenzhen)",
                                  "Acme (Shenzhen Branch) Ltd"])
def test_brackets_that_are_not_only_a_place_stay_as_they_were(name):
    assert normalize_name(name).places == ()


def test_dedupe_keys_keep_the_place_so_a_branch_is_not_merged_into_its_parent():
    assert name_key("Acme Ltd (Shenzhen)") != name_key("Acme Ltd")
    assert name_key("Acme Ltd (Shenzhen)") == name_key("ACME LIMITED（深圳）")


CSL_HEADER = "_id,source,entity_number,type,programs,name,title,addresses,alt_names\n"


def _load(ws, path: Path) -> None:
    with ws.write() as s:
        run_to_end(import_watchlist(s, path))


def test_screening_meets_the_entry_and_shows_the_place_as_evidence(workspace, tmp_path):
    path = tmp_path / "csl.csv"
    path.write_text(CSL_HEADER + "".join([
        'a1,Entity List (EL) - Bureau of Industry and Security,,Entity,,Huawei Technologies Co.,,'
        '"Bantian, Longgang District, Shenzhen, CN",\n',
        'a2,Entity List (EL) - Bureau of Industry and Security,,Entity,,北京智谱华章科技有限公司,,'
        '"Haidian District, Beijing, CN",Zhipu AI\n',
        'a3,Entity List (EL) - Bureau of Industry and Security,,Entity,,Jade Systems Limited,,'
        '"1 Main Street, Lagos, NG",\n']), encoding="utf-8")
    _load(workspace, path)
    with workspace.read() as s:
        huawei = screen_name(s, "Huawei Technologies Co., Ltd. (Shenzhen)")
        zhipu = screen_name(s, "北京智谱华章科技有限公司（北京）")
        jade = screen_name(s, "Jade Systems (Hong Kong) Limited", threshold=0)
    assert huawei[0]["entry_name"] == "Huawei Technologies Co."
    place = [f for f in huawei[0]["features"] if f["feature"] == "place"]
    assert place and place[0]["adjust"] > 0 and "Shenzhen" in place[0]["detail"]
    assert "Shenzhen" in huawei[0]["explanation"]
    assert zhipu[0]["entry_name"] == "北京智谱华章科技有限公司"
    assert [f for f in zhipu[0]["features"] if f["feature"] == "place"][0]["adjust"] > 0
    # The case names no country, but its bracket says Hong Kong: the Nigerian entry loses points.
    top = jade[0]
    assert top["entry_name"] == "Jade Systems Limited"
    country = [f for f in top["features"] if f["feature"] == "country"]
    assert country and country[0]["adjust"] < 0 and "HK" in country[0]["detail"]
    assert top["score"] < 100


@pytest.mark.parametrize("name, country", [
    ("Agricultural Bank of China Limited", "CN"), ("COMMERCIAL BANK OF SYRIA", "SY"),
    ("China Construction Bank Corporation", "CN"), ("中国建设银行", "CN"), ("Hong Kong Telecom", "HK"),
    ("Georgia Pacific", None), ("Turkey Hill Dairy", None), ("Industrial Bank Co., Ltd.", None),
    ("University of Bristol", None),
])
def test_a_company_name_can_say_its_country(name, country):
    from casedesk.services.screening.normalize.places import named_country

    assert named_country(name) == country
