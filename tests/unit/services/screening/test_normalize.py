"""The name normaliser: scripts, legal forms, glossary, romanisations, and hostile input."""

from __future__ import annotations

import pytest

from casedesk.services.screening.normalize import (
    identifier_key,
    is_fuzzy_eligible,
    name_key,
    normalize_name,
    parse_han,
    parse_variants,
    pinyin_syllables,
    serialize_variants,
    variant_keys,
)


def forms(name: str) -> set[str]:
    return {v.text for v in normalize_name(name).variants}


@pytest.mark.parametrize("name", [
    "华为投资控股有限公司", "華為投資控股有限公司", "Huawei Investment & Holding Co., Ltd.",
    "Hua Wei Tou Zi Kong Gu", "HUAWEI INVESTMENT AND HOLDING COMPANY LIMITED",
    "Ｈｕａｗｅｉ Ｉｎｖｅｓｔｍｅｎｔ ＆ Ｈｏｌｄｉｎｇ", "Hua Wei Tou Zi Kong Gu You Xian Gong Si",
])
def test_one_company_in_four_spellings_meets_in_one_form(name):
    assert "hua wei investment holding" in forms(name)


def test_traditional_folds_to_simplified_and_says_so():
    n = normalize_name("華為技術有限公司")
    assert n.han == "华为技术"
    assert "traditional→simplified" in n.variants[0].steps
    assert any(s.startswith("legal form removed: 有限公司") for s in n.variants[0].steps)


@pytest.mark.parametrize("a,b", [
    ("Acme Trading Co., Ltd.", "ACME TRADING LIMITED"),
    ("OOO Zala Aero", "Zala Aero LLC"),
    ("Singapore Compute Pte. Ltd.", "Singapore Compute Private Limited"),
    ("华为技术有限公司", "华为技术股份有限公司"),
    ("Акционерное общество Концерн Калашников", "Kalashnikov Concern"),
    ("Public Joint Stock Company Sberbank of Russia", "Sberbank of Russia PJSC"),
])
def test_legal_forms_in_both_scripts_are_removed(a, b):
    assert name_key(a) == name_key(b)


def test_glossary_and_abbreviations_meet():
    assert name_key("Huawei Tech Co Ltd") == name_key("Huawei Technologies Co., Ltd.")
    assert name_key("Rosneft Intl Trading") == name_key("Rosneft International Trading")
    assert name_key("中国移动通信集团有限公司") == name_key("China Mobile Communications Group Co., Ltd.")


def test_cantonese_and_wade_giles_spellings_are_read_as_pinyin():
    assert "wang jia wei" in forms("Wong Kar Wai")
    assert "chen da wen" in forms("Chan Tai Man")
    assert "cai ying wen" in forms("Tsai Ing-wen")
    assert "xu zhi an" in forms("Hui Chi On")  # "on" must not become YAML's boolean True
    assert forms("王家衛") == {"wang jia wei"}


def test_surnames_are_read_as_surnames():
    assert "zeng yin quan" in forms("曾蔭權")


def test_transliteration_spellings_fold_to_one():
    assert name_key("Mohammed bin Salman") == name_key("Muhammad bin Salman")
    assert name_key("Александр Иванов") == name_key("Alexander Ivanov")
    assert name_key("Abd al-Rahman") == name_key("Abdul Rahman")


def test_pinyin_written_together_is_split_only_when_it_is_pinyin():
    assert "xi jin ping" in forms("Xi Jinping")
    assert forms("OOO ZALA AERO") == {"zala aero"}
    assert forms("Gazprombank") == {"gazprombank"}


def test_ordinals_and_bracketed_acronyms():
    assert name_key("中国电子科技集团公司第十三研究所") == name_key(
        "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)")


@pytest.mark.parametrize("name", ["", "   ", "...", "Co., Ltd.", "有限公司", "LLC", "-- & --", None,
                                  "\x00\x01", "\u202e\u202d"])
def test_names_with_nothing_identifying_are_empty(name):
    n = normalize_name(name)
    assert n.empty and n.key == "" and not is_fuzzy_eligible(name or "")


