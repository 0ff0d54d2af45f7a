"""Tests of casedesk.domain.identifiers against real OFAC-derived and python-stdnum vectors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from casedesk.domain.errors import ValidationError
from casedesk.domain.identifiers import (
    CHECKSUM_OK_REGION_UNKNOWN,
    DEFAULT_VALIDATORS,
    UNCHECKED,
    VALID,
    CheckedIdentifier,
    validate_identifier,
)
from hypothesis import given, settings
from hypothesis import strategies as st

DATA = Path(__file__).resolve().parents[2] / "data" / "identifier-test-vectors"
ROWS = list(
    csv.DictReader((DATA / "ofac_uscc_lei_identifiers.csv").open(encoding="utf-8", newline=""))
)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def rows(scheme: str) -> list[dict[str, str]]:
    return [r for r in ROWS if r["scheme"] == scheme]


def test_vector_file_has_the_documented_rows():
    # SOURCE.txt: 62 USCC + 16 LEI, then 18 CN_RIC and some CN_CCC rows appended.
    assert (len(rows("USCC")), len(rows("LEI")), len(rows("CN_RIC"))) == (62, 16, 18)
    assert len(rows("CN_CCC")) > 0
    assert {r["scheme"] for r in ROWS} == {"USCC", "LEI", "CN_RIC", "CN_CCC"}


# ---- USCC and LEI: every OFAC row valid, a changed check character refused -------------------


@pytest.mark.parametrize("row", rows("USCC"), ids=lambda r: r["value"])
def test_ofac_uscc_valid(row):
    result = validate_identifier("CN_USCC", row["value"])
    assert result == CheckedIdentifier("CN_USCC", row["value"], VALID)


@pytest.mark.parametrize("row", rows("USCC"), ids=lambda r: r["value"])
def test_ofac_uscc_changed_check_character_refused(row):
    value = row["value"]
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(value[-1]) + 1) % len(USCC_ALPHABET)]
    with pytest.raises(ValidationError) as err:
        validate_identifier("CN_USCC", value[:-1] + wrong)
    assert err.value.reason == f"USCC check character is {wrong!r} but should be {value[-1]!r}"
    assert err.value.field == "identifier"


def test_bare_uscc_code_of_the_vector_file_defaults_to_the_uscc_check():
    assert validate_identifier("uscc", rows("USCC")[0]["value"]).status == VALID
    with pytest.raises(ValidationError):
        validate_identifier("USCC", rows("USCC")[0]["value"][:-1] + "I")  # I is not in the alphabet


@pytest.mark.parametrize("row", rows("LEI"), ids=lambda r: r["value"])
def test_ofac_lei_valid(row):
    assert validate_identifier("LEI", row["value"]) == CheckedIdentifier("LEI", row["value"], VALID)


@pytest.mark.parametrize("row", rows("LEI"), ids=lambda r: r["value"])
def test_ofac_lei_changed_check_digits_refused(row):
    value = row["value"]
    wrong = f"{(int(value[-2:]) + 1) % 100:02d}"
    with pytest.raises(ValidationError, match="LEI check digits are"):
        validate_identifier("LEI", value[:-2] + wrong)


# ---- python-stdnum doctest vectors (listed in SOURCE.txt) -------------------------------------


def test_stdnum_doctest_vectors():
    assert validate_identifier("CN_USCC", "91110000600037341L").status == VALID
    assert validate_identifier("LEI", "213800KUD8LAJWSQ9D15").status == VALID
    with pytest.raises(ValidationError, match="LEI check digits are '15' but should be"):
        validate_identifier("LEI", "213800KUD8LXJWSQ9D15")


@pytest.mark.parametrize("uen", ["00192200M", "197401143C", "S16FC0121D", "T01FC6132D"])
def test_singapore_uen_vectors(uen):
    assert validate_identifier("SG_UEN", uen) == CheckedIdentifier("SG_UEN", uen, VALID)


@pytest.mark.parametrize("uen", ["00192200N", "197401143D", "S16FC0121E", "T01FC6132E"])
def test_singapore_uen_wrong_check_letter(uen):
    with pytest.raises(ValidationError, match="not a valid UEN"):
        validate_identifier("SG_UEN", uen)


def test_lei_check_digits_message_names_the_right_digits():
    # The message's "should be" value must itself validate.
    with pytest.raises(ValidationError) as err:
        validate_identifier("LEI", "213800KUD8LXJWSQ9D15")
    should = err.value.reason.rsplit("'", 2)[-2]
    assert validate_identifier("LEI", "213800KUD8LXJWSQ9D" + should).status == VALID


# ---- normalisation, explicit validators, other stdnum schemes ---------------------------------


def test_compact_and_upper_case():
    result = validate_identifier(" cn_uscc ", " 91110000 6000 37341l ")
    assert (result.scheme, result.value, result.status) == ("CN_USCC", "91110000600037341L", VALID)
    assert (
        validate_identifier("IBAN", "gb82 west 1234 5698 7654 32").value == "GB82WEST12345698765432"
    )


def test_explicit_validator_overrides_default():
    assert (
        validate_identifier(
            "COMPANY_NUMBER", "91110000600037341L", validator="stdnum:cn.uscc"
        ).status
        == VALID
    )
    assert validate_identifier("LEI", "not an lei", validator="none").status == UNCHECKED
    assert validate_identifier("LEI", "not an lei", validator="None").status == UNCHECKED


@pytest.mark.parametrize(
    "scheme,value",
    [
        ("ISIN", "US0378331005"),
        ("BIC", "DEUTDEFF"),
        ("IBAN", "GB82WEST12345698765432"),
        ("RU_INN", "7707083893"),
        ("RU_OGRN", "1027700132195"),
        ("US_EIN", "04-2103594"),
        ("EU_VAT", "DE136695976"),
        ("AU_ABN", "51824753556"),
        ("AU_ACN", "004085616"),
        ("IMO", "IMO 9319466"),
    ],
)
def test_default_stdnum_schemes_accept_known_good_numbers(scheme, value):
    assert validate_identifier(scheme, value).status == VALID


@pytest.mark.parametrize(
    "scheme,value,reason",
    [
        ("ISIN", "US0378331006", "ISIN check character is '6' but should be '5'"),
        ("IMO", "IMO 9319467", "IMO number check character is '7' but should be '6'"),
        (
            "RU_INN",
            "770708389",
            "not a valid INN: wrong length (9 characters after removing separators)",
        ),
        ("IBAN", "GB82WEST12345698765433", "not a valid IBAN: the check digit does not match"),
    ],
)
def test_default_stdnum_schemes_refuse_with_a_sentence(scheme, value, reason):
    with pytest.raises(ValidationError) as err:
        validate_identifier(scheme, value)
    assert err.value.reason == reason


def test_default_validator_table():
    assert DEFAULT_VALIDATORS["CN_USCC"] == "stdnum:cn.uscc"
    assert DEFAULT_VALIDATORS["CN_RIC"] == "cn_ric"
    for code in (
        "PASSPORT",
        "NATIONAL_ID",
        "COMPANY_NUMBER",
        "TAX_NUMBER",
        "DUNS",
        "CN_CCC",
        "OTHER",
    ):
        assert code not in DEFAULT_VALIDATORS
    with pytest.raises(TypeError):
        DEFAULT_VALIDATORS["X"] = "none"  # type: ignore[index]


@pytest.mark.parametrize(
    "validator,fragment",
    [
        ("stdnum:no.such.module", "python-stdnum has no module 'no.such.module'"),
        ("stdnum:util", "not an identifier checker"),
        ("stdnum:../os", "is not a python-stdnum module name"),
        ("stdnum:", "is not a python-stdnum module name"),
        ("regex:[0-9]+", "unknown identifier validator"),
    ],
)
def test_bad_validator_names(validator, fragment):
    with pytest.raises(ValidationError) as err:
        validate_identifier("X", "12345", validator=validator)
    assert err.value.field == "validator"
    assert fragment in err.value.reason


@pytest.mark.parametrize("scheme", ["", "  ", "A B", "x" * 41, "ПАСПОРТ"])
def test_bad_scheme_codes(scheme):
    with pytest.raises(ValidationError) as err:
        validate_identifier(scheme, "123")
    assert err.value.field == "scheme"


# ---- PRC resident ID ------------------------------------------------------------------------


@pytest.mark.parametrize("row", rows("CN_RIC"), ids=lambda r: r["value"])
def test_cn_ric_rows_never_raise_and_status_follows_stdnum(row):
    result = validate_identifier("CN_RIC", row["value"])  # all 18 check digits are right
    assert result.value == row["value"]
    if row["stdnum_valid"] == "True":
        assert (result.status, result.note) == (VALID, "")
    else:  # "False" (region/birth lookup fails) or the KeyError('county') row
        assert result.status == CHECKSUM_OK_REGION_UNKNOWN
        assert result.note.startswith("check digit is right")


def test_cn_ric_keyerror_row_is_region_unknown():
    result = validate_identifier("cn_ric", "320919196808023493")
    assert result == CheckedIdentifier(
        "CN_RIC", "320919196808023493", CHECKSUM_OK_REGION_UNKNOWN, result.note
    )
    assert "320919" in result.note


@pytest.mark.parametrize("row", rows("CN_RIC"), ids=lambda r: r["value"])
def test_cn_ric_wrong_check_digit_refused(row):
    value = row["value"]
    wrong = "0" if value[-1] == "X" else ("X" if value[-1] == "9" else str(int(value[-1]) + 1))
    with pytest.raises(ValidationError) as err:
        validate_identifier("CN_RIC", value[:-1] + wrong)
    assert (
        err.value.reason
        == f"PRC resident ID number check character is {wrong!r} but should be {value[-1]!r}"
    )


def test_cn_ric_lower_case_x_and_bad_shapes():
    assert validate_identifier("CN_RIC", "32030419880214363x").value == "32030419880214363X"
    for bad in (
        "3203041988021436",
        "3203041988021436XX",
        "١٢٠١٠٣١٩٧٣٠٧١٩٦٧٢٧",
        "12010319730719672A",
    ):
        with pytest.raises(ValidationError):
            validate_identifier("CN_RIC", bad)


def test_cn_ric_impossible_birth_date_with_right_check_digit():
    from stdnum.cn import ric

    body = "11010819631340003"  # month 13
    number = body + ric.calc_check_digit(body + "0")
    result = validate_identifier("CN_RIC", number)
    assert result.status == CHECKSUM_OK_REGION_UNKNOWN
    assert "not a real date" in result.note


# ---- unchecked schemes ----------------------------------------------------------------------


@pytest.mark.parametrize("row", rows("CN_CCC"), ids=lambda r: r["value"])
def test_cn_ccc_rows_are_unchecked_and_kept(row):
    result = validate_identifier("CN_CCC", row["value"])
    assert (result.scheme, result.value, result.status) == ("CN_CCC", row["value"], UNCHECKED)


@pytest.mark.parametrize(
    "scheme", ["PASSPORT", "NATIONAL_ID", "COMPANY_NUMBER", "TAX_NUMBER", "DUNS", "OTHER"]
)
def test_unchecked_schemes_trim_and_collapse(scheme):
    result = validate_identifier(scheme.lower(), "  AB\t123 \n 456  ")
    assert (result.scheme, result.value, result.status) == (scheme, "AB 123 456", UNCHECKED)
    assert result.note


@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_empty_refused(value):
    with pytest.raises(ValidationError, match="identifier is empty"):
        validate_identifier("PASSPORT", value)


# ---- hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["AB\x00123", "AB\u202e321", "\u200bAB123", "AB\x1b[31m", "A\ud800B"]
)
@pytest.mark.parametrize("scheme", ["PASSPORT", "CN_USCC", "CN_RIC", "LEI"])
def test_control_and_invisible_characters_refused(scheme, value):
    with pytest.raises(ValidationError) as err:
        validate_identifier(scheme, value)
    assert "U+" in err.value.reason  # named by code point, never echoed raw


@pytest.mark.parametrize("scheme", ["PASSPORT", "CN_USCC", "CN_RIC", "IBAN"])
def test_megabyte_value_refused_quickly(scheme):
    with pytest.raises(ValidationError, match="the limit is 256"):
        validate_identifier(scheme, "9" * 1_000_000)


def test_emoji():
    assert validate_identifier("PASSPORT", "AB🙂12").value == "AB🙂12"
    with pytest.raises(ValidationError):
        validate_identifier("CN_USCC", "9111000060003734🙂L")
    with pytest.raises(ValidationError):
        validate_identifier("CN_RIC", "32091919680802349🙂")


def test_non_text_values_refused():
    with pytest.raises(ValidationError):
        validate_identifier("PASSPORT", None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        validate_identifier(123, "X")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        validate_identifier("X", "Y", validator=5)  # type: ignore[arg-type]


SCHEMES = st.sampled_from(sorted(DEFAULT_VALIDATORS) + ["PASSPORT", "OTHER", "", "a b"])
VALIDATORS = st.sampled_from(
    [
        None,
        "none",
        "cn_ric",
        "stdnum:cn.uscc",
        "stdnum:sg.uen",
        "stdnum:lei",
        "stdnum:iban",
        "stdnum:eu.vat",
        "stdnum:ru.inn",
        "stdnum:nope",
        "bogus",
    ]
)


@settings(max_examples=400, deadline=None)
@given(scheme=SCHEMES, value=st.text(max_size=40), validator=VALIDATORS)
def test_property_only_validation_errors(scheme, value, validator):
    try:
        result = validate_identifier(scheme, value, validator=validator)
    except ValidationError:
        return
    assert result.value and result.value == result.value.strip()
    assert result.status in (VALID, CHECKSUM_OK_REGION_UNKNOWN, UNCHECKED)


@settings(max_examples=300, deadline=None)
@given(value=st.text(alphabet="0123456789X -", min_size=15, max_size=22))
def test_property_cn_ric_digit_strings(value):
    try:
        result = validate_identifier("CN_RIC", value)
    except ValidationError:
        return
    assert len(result.value) == 18


# ---- the LEI shortcut (compact numbers checked without stdnum) gives stdnum's answers -------


def _lei_outcome(value: str) -> tuple[str, str] | str:
    try:
        checked = validate_identifier("LEI", value)
    except ValidationError as exc:
        return exc.reason
    return checked.value, checked.status


def _lei_value(draw_digits: str) -> str:
    from stdnum.iso7064 import mod_97_10

    base = draw_digits[:18]
    return base + mod_97_10.calc_check_digits(base)


LEI_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcz -"


@settings(max_examples=500, deadline=None)
@given(
    value=st.one_of(
        st.text(alphabet=LEI_CHARS, min_size=18, max_size=22),
        st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=18, max_size=18).map(
            _lei_value
        ),
    )
)
def test_property_lei_shortcut_agrees_with_stdnum(value):
    import casedesk.domain.identifiers as ids

    fast = _lei_outcome(value)
    saved = dict(ids._SHORTCUTS)
    ids._SHORTCUTS.clear()
    try:
        slow = _lei_outcome(value)
    finally:
        ids._SHORTCUTS.update(saved)
    assert fast == slow


def test_lei_shortcut_takes_only_compact_numbers_with_a_good_checksum():
    from casedesk.domain.identifiers import _plainly_valid_lei

    good = rows("LEI")[0]["value"].replace(" ", "").upper()
    assert _plainly_valid_lei(good)
    assert not _plainly_valid_lei(good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not _plainly_valid_lei(good.lower())  # not compact: stdnum decides
    assert not _plainly_valid_lei(good + "0")
