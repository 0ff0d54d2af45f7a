"""Stored name forms written by an older normaliser: found, and re-written, so its fixes reach lists imported before.

Each list's names are normalised once, at import, and screening compares the stored forms. When
the normaliser changes what it makes of a name (a folding fixed, a glossary word added, a typo
rule narrowed), a list imported before would keep the old forms until imported again. A list
records the forms' version (normalize.FORMS_VERSION) in its details; screening a case re-writes
the forms of every list whose version is not the current one first, with progress.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casedesk.domain.watchlists import Watchlist, WatchlistEntry, WatchlistName
from casedesk.services.audit import record_audit
from casedesk.services.progress import Job, Progress
from casedesk.services.screening.index import (
    NameIndex,
    fingerprint_of,
    forget_indexes,
    save_list_index,
)
from casedesk.services.screening.normalize import FORMS_VERSION
from casedesk.services.screening.watchlist_import import normalised_chunks, start_normalising

_UPDATE_CHUNK = 5000


def forms_current(wl: Watchlist) -> bool:
    """Whether a list's stored name forms were made by this normaliser."""
    return (wl.details or {}).get("forms_version") == FORMS_VERSION


def outdated_lists(session: Session) -> list[Watchlist]:
    """The lists whose stored name forms an older normaliser made."""
    return [wl for wl in session.scalars(select(Watchlist).order_by(Watchlist.id))
            if not forms_current(wl)]


def refresh_list_forms(session: Session, list_id: int) -> Job[int]:
    """Re-normalise one list's names, store the forms that changed and its index; the number changed."""
    wl = session.get(Watchlist, list_id)
    if wl is None:
        from casedesk.domain.errors import NotFoundError

        raise NotFoundError(f"no screening list with id {list_id}")
    rows = session.execute(
        select(WatchlistName.id, WatchlistName.entry_id, WatchlistName.name,
               WatchlistName.normalized, WatchlistName.exact_only)
        .join(WatchlistEntry, WatchlistEntry.id == WatchlistName.entry_id)
        .where(WatchlistEntry.list_id == list_id).order_by(WatchlistName.id)).all()
    texts = list(dict.fromkeys(r.name for r in rows))
    yield Progress(0, len(texts), f"re-reading the {len(texts):,} names of {wl.name}")
    forms: dict[str, tuple[str, bool]] = {}
    for start, chunk in normalised_chunks(start_normalising(texts), texts):
        forms.update(zip(texts[start:start + len(chunk)], chunk))
        yield Progress(min(len(texts), start + len(chunk)), len(texts),
                       f"re-read {start + len(chunk):,} of {len(texts):,} names of {wl.name}")
    changed: list[dict[str, Any]] = []
    index = NameIndex()
    for r in rows:
        normalized, exact_only = forms[r.name]
        if normalized != r.normalized or bool(exact_only) != bool(r.exact_only):
            changed.append({"id": r.id, "normalized": normalized, "exact_only": exact_only})
        index.add(r.id, r.entry_id, normalized, exact_only)
    for start in range(0, len(changed), _UPDATE_CHUNK):
        session.execute(update(WatchlistName), changed[start:start + _UPDATE_CHUNK])
    before = (wl.details or {}).get("forms_version")
    wl.details = {**(wl.details or {}), "forms_version": FORMS_VERSION}
    session.flush()
    save_list_index(session, list_id, index, fingerprint_of(wl))
    record_audit(session, "refresh", "watchlist", list_id,
                 before={"forms_version": before},
                 after={"forms_version": FORMS_VERSION, "names": len(rows), "forms_changed": len(changed)})
    forget_indexes()
    return len(changed)


def refresh_outdated(session: Session) -> Job[dict[str, int]]:
    """Re-write the name forms of every outdated list: {list name: forms changed}."""
    done: dict[str, int] = {}
    for wl in outdated_lists(session):
        done[wl.name] = yield from refresh_list_forms(session, wl.id)
    return done
