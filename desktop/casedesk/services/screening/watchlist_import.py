"""Loading a screening list into the workspace: parse, check, normalise, replace atomically.

A list is identified by its name. Re-importing replaces every entry in the caller's one
transaction; hits on entries whose content hash did not change keep their decision, hits on
changed entries are re-opened with the earlier decision noted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.watchlists import (
    ScreeningHit,
    Watchlist,
    WatchlistEntry,
    WatchlistIdentifier,
    WatchlistName,
)
from casedesk.services.audit import record_audit
from casedesk.services.bulk import allocate_ids
from casedesk.services.progress import Job, Progress
from casedesk.services.screening.formats import (
    FORMATS,
    ListFormatError,
    ParsedList,
    RowProblem,
    read_list,
)
from casedesk.services.screening.index import (
    NameIndex,
    fingerprint_of,
    forget_indexes,
    save_list_index,
)
from casedesk.services.screening.normalize import FORMS_VERSION, identifier_key
from casedesk.storage.workspace import actor_of, changes_of

_CHUNK = 5000
_SHOW_PROBLEMS = 5


class BadRowsError(ListFormatError):
    """Some rows are malformed and the user did not agree to skip them; nothing was imported."""

    def __init__(self, path: Path, problems: list[RowProblem], rows: int):
        self.problems = problems
        self.rows = rows
        shown = "; ".join(str(p) for p in problems[:_SHOW_PROBLEMS])
        more = f" (and {len(problems) - _SHOW_PROBLEMS} more)" if len(problems) > _SHOW_PROBLEMS else ""
        super().__init__(f"{path.name}: {len(problems)} of {rows} rows are malformed: {shown}{more}; "
                         "nothing imported (fix the file, or skip those rows with --skip-bad-rows)")


@dataclass
class ImportResult:
    """What an import did."""

    list_id: int
    name: str
    format: str
    entries: int
    snapshot_date: str | None
    rows: int
    skipped: list[str] = field(default_factory=list)
    duplicates: int = 0
    renamed: list[str] = field(default_factory=list)  # rows sharing an id, kept as id#2…
    warnings: list[str] = field(default_factory=list)  # what was read anyway (a bad snapshot date)
    kept_decisions: int = 0
    reopened: int = 0
    replaced: bool = False

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON form."""
        return {"list_id": self.list_id, "name": self.name, "format": self.format,
                "entries": self.entries, "snapshot_date": self.snapshot_date, "rows": self.rows,
                "skipped": self.skipped, "duplicates": self.duplicates,
                "renamed_ids": self.renamed, "warnings": self.warnings, "kept_decisions": self.kept_decisions, "reopened": self.reopened,
                "replaced": self.replaced}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_parsed(path: Path, parsed: ParsedList, skip_bad_rows: bool) -> None:
    """Refuse a parse with malformed rows (unless skipping is allowed) or with nothing usable."""
    good = len(parsed.entries)
    bad = len(parsed.problems)
    if bad and (not skip_bad_rows or bad > good):
        if skip_bad_rows:
            raise ListFormatError(
                f"{path.name}: {bad} of {parsed.rows} rows are malformed, more than the {good} "
                f"readable ones; the file looks damaged or is not a {parsed.format} file, so nothing "
                f"was imported (first: {parsed.problems[0]})")
        raise BadRowsError(path, parsed.problems, parsed.rows)
    if not good:
        raise ListFormatError(f"{path.name}: no entries found; nothing imported")


def parse_list_file(path: str | Path, *, fmt: str = "auto",
                    mapping: dict[str, Any] | None = None) -> ParsedList:
    """Parse a list file without importing it (the GUI previews problems with this)."""
    if fmt != "auto" and fmt not in FORMATS:
        raise ListFormatError(f"unknown format {fmt!r}: use auto or one of {', '.join(FORMATS)}")
    return read_list(Path(path), fmt, mapping)