def test_a_megabyte_name_is_cut_not_crashed():
    n = normalize_name("A" * 1_000_000 + " Holdings")
    assert n.notes and "cut" in n.notes[0]
    assert len(n.variants[0].text) <= 400


def test_short_names_and_initials_are_exact_only():
    assert not is_fuzzy_eligible("ZTE")
    assert not is_fuzzy_eligible("王伟")
    assert not is_fuzzy_eligible("J. P. M.")
    assert is_fuzzy_eligible("Wang Wei")


def test_markup_and_rtl_overrides_are_ordinary_characters():
    assert name_key("<b>Acme</b> Trading") == name_key("b Acme b Trading")
    assert name_key("Acme\u202e Trading") == name_key("Acme Trading")


def test_stored_form_round_trips():
    n = normalize_name("華為技術有限公司")
    stored = serialize_variants(n)
    assert parse_variants(stored) == [(v.text, v.syllabic) for v in n.variants]
    assert parse_han(stored) == "华为技术"
    assert "=huaweitechnology" in variant_keys("hua wei technology")
    assert "hua|wei" in variant_keys("wei hua")


def test_identifier_keys():
    assert identifier_key("CN_USCC", " 9144-0300 1922 038216 ") == "914403001922038216"
    assert identifier_key("WALLET_ETH", "0x7F367cC41522cE07553e823bf3be79A889DEbe1B") == \
        "0x7f367cc41522ce07553e823bf3be79a889debe1b"


def test_pinyin_syllable_list_matches_pypinyin():
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    expected = set()
    for value in pinyin_dict.values():
        for p in value.split(","):
            s = to_normal(p).replace("ü", "v")
            if s.isascii() and s.isalpha() and any(c in "aeiouv" for c in s):
                expected.add(s)
    expected -= {"hm", "hng", "ng", "m", "n"}
    assert pinyin_syllables() == expected


def test_pinyin_written_together_is_never_read_as_a_typo_of_a_glossary_word():
    # 正华 "zhenghua" is one edit from 中华 "zhonghua" (→ china): reading it so made the OFAC
    # entry DALIAN ZHENGHUA MAOYI YOUXIAN GONGSI "dalian china trading" and lost every match.
    n = normalize_name("DALIAN ZHENGHUA MAOYI YOUXIAN GONGSI")
    assert [v.text for v in n.variants] == ["dalian zhenghua trading", "dalian zheng hua trading"]
    assert not any("typo" in s for v in n.variants for s in v.steps)
    assert normalize_name("Zhonghua Trading").variants[0].text == "china trading"


def test_typos_in_generic_words_are_read_as_the_word():
    assert name_key("Zhilianlong Electroniics Co., Llimited") == name_key("Zhilianlong Electronics Co., Ltd.")
    n = normalize_name("Acme Communiccations")
    assert any("typo" in s for s in n.variants[0].steps)
    # short or distinctive words are left alone
    assert name_key("Acme Dataa") != name_key("Acme Data")


@pytest.mark.parametrize("variant, simplified", [
    ("覈", "核"), ("核", "核"), ("臺", "台"), ("檯", "台"), ("颱", "台"), ("溫", "温"), ("纔", "才"),
    ("戶", "户"), ("喫", "吃"), ("牀", "床"), ("稅", "税"), ("為", "为"), ("爲", "为"), ("裏", "里"),
])
def test_traditional_and_variant_forms_fold_to_the_simplified_character(variant, simplified):
    from casedesk.services.screening.normalize import fold_text

    assert fold_text(variant) == simplified


def test_folding_is_idempotent_and_never_turns_simplified_into_traditional():
    from casedesk.services.screening.normalize.folding import simplified_table

    table = simplified_table()
    assert not [chr(k) for k, v in table.items() if ord(v) in table]  # no target folds further
    assert name_key("中國核工業集團有限公司") == name_key("中国覈工业集团有限公司") \
        == name_key("中国核工业集团有限公司")
    assert normalize_name("中國核工業集團有限公司").han == "中国核工业"
