"""Tests of casedesk.domain.countries: codes, names, aliases and unknowns."""

from __future__ import annotations

import pytest
from casedesk.domain.countries import country_name, resolve_country
from casedesk.domain.errors import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    "text,code",
    [
        ("CN", "CN"),
        ("cn", "CN"),
        (" cn ", "CN"),
        ("CHN", "CN"),
        ("chn", "CN"),
        ("156", "CN"),
        ("4", "AF"),
        ("004", "AF"),
        ("840", "US"),
        ("GBR", "GB"),
        ("xk", "XK"),
        ("XKX", "XK"),
    ],
)
def test_codes(text, code):
    assert resolve_country(text) == code


@pytest.mark.parametrize(
    "text,code",
    [
        ("China", "CN"),
        ("china", "CN"),
        ("  United   Kingdom ", "GB"),
        ("Germany", "DE"),
        ("Korea, Republic of", "KR"),
        ("Iran, Islamic Republic of", "IR"),
        ("Viet Nam", "VN"),
        ("Russian Federation", "RU"),
        ("Czechia", "CZ"),
        ("Türkiye", "TR"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("COTE D’IVOIRE", "CI"),
        ("People's Republic of China", "CN"),
        ("Hong Kong Special Administrative Region of China", "HK"),
    ],
)
def test_names(text, code):
    assert resolve_country(text) == code


@pytest.mark.parametrize(
    "text,code",
    [
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Britain", "GB"),
        ("Great Britain", "GB"),
        ("South Korea", "KR"),
        ("Korea, South", "KR"),
        ("North Korea", "KP"),
        ("Korea, North", "KP"),
        ("DPRK", "KP"),
        ("Russia", "RU"),
        ("RUSSIA", "RU"),
        ("Hong Kong", "HK"),
        ("Macao", "MO"),
        ("Macau", "MO"),
        ("Taiwan", "TW"),
        ("Burma", "MM"),
        ("UAE", "AE"),
        ("Vietnam", "VN"),
        ("Iran", "IR"),
        ("Syria", "SY"),
        ("Czech Republic", "CZ"),
        ("Kosovo", "XK"),
        ("Turkey", "TR"),
        ("Laos", "LA"),
        ("Ivory Coast", "CI"),
        ("Congo, Democratic Republic of the", "CD"),
        ("Congo, Republic of the", "CG"),
        ("Congo", "CG"),
    ],
)
def test_aliases(text, code):
    assert resolve_country(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "Atlantis",
        "Korea",
        "ZZ",
        "ZZZ",
        "999",
        "0",
        "1234",
        "Narnia Republic",
        "\u202eCN",
        "C\x00N",
        "٨٤٠",
    ],
)
def test_unknown(text):
    with pytest.raises(ValidationError) as err:
        resolve_country(text)
    assert err.value.field == "country"
    assert err.value.reason.startswith("unknown country ")
    assert err.value.reason.endswith("(give an ISO 3166 code or English name)")


def test_unknown_message_exact():
    with pytest.raises(ValidationError) as err:
        resolve_country("Atlantis")
    assert (
        str(err.value)
        == "country: unknown country 'Atlantis' (give an ISO 3166 code or English name)"
    )


@pytest.mark.parametrize("text", ["", "   ", "x" * 101])
def test_empty_and_too_long(text):
    with pytest.raises(ValidationError):
        resolve_country(text)


def test_non_text():
    with pytest.raises(ValidationError):
        resolve_country(None)  # type: ignore[arg-type]


def test_cached():
    resolve_country.cache_clear()
    resolve_country("Hong Kong")
    resolve_country("Hong Kong")
    assert resolve_country.cache_info().hits >= 1


@pytest.mark.parametrize(
    "code,name",
    [
        ("CN", "China"),
        ("cn", "China"),
        ("TW", "Taiwan"),
        ("IR", "Iran"),
        ("KR", "South Korea"),
        ("KP", "North Korea"),
        ("XK", "Kosovo"),
        ("GB", "United Kingdom"),
        ("HK", "Hong Kong"),
    ],
)
def test_country_name(code, name):
    assert country_name(code) == name


@pytest.mark.parametrize("code", ["ZZ", "CHN", "", "China", None])
def test_country_name_refuses_non_alpha2(code):
    with pytest.raises(ValidationError):
        country_name(code)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_property_only_validation_errors(text):
    try:
        code = resolve_country(text)
    except ValidationError:
        return
    assert len(code) == 2 and code.isupper()
    assert country_name(code)
    assert resolve_country(code) == code


@pytest.mark.parametrize("text,code", [
    ("中国", "CN"), ("中國", "CN"), ("新加坡", "SG"), ("香港", "HK"), ("澳门", "MO"), ("澳門", "MO"),
    ("台湾", "TW"), ("臺灣", "TW"), ("美国", "US"), ("日本", "JP"), ("韩国", "KR"), ("英国", "GB"),
    ("德国", "DE"), ("澳大利亚", "AU"), ("马来西亚", "MY"), ("阿联酋", "AE"),
])
def test_countries_by_their_chinese_names(text, code):
    assert resolve_country(text) == code


def test_an_unknown_chinese_name_is_still_refused_with_the_reason():
    with pytest.raises(ValidationError, match="unknown country"):
        resolve_country("火星")