def import_watchlist(session: Session, path: str | Path, *, fmt: str = "auto",
                     name: str | None = None, mapping: dict[str, Any] | None = None,
                     skip_bad_rows: bool = False, snapshot_date: str | None = None,
                     parsed: ParsedList | None = None) -> Job[ImportResult]:
    """Load (or replace) a screening list in the caller's transaction; yields Progress."""
    path = Path(path)
    if snapshot_date:
        from casedesk.domain.dates import parse_partial_date

        snapshot_date = parse_partial_date(snapshot_date).text  # ValidationError names the field
    yield Progress(0, None, f"reading {path.name}")
    if parsed is None:
        parsed = parse_list_file(path, fmt=fmt, mapping=mapping)
    check_parsed(path, parsed, skip_bad_rows)
    list_name = " ".join((name or parsed.default_name or path.stem).split())[:200]
    if not list_name:
        raise ListFormatError("the list needs a name (--name)")
    total = len(parsed.entries)
    yield Progress(0, total, f"normalising {total:,} entries")

    now = now_iso()
    actor = actor_of(session)
    files = [{"name": f.name, "sha256": file_sha256(f)} for f in parsed.files]
    details = {"files": files, "rows": parsed.rows,
               "skipped": [str(p) for p in parsed.problems][:1000],
               "duplicate_lines": parsed.duplicates[:1000], "renamed_ids": parsed.renamed[:1000],
               "forms_version": FORMS_VERSION}
    wl = session.scalar(select(Watchlist).where(Watchlist.name == list_name))
    replaced = wl is not None
    snap = snapshot_date or parsed.snapshot_date
    details["snapshot_source"] = ("given by the user" if snapshot_date else
                                  "newest date in the file" if parsed.snapshot_date else
                                  "file modification date (the file states none)")
    if not snap:
        from datetime import datetime, timezone

        snap = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat()
    if wl is None:
        wl = Watchlist(name=list_name, format=parsed.format, source_filename=path.name,
                       source_sha256=files[0]["sha256"], snapshot_date=snap, entry_count=total,
                       imported_at=now, imported_by=actor, details=details)
        session.add(wl)
        session.flush()
    else:
        before = {"format": wl.format, "source_sha256": wl.source_sha256,
                  "snapshot_date": wl.snapshot_date, "entries": wl.entry_count}
        entry_ids = select(WatchlistEntry.id).where(WatchlistEntry.list_id == wl.id)
        session.execute(delete(WatchlistName).where(WatchlistName.entry_id.in_(entry_ids)))
        session.execute(delete(WatchlistIdentifier).where(WatchlistIdentifier.entry_id.in_(entry_ids)))
        session.execute(delete(WatchlistEntry).where(WatchlistEntry.list_id == wl.id))
        wl.format, wl.source_filename, wl.source_sha256 = parsed.format, path.name, files[0]["sha256"]
        wl.snapshot_date, wl.entry_count, wl.imported_at, wl.imported_by = snap, total, now, actor
        wl.details = details
        session.flush()
    list_id = wl.id
    # Every distinct name is normalised once (aliases repeat across entries), in worker
    # processes for big lists while this process hashes the entries.
    distinct: dict[str, int] = {}
    for e in parsed.entries:
        distinct.setdefault(e.name, len(distinct))
        for text, _kind in e.aliases:
            distinct.setdefault(text, len(distinct))
    texts = list(distinct)
    pool = start_normalising(texts)
    # While the workers normalise: hash the entries and store everything that does not need the
    # normalised forms; then index and store the names chunk by chunk as the forms arrive.
    ids = allocate_ids(session, WatchlistEntry.__table__, total)
    name_count = sum(1 + len({t for t, _k in e.aliases} - {e.name}) for e in parsed.entries)
    name_ids = iter(allocate_ids(session, WatchlistName.__table__, name_count))
    chunks: list[list[dict[str, Any]]] = [[] for _ in range(len(texts) // _PARALLEL_CHUNK + 1)]
    entry_rows, ident_rows = [], []
    new_by_key: dict[str, tuple[int, str]] = {}
    for n, (eid, e) in enumerate(zip(ids, parsed.entries)):
        content = e.content_hash()
        new_by_key[e.key] = (eid, content)
        entry_rows.append({
            "id": eid, "list_id": list_id, "entry_key": e.key[:1000], "entity_type": e.entity_type[:40],
            "name": e.name, "programs": e.programs, "countries": e.countries,
            "remarks": e.remarks, "source_list": e.source_list, "content_hash": content,
            "data": e.data})
        for scheme, value, country in e.identifiers:
            ident_rows.append({"entry_id": eid, "scheme": scheme[:40], "value": value,
                               "match_key": identifier_key(scheme, value), "country": country})
        seen = set()
        for text, kind in [(e.name, "primary")] + list(e.aliases):
            if text in seen:
                continue
            seen.add(text)
            t = distinct[text]
            chunks[t // _PARALLEL_CHUNK].append({"id": next(name_ids), "entry_id": eid, "name": text,
                                                 "name_kind": kind[:40], "text": t})
        if n % 50000 == 49999:
            yield Progress(n + 1, total, f"hashed {n + 1:,} of {total:,} entries")
    for table, rows, label in ((WatchlistEntry.__table__, entry_rows, "entries"),
                               (WatchlistIdentifier.__table__, ident_rows, "identifiers")):
        for start in range(0, len(rows), _CHUNK):
            session.execute(insert(table), rows[start:start + _CHUNK])
            if start % 50000 == 0:
                yield Progress(start, len(rows), f"storing {label}: {start:,}")
    del entry_rows, ident_rows
    index = NameIndex()
    done = 0
    for start, forms in normalised_chunks(pool, texts):
        rows = chunks[start // _PARALLEL_CHUNK]
        for r in rows:
            r["normalized"], r["exact_only"] = forms[r.pop("text") - start]
            index.add(r["id"], r["entry_id"], r["normalized"], r["exact_only"])
        for at in range(0, len(rows), _CHUNK):
            session.execute(insert(WatchlistName.__table__), rows[at:at + _CHUNK])
        done += len(forms)
        yield Progress(done, len(texts), f"normalised and indexed {done:,} of {len(texts):,} names")
    yield Progress(total, total, "storing the screening index")
    save_list_index(session, list_id, index, fingerprint_of(wl))
    kept, reopened = _carry_decisions(session, list_name, list_id, new_by_key, snap)
    result = ImportResult(list_id=list_id, name=list_name, format=parsed.format, entries=total,
                          snapshot_date=snap, rows=parsed.rows,
                          skipped=[str(p) for p in parsed.problems],
                          duplicates=len(parsed.duplicates), renamed=list(parsed.renamed),
                          warnings=list(parsed.warnings),
                          kept_decisions=kept,
                          reopened=reopened, replaced=replaced)
    record_audit(session, "import", "watchlist", list_id,
                 before=before if replaced else None,
                 after={**result.as_json(), "skipped": result.skipped[:50],
                        "renamed_ids": result.renamed[:50], "files": files})
    changes_of(session).add("updated" if replaced else "created", "watchlist", list_id)
    forget_indexes()
    return result


# Below this many distinct names, worker processes cost more to start than they save.
PARALLEL_MIN = 100_000
_PARALLEL_CHUNK = 20_000


def start_normalising(texts: list[str]) -> Any:
    """Submit big batches of names to worker processes (None: normalise here instead)."""
    if len(texts) < PARALLEL_MIN or (os.cpu_count() or 1) < 2:
        return None
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from casedesk.services.screening.normalize import normalize_many

        # spawn, not fork: the GUI process has threads (Qt, the runner), which fork would copy
        # in an undefined state.
        # One core stays with this process, which hashes and stores entries meanwhile.
        executor = ProcessPoolExecutor(max_workers=max(1, min((os.cpu_count() or 2) - 1, 4)),
                                       mp_context=multiprocessing.get_context("spawn"))
        futures = [executor.submit(normalize_many, texts[i:i + _PARALLEL_CHUNK])
                   for i in range(0, len(texts), _PARALLEL_CHUNK)]
        return executor, futures
    except (OSError, RuntimeError, ImportError):  # no processes here (sandbox, frozen app)
        return None


def normalised_chunks(pool: Any, texts: list[str]) -> Iterator[tuple[int, list[tuple[str, bool]]]]:
    """(first text index, [(stored form, exact-only)]) per chunk, from the workers or made here."""
    from casedesk.services.screening.normalize import normalize_many

    next_start = 0
    if pool is not None:
        executor, futures = pool
        try:
            for start, future in zip(range(0, len(texts), _PARALLEL_CHUNK), futures):
                try:
                    forms = future.result()
                except Exception:  # a broken worker pool: finish here rather than fail the import
                    break
                yield start, forms
                next_start = start + _PARALLEL_CHUNK
        finally:  # also when the import is cancelled (GeneratorExit at the yield)
            executor.shutdown(wait=False, cancel_futures=True)
    for start in range(next_start, len(texts), _PARALLEL_CHUNK):
        yield start, normalize_many(texts[start:start + _PARALLEL_CHUNK])


def _carry_decisions(session: Session, list_name: str, list_id: int,
                     new_by_key: dict[str, tuple[int, str]], snapshot: str | None) -> tuple[int, int]:
    """Point existing hits at the new entries; re-open decided hits whose entry changed."""
    kept = reopened = 0
    hits = session.scalars(select(ScreeningHit).where(ScreeningHit.list_name == list_name)).all()
    for hit in hits:
        new = new_by_key.get(hit.entry_key)
        if new is None:
            hit.entry_id = None
            continue
        hit.entry_id, hit.list_id = new[0], list_id
        if hit.status == "open":
            continue
        if hit.entry_hash == new[1]:
            kept += 1
            continue
        before = {"status": hit.status, "reason": hit.reason}
        hit.reason = (f"re-opened: the list entry changed in the snapshot of {snapshot or 'the new file'}"
                      f" (was {hit.status}: {hit.reason})")[:2000]
        hit.status = "open"
        hit.updated_at = now_iso()
        reopened += 1
        record_audit(session, "reopen", "screening_hit", hit.id, case_id=hit.case_id,
                     record_id=hit.record_id, before=before,
                     after={"status": hit.status, "reason": hit.reason})
        changes_of(session).add("updated", "screening_hit", hit.id)
    session.flush()
    return kept, reopened


def list_watchlists(session: Session) -> list[dict[str, Any]]:
    """Every loaded list as plain data (the CLI's `watchlist list`)."""
    rows = session.execute(select(Watchlist).order_by(Watchlist.name)).scalars().all()
    return [{"list_id": w.id, "name": w.name, "format": w.format, "entries": w.entry_count,
             "snapshot_date": w.snapshot_date, "source_filename": w.source_filename,
             "source_sha256": w.source_sha256, "imported_at": w.imported_at,
             "imported_by": w.imported_by,
             # An older normaliser's forms are re-read before the next screening (list_forms).
             "forms_current": (w.details or {}).get("forms_version") == FORMS_VERSION}
            for w in rows]


def delete_watchlist(session: Session, list_id: int) -> None:
    """Remove a list and its entries (hits keep their decision, detached from the entry)."""
    from casedesk.domain.errors import NotFoundError

    wl = session.get(Watchlist, list_id)
    if wl is None:
        raise NotFoundError(f"no screening list with id {list_id}")
    entry_ids = select(WatchlistEntry.id).where(WatchlistEntry.list_id == list_id)
    session.execute(delete(WatchlistName).where(WatchlistName.entry_id.in_(entry_ids)))
    session.execute(delete(WatchlistIdentifier).where(WatchlistIdentifier.entry_id.in_(entry_ids)))
    session.execute(delete(WatchlistEntry).where(WatchlistEntry.list_id == list_id))
    record_audit(session, "delete", "watchlist", list_id,
                 before={"name": wl.name, "format": wl.format, "entries": wl.entry_count})
    session.delete(wl)
    session.flush()
    changes_of(session).add("deleted", "watchlist", list_id)
    forget_indexes()
