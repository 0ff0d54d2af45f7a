"""What existed on the analysis date: fleets by their installed / in-service / decommissioned
dates, and compute links and contract terms by their start and end dates.

A fleet, link or contract is left out only when its dates *show* it was not there on the day
(installed after it, decommissioned or ended before it); a date too coarse to tell (a fleet
installed "2024-06" analysed as of 15 June 2024) keeps it in and is reported as an open question.
Dates that do not parse keep the record in (the inspector reports bad dates).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import ValidationError
from casedesk.services.analysis.graph import CaseGraph, FleetRow

# Links whose dates decide whether a party could use, provide or reach compute on the day.
DATED_COMPUTE_LINKS = frozenset({"uses_compute_of", "operates", "owns_asset", "hosted_at",
                                 "covers", "customer_of", "intermediary_for"})


@functools.lru_cache(maxsize=8192)
def _bounds(text: str | None) -> tuple[date, date] | None:
    """(first day, last day) a partial date can mean, or None if absent or not a date."""
    if not text:
        return None
    try:
        d = parse_partial_date(text)
    except ValidationError:
        return None
    return d.first_day(), d.last_day()


def presence(start: str | None, end: str | None, on: date) -> bool | None:
    """True if dated `start` .. `end` covers `on`, False if it shows it does not, None if unclear."""
    s, e = _bounds(start), _bounds(end)
    if (s and s[0] > on) or (e and e[1] < on):
        return False
    if (s and s[1] > on) or (e and e[0] <= on):
        return None  # the day falls inside the imprecision of a date
    return True


@dataclass
class AsOfCut:
    """What was left out of a graph for a day, and what the dates could not decide."""

    on: date
    fleets_out: dict[int, str] = field(default_factory=dict)  # fleet id -> why
    links_out: int = 0
    contracts_out: dict[int, str] = field(default_factory=dict)
    undecided: list[dict[str, Any]] = field(default_factory=list)


def fleet_start(row: FleetRow) -> str | None:
    """The date a fleet first existed as compute: installation, else entry into service."""
    return row.installed_on or row.in_service_on


def restrict_to_day(graph: CaseGraph, on: date) -> AsOfCut:
    """Remove (in place) the fleets, compute links and contract coverage not there on `on`."""
    cut = AsOfCut(on)
    day = on.isoformat()
    for fid, row in list(graph.fleets.items()):
        end = row.decommissioned_on
        start = fleet_start(row)
        if not start and not end:
            continue
        state = presence(start, end, on)
        if state is False:
            ended = _bounds(end)
            cut.fleets_out[fid] = (f"decommissioned {parse_partial_date(end).display()}"
                                   if ended and ended[1] < on
                                   else f"installed {parse_partial_date(start).display()}")
            del graph.fleets[fid]
        elif state is None:
            cut.undecided.append({"rule": "as_of", "gap": "as_of_unclear", "record_ids": [fid],
                                  "question": f"whether {graph.name(fid)} was in service on {day}: "
                                              "its dates are not precise enough"})
    ended = set()
    for cid, c in graph.contracts.items():
        if presence(c.start_on, c.end_on, on) is False:
            ended.add(cid)
            cut.contracts_out[cid] = "its term does not include the day"
    drop = []
    for lid, lk in graph.links.items():
        if lk.type not in DATED_COMPUTE_LINKS:
            continue
        if lk.type == "covers" and lk.source in ended:
            drop.append(lid)
        elif (lk.start_on or lk.end_on) and presence(lk.start_on, lk.end_on, on) is False:
            drop.append(lid)
    for lid in drop:
        _remove_link(graph, lid)
    cut.links_out = len(drop)
    if cut.fleets_out or drop:
        graph._dc_cache.clear()
    return cut


def _remove_link(graph: CaseGraph, lid: int) -> None:
    lk = graph.links.pop(lid)
    for index, end in ((graph.out, lk.source), (graph.inc, lk.target)):
        ids = index.get(lk.type, {}).get(end)
        if ids and lid in ids:
            ids.remove(lid)
