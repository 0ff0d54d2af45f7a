"""Tests of casedesk.domain.dates: precisions, spans, 'about' and refusals."""

from __future__ import annotations

from datetime import date

import pytest
from casedesk.domain.dates import PartialDate, parse_partial_date
from casedesk.domain.errors import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    "text,canonical,precision,about,first,last,shown",
    [
        ("2024", "2024", "year", False, date(2024, 1, 1), date(2024, 12, 31), "2024"),
        ("2024-06", "2024-06", "month", False, date(2024, 6, 1), date(2024, 6, 30), "June 2024"),
        (
            "2024-02",
            "2024-02",
            "month",
            False,
            date(2024, 2, 1),
            date(2024, 2, 29),
            "February 2024",
        ),
        (
            "2023-02",
            "2023-02",
            "month",
            False,
            date(2023, 2, 1),
            date(2023, 2, 28),
            "February 2023",
        ),
        (
            "1900-02",
            "1900-02",
            "month",
            False,
            date(1900, 2, 1),
            date(1900, 2, 28),
            "February 1900",
        ),
        (
            "2024-12",
            "2024-12",
            "month",
            False,
            date(2024, 12, 1),
            date(2024, 12, 31),
            "December 2024",
        ),
        (
            "2024-06-01",
            "2024-06-01",
            "day",
            False,
            date(2024, 6, 1),
            date(2024, 6, 1),
            "1 June 2024",
        ),
        (
            "2024-02-29",
            "2024-02-29",
            "day",
            False,
            date(2024, 2, 29),
            date(2024, 2, 29),
            "29 February 2024",
        ),
        ("~2024", "~2024", "year", True, date(2024, 1, 1), date(2024, 12, 31), "about 2024"),
        ("~ 2024", "~2024", "year", True, date(2024, 1, 1), date(2024, 12, 31), "about 2024"),
        ("about 2024", "~2024", "year", True, date(2024, 1, 1), date(2024, 12, 31), "about 2024"),
        (
            "About 2024-06",
            "~2024-06",
            "month",
            True,
            date(2024, 6, 1),
            date(2024, 6, 30),
            "about June 2024",
        ),
        ("circa 2024", "~2024", "year", True, date(2024, 1, 1), date(2024, 12, 31), "about 2024"),
        ("c. 2024", "~2024", "year", True, date(2024, 1, 1), date(2024, 12, 31), "about 2024"),
        ("c.2024", "~2024", "year", True, date(2024, 1, 1), date(2024, 12, 31), "about 2024"),
        (
            "ca. 1990-05-03",
            "~1990-05-03",
            "day",
            True,
            date(1990, 5, 3),
            date(1990, 5, 3),
            "about 3 May 1990",
        ),
        (
            "2024-06-01T12:00:00Z",
            "2024-06-01",
            "day",
            False,
            date(2024, 6, 1),
            date(2024, 6, 1),
            "1 June 2024",
        ),
        (
            "2024-06-01T23:30:00+05:00",
            "2024-06-01",
            "day",
            False,
            date(2024, 6, 1),
            date(2024, 6, 1),
            "1 June 2024",
        ),
        (
            "2024-06-01 08:15",
            "2024-06-01",
            "day",
            False,
            date(2024, 6, 1),
            date(2024, 6, 1),
            "1 June 2024",
        ),
        (
            "06/01/2024",
            "2024-06-01",
            "day",
            False,
            date(2024, 6, 1),
            date(2024, 6, 1),
            "1 June 2024",
        ),
        ("6/1/2024", "2024-06-01", "day", False, date(2024, 6, 1), date(2024, 6, 1), "1 June 2024"),
        (
            "12/31/1999",
            "1999-12-31",
            "day",
            False,
            date(1999, 12, 31),
            date(1999, 12, 31),
            "31 December 1999",
        ),
        (
            "2024/06/01",
            "2024-06-01",
            "day",
            False,
            date(2024, 6, 1),
            date(2024, 6, 1),
            "1 June 2024",
        ),
        ("20240601", "2024-06-01", "day", False, date(2024, 6, 1), date(2024, 6, 1), "1 June 2024"),
        (
            "  2024-06  ",
            "2024-06",
            "month",
            False,
            date(2024, 6, 1),
            date(2024, 6, 30),
            "June 2024",
        ),
    ],
)
def test_parse(text, canonical, precision, about, first, last, shown):
    d = parse_partial_date(text)
    assert d == PartialDate(canonical)
    assert (str(d), d.text, d.precision, d.about) == (canonical, canonical, precision, about)
    assert (d.first_day(), d.last_day(), d.display()) == (first, last, shown)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("2024-13", "month 13 is out of range (1-12)"),
        ("2024-00", "month 0 is out of range"),
        ("2024-02-30", "2024-02-30 is not a real date: February 2024 has 29 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("2024-04-31", "April 2024 has 30 days"),
        ("2024-06-00", "June 2024 has 30 days"),
        ("0000", "year 0000 does not exist"),
        ("13/01/2024", "slash dates are read as MM/DD/YYYY"),
        ("02/30/2024", "February 2024 has 29 days"),
        ("20241301", "month 13"),
        ("2024/02/30", "not a real date"),
        ("2024-06-01T25:00:00Z", "not a valid ISO date-time"),
        ("", "date is empty"),
        ("   ", "date is empty"),
        ("garbage", "is not a recognised date"),
        ("2024-6", "is not a recognised date"),
        ("24", "is not a recognised date"),
        ("June 2024", "is not a recognised date"),
        ("~~2024", "is not a recognised date"),
        ("about ~2024", "is not a recognised date"),
        ("01.06.2024", "is not a recognised date"),
        ("2024-06-01-02", "is not a recognised date"),
        ("٢٠٢٤", "is not a recognised date"),
        ("2024\x00", "is not a recognised date"),
        ("1" * 100, "too long to be a date"),
    ],
)
def test_invalid(text, fragment):
    with pytest.raises(ValidationError) as err:
        parse_partial_date(text)
    assert err.value.field == "date"
    assert fragment in err.value.reason


def test_hostile_text_is_escaped_in_message():
    with pytest.raises(ValidationError) as err:
        parse_partial_date("2024\u202e")
    assert "\u202e" not in str(err.value) and "\\u202e" in str(err.value)


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-02-30", "2024-6", "about 2024", "", "~~2024", " 2024"]
)
def test_constructor_validates(text):
    with pytest.raises(ValidationError):
        PartialDate(text)


def test_non_text():
    with pytest.raises(ValidationError):
        parse_partial_date(None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        PartialDate(2024)  # type: ignore[arg-type]


def test_frozen_hashable_and_ordered():
    a, b, c = PartialDate("2023-12-31"), PartialDate("2024"), PartialDate("2024-01")
    assert sorted([c, b, a]) == [a, b, c]
    assert len({PartialDate("2024"), parse_partial_date("2024")}) == 1
    with pytest.raises(AttributeError):
        a.text = "2025"  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.booleans())
def test_property_round_trip(day, about):
    iso = day.isoformat()
    d = parse_partial_date(("about " if about else "") + iso)
    assert (d.first_day(), d.last_day(), d.about) == (day, day, about)
    assert parse_partial_date(d.text) == d
    assert parse_partial_date(f"{day.month}/{day.day}/{day.year:04d}").text == iso
    month = parse_partial_date(iso[:7])
    assert month.first_day() <= day <= month.last_day()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_property_only_validation_errors(text):
    try:
        d = parse_partial_date(text)
    except ValidationError:
        return
    assert d.first_day() <= d.last_day()
    assert d.precision in ("year", "month", "day")
