"""What a list entry says about itself, as plain data and one sentence: names with kind and quality,
countries, addresses, identifiers, reference number, listing date, list type, the list's snapshot.

Shared by `watchlist entries` and the hits (their "entry" and the explanation's last sentence), so
an investigator sees on a hit where the listed name came from without opening the list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.watchlists import Watchlist, WatchlistEntry, WatchlistIdentifier, WatchlistName
from casedesk.services.in_lists import in_chunks

# The entry details (the readers' `data`) shown on a hit, in this order, with their labels.
_SHOWN = (("reference_number", "ref"), ("listed_on", "listed on"), ("list_type", "list type"))


def entry_facts(session: Session, entry_ids: list[int | None]) -> dict[int, dict[str, Any]]:
    """{entry id: facts} for list entries (ids of removed entries are left out)."""
    ids = sorted({i for i in entry_ids if i is not None})
    out: dict[int, dict[str, Any]] = {}
    snapshots: dict[int, str | None] = {}
    for part in in_chunks(ids):
        for e in session.scalars(select(WatchlistEntry).where(WatchlistEntry.id.in_(part))):
            data = dict(e.data or {})
            qualities = {q.get("name"): q.get("quality") for q in data.pop("alias_quality", []) or []
                         if isinstance(q, dict)}
            out[e.id] = {
                "entry_id": e.id, "entry_key": e.entry_key, "list_id": e.list_id, "name": e.name,
                "entity_type": e.entity_type, "programs": list(e.programs or []),
                "countries": list(e.countries or []), "addresses": list(data.pop("addresses", []) or []),
                "names": [], "identifiers": [], "remarks": e.remarks or "",
                "source_list": e.source_list or "", "_qualities": qualities,
                **{k: data.pop(k) for k, _ in _SHOWN if data.get(k)},
                "details": data,
            }
            snapshots.setdefault(e.list_id, None)
        for eid, name, kind in session.execute(
                select(WatchlistName.entry_id, WatchlistName.name, WatchlistName.name_kind)
                .where(WatchlistName.entry_id.in_(part)).order_by(WatchlistName.id)):
            facts = out.get(eid)
            if facts is not None:
                quality = facts["_qualities"].get(name) or None
                facts["names"].append({"name": name, "kind": kind, "quality": quality})
        for eid, scheme, value, country in session.execute(
                select(WatchlistIdentifier.entry_id, WatchlistIdentifier.scheme,
                       WatchlistIdentifier.value, WatchlistIdentifier.country)
                .where(WatchlistIdentifier.entry_id.in_(part)).order_by(WatchlistIdentifier.id)):
            if eid in out:
                out[eid]["identifiers"].append({"scheme": scheme, "value": value, "country": country})
    if snapshots:
        for lid, lname, snap in session.execute(
                select(Watchlist.id, Watchlist.name, Watchlist.snapshot_date)
                .where(Watchlist.id.in_(list(snapshots)))):
            snapshots[lid] = snap
            for facts in out.values():
                if facts["list_id"] == lid:
                    facts["list"], facts["snapshot_date"] = lname, snap
    for facts in out.values():
        facts.pop("_qualities")
    return out


def matched_name(facts: dict[str, Any], list_name: str) -> dict[str, Any] | None:
    """The entry's name a hit met (kind "primary", "aka", "original script"… and quality)."""
    return next((n for n in facts.get("names", []) if n["name"] == list_name), None)


def kind_text(name: dict[str, Any]) -> str:
    """A name's kind as lists write it, with its quality when that says more ("a.k.a., quality Low")."""
    kind = {"aka": "a.k.a.", "fka": "f.k.a.", "nka": "n.k.a."}.get(name["kind"], name["kind"])
    quality = name.get("quality")
    return kind + (f", quality {quality}" if quality and quality.casefold() != kind else "")


def facts_sentence(facts: dict[str, Any], list_name: str | None = None) -> str:
    """One sentence for a hit's explanation: the name met, ref, listing, countries, addresses."""
    parts: list[str] = []
    met = matched_name(facts, list_name) if list_name else None
    if met is not None and met["kind"] != "primary":
        parts.append(f"the name met is {met['name'][:120]!r} ({kind_text(met)})")
    parts += [f"{label} {str(facts[k])[:80]}" for k, label in _SHOWN if facts.get(k)]
    if facts.get("countries"):
        parts.append("countries " + ", ".join(facts["countries"][:10]))
    if facts.get("addresses"):
        shown = "; ".join(a[:120] for a in facts["addresses"][:3])
        more = len(facts["addresses"]) - 3
        parts.append("address " + shown + (f" (+{more} more)" if more > 0 else ""))
    if facts.get("snapshot_date"):
        parts.append(f"list snapshot {facts['snapshot_date']}")
    return ("List entry: " + "; ".join(parts) + ".") if parts else ""


def list_entries(session: Session, which: str, *, search: str | None = None,
                 limit: int = 0) -> list[dict[str, Any]]:
    """A loaded list's entries (by list id or name) as entry_facts, in entry key order.

    search keeps entries with a name (any kind) containing the text, ignoring case; limit > 0
    keeps the first so many. An unknown list is a NotFoundError naming the loaded ones.
    """
    from casedesk.domain.errors import NotFoundError, ValidationError

    if limit < 0:
        raise ValidationError("limit", f"{limit} is not a count of entries (0 for all)")
    wl = None
    if str(which).strip().isdigit():
        wl = session.get(Watchlist, int(which))
    if wl is None:
        wl = session.scalar(select(Watchlist).where(Watchlist.name == which))
    if wl is None:
        names = [n for (n,) in session.execute(select(Watchlist.name).order_by(Watchlist.name))]
        raise NotFoundError(f"no screening list {which!r}; loaded: " + (", ".join(names) or "none"))
    ids = [i for (i,) in session.execute(select(WatchlistEntry.id)
                                         .where(WatchlistEntry.list_id == wl.id)
                                         .order_by(WatchlistEntry.entry_key))]
    if search:
        # compared in Python: SQLite folds the case of ASCII letters only
        needle = " ".join(search.casefold().split())
        keep = {eid for eid, name in session.execute(
            select(WatchlistName.entry_id, WatchlistName.name)
            .join(WatchlistEntry, WatchlistEntry.id == WatchlistName.entry_id)
            .where(WatchlistEntry.list_id == wl.id)) if needle in " ".join(name.casefold().split())}
        ids = [i for i in ids if i in keep]
    if limit:
        ids = ids[:limit]
    facts = entry_facts(session, ids)
    return [facts[i] for i in ids if i in facts]

