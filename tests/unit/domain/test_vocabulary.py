"""The shipped vocabularies load and keep their invariants; malformed copies are refused."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pycountry
import pytest
import yaml

from casedesk.domain.errors import VocabularyError
from casedesk.domain.vocabulary import Endpoint, Vocabulary, default_vocabulary, load_vocabulary
from casedesk.paths import resources_dir

VOCAB_DIR = resources_dir() / "vocab"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(VOCAB_DIR)


def test_default_vocabulary_is_loaded_once_from_resources():
    assert default_vocabulary() is default_vocabulary()
    assert set(default_vocabulary().link_types) == set(load_vocabulary(VOCAB_DIR).link_types)


def test_record_and_party_kinds_are_exactly_the_case_model(vocab):
    assert list(vocab.record_kinds) == ["party", "wallet", "datacenter", "server", "contract"]
    assert list(vocab.party_kinds) == [
        "company",
        "person",
        "organization",
        "platform",
        "investor_group",
        "public_body",
    ]
    for kind in vocab.record_kinds.values():
        assert kind.label and kind.plural and kind.icon.endswith(".svg") and kind.caption


def test_link_types_cover_the_brief_and_name_known_endpoints(vocab):
    required = {
        "owns",
        "subsidiary_of",
        "affiliate_of",
        "officer_of",
        "employed_by",
        "controls_wallet",
        "funds",
        "operates",
        "hosted_at",
        "owns_asset",
        "uses_compute_of",
        "party_to",
        "paid",
        "transferred_to",
        "intermediary_for",
        "customer_of",
        "same_as",
    }
    assert required <= set(vocab.link_types)
    for link in vocab.link_types.values():
        assert link.inverse_label and link.label and link.description
        for end in (*link.sources, *link.targets):
            assert end.kind in vocab.record_kinds
            assert end.subkind is None or (end.kind == "party" and end.subkind in vocab.party_kinds)
    assert [code for code, link in vocab.link_types.items() if link.has_share] == ["owns"]


def test_same_as_is_symmetric_and_joins_records_of_one_kind(vocab):
    same_as = vocab.link_types["same_as"]
    assert same_as.symmetric and same_as.inverse_label == same_as.label
    assert same_as.allows("wallet", None, "wallet", None)
    assert not same_as.allows("party", "company", "wallet", None)
    for link in vocab.link_types.values():
        if link.symmetric:
            assert set(link.sources) == set(link.targets)


@pytest.mark.parametrize(
    ("code", "source", "target", "allowed"),
    [
        ("officer_of", ("party", "person"), ("party", "company"), True),
        ("officer_of", ("party", "company"), ("party", "company"), False),
        ("officer_of", ("party", "person"), ("party", "person"), False),
        ("controls_wallet", ("party", "company"), ("wallet", None), True),
        ("controls_wallet", ("wallet", None), ("party", "company"), False),
        ("hosted_at", ("server", None), ("datacenter", None), True),
        ("hosted_at", ("datacenter", None), ("server", None), False),
        ("uses_compute_of", ("party", "company"), ("server", None), True),
        ("party_to", ("wallet", None), ("contract", None), True),
        ("paid", ("contract", None), ("wallet", None), True),
        ("transferred_to", ("wallet", None), ("wallet", None), True),
        ("transferred_to", ("party", "company"), ("wallet", None), False),
        ("owns", ("party", "person"), ("party", "company"), True),
        ("owns", ("party", "company"), ("party", "person"), False),
    ],
)
def test_link_type_allows_expected_endpoints(vocab, code, source, target, allowed):
    assert vocab.link_types[code].allows(*source, *target) is allowed


def test_contract_types_name_existing_roles(vocab):
    assert {
        "lease",
        "compute_rental",
        "smart_contract",
        "purchase",
        "financing",
        "service",
        "other",
    } <= set(vocab.contract_types)
    assert {
        "lessor",
        "lessee",
        "payer",
        "payee",
        "investor",
        "guarantor",
        "broker",
        "provider",
        "customer",
    } <= set(vocab.contract_roles)
    for contract in vocab.contract_types.values():
        assert contract.roles and set(contract.roles) <= set(vocab.contract_roles)
    assert set(vocab.contract_types["other"].roles) == set(vocab.contract_roles)


def test_identifier_schemes_are_found_by_alias(vocab):
    assert vocab.find_scheme("Unified Social Credit Code").code == "CN_USCC"
    assert vocab.find_scheme("unified social credit code (USCC)").code == "CN_USCC"
    assert vocab.find_scheme("统一社会信用代码").code == "CN_USCC"
    assert vocab.find_scheme("Legal Entity Number").code == "LEI"
    assert vocab.find_scheme("Registration ID").code == "COMPANY_NUMBER"
    assert vocab.find_scheme("sg_uen").code == "SG_UEN"
    assert vocab.find_scheme("Library card") is None
    expected = {
        "CN_USCC",
        "SG_UEN",
        "LEI",
        "CN_RIC",
        "CN_CCC",
        "PASSPORT",
        "NATIONAL_ID",
        "COMPANY_NUMBER",
        "TAX_NUMBER",
        "DUNS",
        "ISIN",
        "BIC",
        "IBAN",
        "RU_INN",
        "RU_OGRN",
        "US_EIN",
        "EU_VAT",
        "AU_ABN",
        "AU_ACN",
        "IMO",
        "OTHER",
    }
    assert expected <= set(vocab.identifier_schemes)
    assert vocab.identifier_schemes["CN_USCC"].validator == "stdnum:cn.uscc"
    assert vocab.identifier_schemes["PASSPORT"].validator is None
    assert vocab.identifier_schemes["PASSPORT"].applies("party", "person")
    assert not vocab.identifier_schemes["PASSPORT"].applies("party", "company")


def test_chains_are_found_by_ticker_and_evm_means_ethereum_addresses(vocab):
    assert vocab.find_chain("XBT").code == "BTC"
    assert vocab.find_chain("trx").code == "TRON"
    assert vocab.find_chain("Binance Smart Chain").code == "BSC"
    assert vocab.find_chain("USDT") is None  # a token, not a chain
    for chain in vocab.chains.values():
        assert chain.evm == (chain.address_format == "ethereum")


def test_d5_and_country_of_concern(vocab):
    on = date(2024, 1, 1)
    assert "D:5" in vocab.groups_of("CN", on)
    assert "D:5" not in vocab.groups_of("SG", on)
    assert vocab.is_country_of_concern("CN", on)
    assert vocab.is_country_of_concern("MO", on)
    assert not vocab.is_country_of_concern("SG", on)
    assert not vocab.is_country_of_concern("MO", date(2023, 1, 17))  # before the Macau rule
    assert vocab.is_country_of_concern("KH", date(2025, 6, 1))
    assert not vocab.is_country_of_concern("KH", date(2026, 6, 1))
    assert not vocab.is_country_of_concern("KH", date(2026, 2, 3))  # "to" is the first day out
    assert {code for code, g in vocab.country_groups.items() if g.of_concern} == {"D:5", "MACAU"}
    assert vocab.groups_of("no", on) == frozenset({"A:5"})  # Norway, not YAML's false


def test_country_groups_use_known_codes(vocab):
    assert {"D:1", "D:4", "D:5", "A:5", "A:6", "MACAU"} <= set(vocab.country_groups)
    for group in vocab.country_groups.values():
        assert group.source and group.meaning
        for member in group.members:
            assert member.country == "XK" or pycountry.countries.get(alpha_2=member.country)


def test_small_lists(vocab):
    assert list(vocab.source_reliability) == list("ABCDEF")
    assert list(vocab.information_credibility) == list("123456")
    assert vocab.source_reliability["F"].label == "Reliability cannot be judged"
    assert set(vocab.evidence_kinds) == {
        "file",
        "csv_import",
        "web_capture",
        "note",
        "report",
        "other",
    }
    assert set(vocab.alias_kinds) == {
        "legal",
        "trade",
        "transliteration",
        "former",
        "aka",
        "translation",
        "other",
    }
    assert set(vocab.scripts) == {"Latn", "Hans", "Hant", "Cyrl", "Arab", "Jpan", "Kore", "other"}
    assert list(vocab.fleet_statuses) == [
        "planned",
        "ordered",
        "delivered",
        "installed",
        "in_service",
        "decommissioned",
    ]
    assert {q.code: q.word for q in vocab.count_qualifiers.values()} == {
        "exact": "exactly",
        "at_least": "at least",
        "about": "about",
        "at_most": "at most",
    }


def test_vocabulary_is_immutable(vocab):
    with pytest.raises(TypeError):
        vocab.link_types["x"] = vocab.link_types["owns"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        vocab.link_types["owns"].label = "x"  # type: ignore[misc]
    assert isinstance(vocab.link_types["owns"].sources, tuple)
    assert vocab.link_types["officer_of"].sources == (Endpoint("party", "person"),)


# --- malformed files ------------------------------------------------------------------------


def _edit(tmp_path: Path, file: str, change) -> Path:
    """Copy the shipped vocabulary to tmp_path and apply `change` to one file's parsed content."""
    target = tmp_path / "vocab"
    shutil.copytree(VOCAB_DIR, target)
    doc = yaml.safe_load((target / file).read_text(encoding="utf-8"))
    change(doc)
    (target / file).write_text(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return target


def _entry(doc, section, code):
    return next(e for e in doc[section] if e["code"] == code)


def _set(section, code, field, value):
    return lambda doc: _entry(doc, section, code).__setitem__(field, value)


def _member(code, country, field, value):
    def change(doc):
        group = _entry(doc, "country_groups", code)
        next(m for m in group["members"] if m["country"] == country)[field] = value

    return change


CASES = [
    # (file, change, entry, field, reason fragment)
    (
        "link_types.yaml",
        lambda d: _entry(d, "link_types", "owns").pop("inverse_label"),
        "owns",
        "inverse_label",
        "required",
    ),
    (
        "link_types.yaml",
        _set("link_types", "owns", "has_share", "yes"),
        "owns",
        "has_share",
        "true or false",
    ),
    (
        "link_types.yaml",
        _set("link_types", "hosted_at", "targets", ["datacenter", "vessel"]),
        "hosted_at",
        "targets",
        "unknown record kind 'vessel'",
    ),
    (
        "link_types.yaml",
        _set("link_types", "officer_of", "sources", ["party/robot"]),
        "officer_of",
        "sources",
        "unknown party kind 'robot'",
    ),
    (
        "link_types.yaml",
        _set("link_types", "hosted_at", "sources", ["server/gpu"]),
        "hosted_at",
        "sources",
        "has no sub-kinds",
    ),
    (
        "link_types.yaml",
        _set("link_types", "same_as", "targets", ["party"]),
        "same_as",
        "targets",
        "symmetric",
    ),
    (
        "link_types.yaml",
        _set("link_types", "paid", "has_shares", True),
        "paid",
        "has_shares",
        "unknown field",
    ),
    (
        "link_types.yaml",
        lambda d: d["link_types"].append(dict(_entry(d, "link_types", "funds"))),
        "funds",
        "code",
        "duplicate code",
    ),
    (
        "contracts.yaml",
        _set("contract_types", "lease", "roles", ["lessor", "landlord"]),
        "lease",
        "roles",
        "unknown contract role 'landlord'",
    ),
    (
        "record_kinds.yaml",
        _set("record_kinds", "wallet", "label", 7),
        "wallet",
        "label",
        "expected text",
    ),
    (
        "identifier_schemes.yaml",
        _set("identifier_schemes", "SG_UEN", "country", "ZZ"),
        "SG_UEN",
        "country",
        "unknown country code 'ZZ'",
    ),
    (
        "identifier_schemes.yaml",
        _set("identifier_schemes", "LEI", "aliases", ["USCC"]),
        "LEI",
        "aliases",
        "already names 'CN_USCC'",
    ),
    (
        "identifier_schemes.yaml",
        _set("identifier_schemes", "LEI", "validator", "stdnum:../os"),
        "LEI",
        "validator",
        "must match",
    ),
    (
        "chains.yaml",
        _set("chains", "SOL", "address_format", "base58"),
        "SOL",
        "address_format",
        "not one of",
    ),
    (
        "countries.yaml",
        _member("D:5", "KH", "to", "2026-02-30"),
        "D:5",
        "members[KH].to",
        "bad date",
    ),
    (
        "countries.yaml",
        _member("D:5", "KH", "to", "3 Feb 2026"),
        "D:5",
        "members[KH].to",
        "YYYY-MM-DD",
    ),
    (
        "countries.yaml",
        _member("D:5", "KH", "to", "2020-01-01"),
        "D:5",
        "members[KH].to",
        "not after",
    ),
    (
        "countries.yaml",
        _member("D:5", "CN", "country", "XX"),
        "D:5",
        "members[#6].country",
        "unknown country",
    ),
    (
        "countries.yaml",
        lambda d: _entry(d, "country_groups", "D:5")["members"].append({"country": "CN"}),
        "D:5",
        "members[CN]",
        "overlapping",
    ),
    (
        "accelerators.yaml",
        _set("accelerators", "h20", "dense_tops", {16: "fast"}),
        "h20",
        "dense_tops[16]",
        "expected a number",
    ),
    ("accelerators.yaml", _set("accelerators", "h20", "tpp", -1), "h20", "tpp", "positive"),
    (
        "accelerators.yaml",
        lambda d: _entry(d, "accelerators", "b200").pop("datacenter"),
        "b200",
        "datacenter",
        "required",
    ),
    (
        "accelerators.yaml",
        _set("accelerators", "h800_sxm", "aliases", ["H100"]),
        "h800_sxm",
        "aliases",
        "already names 'h100_sxm'",
    ),
    ("lists.yaml", _set("source_reliability", "A", "code", "G"), "G", "code", "must match"),
]


@pytest.mark.parametrize(
    ("file", "change", "entry", "field", "reason"),
    CASES,
    ids=[f"{c[0]}:{c[2]}.{c[3]}" for c in CASES],
)
def test_malformed_file_names_file_entry_and_field(tmp_path, file, change, entry, field, reason):
    directory = _edit(tmp_path, file, change)
    with pytest.raises(VocabularyError) as info:
        load_vocabulary(directory)
    err = info.value
    assert (err.file, err.entry, err.field) == (file, entry, field), str(err)
    assert reason in err.reason
    assert str(err).startswith(f"{file}: entry {entry!r}, field {field!r}: ")


def test_yaml_level_problems_are_vocabulary_errors(tmp_path):
    directory = tmp_path / "vocab"
    shutil.copytree(VOCAB_DIR, directory)
    (directory / "party_kinds.yaml").write_text(
        "party_kinds:\n  - code: company\n    label: Company\n    label: Firm\n"
        "    icon: company.svg\n"
    )
    with pytest.raises(
        VocabularyError, match=r"party_kinds.yaml: entry 'line 4', field '\(yaml\)'.*duplicate"
    ):
        load_vocabulary(directory)
    (directory / "party_kinds.yaml").unlink()
    with pytest.raises(VocabularyError, match=r"party_kinds\.yaml.*cannot be read"):
        load_vocabulary(directory)


def test_resources_dir_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEDESK_RESOURCES", str(tmp_path))
    assert resources_dir() == tmp_path
    monkeypatch.delenv("CASEDESK_RESOURCES")
    assert (resources_dir() / "vocab" / "link_types.yaml").is_file()
