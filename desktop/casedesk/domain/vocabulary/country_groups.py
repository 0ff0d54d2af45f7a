"""EAR country groups with dated membership: the objects and their loading from countries.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from casedesk.domain.vocabulary.reading import (
    check_fields,
    describe,
    entries,
    fail,
    opt_bool,
    opt_date,
    opt_str,
    read_file,
    req_country,
    req_str,
)


@dataclass(frozen=True)
class Membership:
    """A country's membership of a group from `valid_from` (inclusive) to `valid_to` (exclusive)."""

    country: str
    valid_from: date | None  # None: start not transcribed
    valid_to: date | None  # None: still a member
    note: str | None

    def active_on(self, day: date) -> bool:
        """True if the membership applies on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


@dataclass(frozen=True)
class CountryGroup:
    """An EAR country group (D:1, D:5, A:5, …, or the MACAU marker) with dated membership."""

    code: str
    label: str
    meaning: str
    source: str
    of_concern: bool  # decides the headquarters rule (D:5 and Macau)
    members: tuple[Membership, ...]

    def contains(self, alpha2: str, on: date) -> bool:
        """True if the country is a member on the given day."""
        return any(m.country == alpha2 and m.active_on(on) for m in self.members)

_GROUP = re.compile(r"[A-Z]:[0-9]+|[A-Z][A-Z_]*")


def load_country_groups(directory: Path) -> Mapping[str, CountryGroup]:
    file = "countries.yaml"
    out = {}
    for code, raw in entries(
        read_file(directory, file, "country_groups"), file, "country_groups", _GROUP
    ):
        check_fields(
            raw, file, code, {"code", "label", "meaning", "source", "of_concern", "members"}
        )
        members = raw.get("members")
        if not isinstance(members, list) or not members:
            fail(file, code, "members", f"expected a non-empty list, got {describe(members)}")
        out[code] = CountryGroup(
            code,
            req_str(raw, file, code, "label"),
            req_str(raw, file, code, "meaning"),
            req_str(raw, file, code, "source"),
            opt_bool(raw, file, code, "of_concern"),
            _memberships(members, file, code),
        )
    return MappingProxyType(out)


def _memberships(items: list[Any], file: str, group: str) -> tuple[Membership, ...]:
    """Parse a group's members; refuse a country listed twice for overlapping periods."""
    out: list[Membership] = []
    for i, raw in enumerate(items):
        where = f"members[#{i + 1}]"
        if not isinstance(raw, dict):
            fail(file, group, where, f"expected a mapping, got {describe(raw)}")
        country = req_country(raw, file, group, f"{where}.country", key="country")
        where = f"members[{country}]"
        check_fields(raw, file, group, {"country", "from", "to", "note"}, prefix=where + ".")
        start = opt_date(raw, file, group, "from", label=f"{where}.from")
        end = opt_date(raw, file, group, "to", label=f"{where}.to")
        if start and end and end <= start:
            fail(file, group, f"{where}.to", f"{end} is not after from ({start})")
        member = Membership(
            country, start, end, opt_str(raw, file, group, "note", label=f"{where}.note")
        )
        for other in out:
            if other.country == country and _overlaps(other, member):
                fail(file, group, where, "country listed twice for overlapping periods")
        out.append(member)
    return tuple(out)


def _overlaps(a: Membership, b: Membership) -> bool:
    return (a.valid_to is None or b.valid_from is None or b.valid_from < a.valid_to) and (
        b.valid_to is None or a.valid_from is None or a.valid_from < b.valid_to
    )
