"""Token-aware name scoring: a distinctive word on one side only costs, and the reason says so."""

from __future__ import annotations

import pytest

from casedesk.services.screening.name_scoring import best_name_match, default_weights, token_weight
from casedesk.services.screening.normalize import concept_tokens
from casedesk.services.screening.normalize.pipeline import normalize_name


def score(a: str, b: str, idf=None):
    c = normalize_name(b)
    return best_name_match(normalize_name(a), [(v.text, v.syllabic) for v in c.variants], False,
                           default_weights(), c.han, idf)


def test_a_clean_bank_is_not_the_construction_company():
    m = score("China Construction Bank Corporation", "CHINA COMMUNICATIONS CONSTRUCTION COMPANY LIMITED")
    assert m.score < default_weights().threshold
    assert "'bank' only in the case name, weight 0.8" in m.method
    assert "'communications' only in the list name" in m.method


def test_generic_words_and_legal_forms_weigh_little():
    concepts = concept_tokens()
    for word in ("china", "international", "group", "holdings", "technology", "trading", "limited"):
        assert token_weight(word, concepts) <= 0.1
    assert token_weight("huawei", concepts) == 1.0
    # A token common in the loaded lists weighs less than a rare one.
    assert token_weight("zhongxing", concepts, idf=lambda t: 0.3) < token_weight("zhongxing", concepts)


def test_what_matched_before_still_matches():
    w = default_weights()
    assert score("Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES CO LTD").score == 100.0
    assert score("Huawei Technologies Co., Ltd.", "Huawei Technologies International Ltd").score >= w.threshold
    assert score("Aleksandr Zakharov", "Aleksandr Vyacheslavovich Zakharov").score >= w.threshold
    assert score("China Construction Bank Corp (Hong Kong)", "China Construction Bank Corporation").score \
        >= w.threshold


@pytest.mark.parametrize("a, b, by_the_rule", [
    # one-digit numbers weigh little in the token score: only the rule tells these apart
    ("Jade Systems 1 Ltd", "Jade Systems 2 Ltd", True),
    ("Shenyang No. 3 Machine Tool Factory", "Shenyang No. 5 Machine Tool Factory", True),
    ("China Electronics Technology Group Corporation 13th Research Institute",
     "China Electronics Technology Group Corporation 14th Research Institute", False),
    ("中国电子科技集团公司第十三研究所", "中国电子科技集团公司第五十五研究所", False),
])
def test_names_whose_numbers_differ_are_other_bodies(a, b, by_the_rule):
    w = default_weights()
    qa, qb = normalize_name(a), normalize_name(b)
    m = best_name_match(qa, [(v.text, v.syllabic) for v in qb.variants], qb.exact_only, w, qb.han)
    assert m is not None and m.score <= w.number_mismatch_cap < w.threshold
    assert ("numbers differ" in m.method) == by_the_rule


def test_the_same_number_written_otherwise_still_meets():
    w = default_weights()
    for a, b in [("CETC 13th Research Institute", "CETC 13 Research Institute"),
                 ("中国电子科技集团公司第十三研究所", "China Electronics Technology Group Corporation 13th Research Institute")]:
        qa, qb = normalize_name(a), normalize_name(b)
        m = best_name_match(qa, [(v.text, v.syllabic) for v in qb.variants], qb.exact_only, w, qb.han)
        assert m is not None and m.score >= w.threshold, (a, b, m)
