"""Partial dates (year, month or day precision, maybe 'about') and a parser for list formats."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from casedesk.domain.errors import ValidationError

# Fixed English names: calendar.month_name and strftime("%B") follow the process locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# [0-9], not \d: \d also matches other scripts' digits, which int() would silently accept.
_CANONICAL = re.compile(r"(~?)([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_ABOUT = re.compile(r"(?:~|about\b|circa\b|approx\.?|ca\.|c\.)\s*", re.IGNORECASE)
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
_US = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")  # MM/DD/YYYY, as on US government lists
_YMD_SLASH = re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})")
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to year, month or day, as ISO text; a '~' prefix means 'about'."""

    text: str

    def __post_init__(self) -> None:
        """Refuse text that is not canonical ISO or names an impossible date."""
        match = _CANONICAL.fullmatch(self.text) if isinstance(self.text, str) else None
        if match is None:
            raise ValidationError(
                "date",
                f"{_show(self.text)} is not YYYY, YYYY-MM or YYYY-MM-DD "
                "(optionally prefixed with ~)",
                value=self.text,
            )
        _check_parts(int(match[2]), _int(match[3]), _int(match[4]))

    @property
    def about(self) -> bool:
        """True when the date is approximate ('about 2024')."""
        return self.text.startswith("~")

    @property
    def _iso(self) -> str:
        return self.text.lstrip("~")

    @property
    def precision(self) -> str:
        """'year', 'month' or 'day'."""
        return ("year", "month", "day")[self._iso.count("-")]

    def first_day(self) -> date:
        """The earliest day the date can mean (1 January for a year, the 1st for a month)."""
        parts = [int(p) for p in self._iso.split("-")] + [1, 1]
        return date(parts[0], parts[1], parts[2])

    def last_day(self) -> date:
        """The latest day the date can mean (31 December of a year, last day of a month)."""
        parts = [int(p) for p in self._iso.split("-")]
        if len(parts) == 1:
            return date(parts[0], 12, 31)
        if len(parts) == 2:
            return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return date(*parts)

    def __str__(self) -> str:
        return self.text

    def display(self) -> str:
        """English form: '2024', 'June 2024', '1 June 2024', prefixed 'about ' if approximate."""
        parts = [int(p) for p in self._iso.split("-")]
        words = [str(parts[0])]
        if len(parts) > 1:
            words.insert(0, _MONTHS[parts[1] - 1])
        if len(parts) > 2:
            words.insert(0, str(parts[2]))
        return ("about " if self.about else "") + " ".join(words)


def parse_partial_date(text: str) -> PartialDate:
    """Parse ISO, ~/about/circa/c., ISO date-time, MM/DD/YYYY, YYYY/MM/DD, YYYYMMDD or refuse."""
    if not isinstance(text, str):
        raise ValidationError("date", "date must be text", value=text)
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValidationError("date", "date is empty")
    if len(cleaned) > 64:  # nothing date-like is this long; keeps regexes and messages small
        raise ValidationError(
            "date", f"{_show(cleaned)} is too long to be a date", value=cleaned[:64]
        )
    about = _ABOUT.match(cleaned)
    body = cleaned[about.end() :] if about else cleaned
    iso = _to_iso(body, cleaned)
    return PartialDate(("~" if about else "") + iso)


def _to_iso(body: str, original: str) -> str:
    """Turn one accepted date form into canonical ISO text, checking the calendar."""
    if m := _CANONICAL.fullmatch(body):
        if m[1]:
            raise _unrecognised(original)  # "~" after "about": not a form anyone writes
        year, month, day = int(m[2]), _int(m[3]), _int(m[4])
    elif _DATETIME.fullmatch(body):
        try:
            # Keep the calendar date as written; a time zone is not applied, because lists
            # record a day, not an instant.
            parsed = datetime.fromisoformat(body.replace("z", "Z"))
        except ValueError:
            raise ValidationError(
                "date", f"{_show(original)} is not a valid ISO date-time", value=original
            ) from None
        year, month, day = parsed.year, parsed.month, parsed.day
    elif m := _US.fullmatch(body):
        year, month, day = int(m[3]), int(m[1]), int(m[2])
        if month > 12:  # most likely a day-first date; say how slash dates are read
            raise ValidationError(
                "date",
                f"{_show(original)}: slash dates are read as MM/DD/YYYY and "
                f"there is no month {month} (write day-first dates as YYYY-MM-DD)",
                value=original,
            )
    elif (m := _YMD_SLASH.fullmatch(body)) or (m := _COMPACT.fullmatch(body)):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise _unrecognised(original)
    _check_parts(year, month, day)
    return (
        f"{year:04d}"
        + (f"-{month:02d}" if month is not None else "")
        + (f"-{day:02d}" if day is not None else "")
    )


def _check_parts(year: int, month: int | None, day: int | None) -> None:
    """Raise ValidationError unless year/month/day form a real (partial) date."""
    if year < 1:
        raise ValidationError("date", "year 0000 does not exist", value=year)
    if month is not None and not 1 <= month <= 12:
        raise ValidationError("date", f"month {month} is out of range (1-12)", value=month)
    if day is not None:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            raise ValidationError(
                "date",
                f"{year:04d}-{month:02d}-{day:02d} is not a real date: "
                f"{_MONTHS[month - 1]} {year} has {days} days",
                value=day,
            )


def _unrecognised(text: str) -> ValidationError:
    return ValidationError(
        "date",
        f"{_show(text)} is not a recognised date (use YYYY, YYYY-MM, "
        "YYYY-MM-DD, MM/DD/YYYY or 'about YYYY')",
        value=text,
    )


def _int(part: str | None) -> int | None:
    return int(part) if part is not None else None


def _show(value: object) -> str:
    """Quote a value for a message with invisible characters escaped."""
    return ascii(value if not isinstance(value, str) or len(value) <= 40 else value[:40] + "...")
