"""Phrases the red-flag rules share: country names in running text, headquarters, fleets, id lists."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from casedesk.domain.countries import country_name
from casedesk.domain.errors import ValidationError
from casedesk.services.analysis.compute import FleetCompute
from casedesk.services.analysis.ownership import Headquarters
from casedesk.services.analysis.rules.context import RuleContext

# Country names read with "the" in running text.
_THE = frozenset({"US", "GB", "NL", "AE", "PH", "CZ", "DO", "CF", "CD", "BS", "GM", "KM", "MV",
                  "MH", "SB", "VA", "KY", "FK", "FO", "TC", "VG", "VI"})


@functools.lru_cache(maxsize=512)
def country_phrase(alpha2: str | None) -> str:
    """'the United States (US)', 'China (CN)', or the code itself if unknown."""
    if not alpha2:
        return "an unrecorded country"
    try:
        name = country_name(alpha2)
    except ValidationError:
        return alpha2
    return f"{'the ' if alpha2.upper() in _THE else ''}{name} ({alpha2})"


def hq_phrase(ctx: RuleContext, hq: Headquarters) -> str:
    """', headquartered in China (CN),' or ', whose ultimate parent X is headquartered in …,'."""
    word = "based" if ctx.graph.parties.get(hq.party_id, None) and \
        ctx.graph.parties[hq.party_id].party_kind == "person" else "headquartered"
    if hq.basis == "ultimate_parent" and hq.via is not None:
        where = f", registered in {country_phrase(hq.country)}," if hq.country else ","
        return (f"{where} whose ultimate parent {ctx.graph.name(hq.via.top)} is headquartered "
                f"in {country_phrase(hq.parent_country)},")
    return f", {word} in {country_phrase(hq.country)},"


def distinct(items: Iterable[int]) -> list[int]:
    """The ids in first-seen order, each once."""
    return list(dict.fromkeys(items))


def fleet_phrase(f: FleetCompute) -> str:
    """E.g. 'at least 2,400 accelerators (3A090, 4A090.a)'."""
    cls = f.ic_class.eccn if f.ic_class and f.ic_class.eccn else "3A090"
    eccn = f", {f.eccn}" if f.eccn else ""
    return f"{f.accelerators_text()} ({cls}{eccn})"
