"""SIGKILL a command-line edit at random moments, 20 times a backend: after every kill the workspace
opens and verifies, and the edit is there whole (with its audit entry) or not there at all."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from factories import make_case, make_party
from sqlalchemy import create_engine, func, select, text

from casedesk.domain.models import AuditEntry, Link, Record
from casedesk.services.verify import verify_workspace
from casedesk.storage.workspace import open_workspace

pytestmark = pytest.mark.slow

TRIES = 20
# PostgreSQL's lock that serialises writers (storage.workspace): held from a write's start to its end
_WRITER_LOCK = 7270301
# `--seed N` is not a pytest option: a failing run prints its seed, CASEDESK_CRASH_SEED replays it
SEED = int(os.environ.get("CASEDESK_CRASH_SEED", random.SystemRandom().randrange(1 << 30)))


@dataclass
class Target:
    """A workspace under test: where it is, and the ids the edits work on."""

    db: str
    case_id: int
    hub: int
    others: list[int]


def _spawn(db: str, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "casedesk", "--db", db, *args, "--json"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=os.environ.copy())


def _snapshot(ws, target: Target) -> dict:  # noqa: ANN001
    with ws.read() as s:
        hub = s.get(Record, target.hub)
        return {"audit": s.scalar(select(func.count()).select_from(AuditEntry)),
                "notes": hub.notes, "version": hub.version}


def _edits(target: Target, marker: str, i: int, version: int) -> list[str]:
    """The i-th try's command: an edit, an addition or a link, in turn."""
    kind = i % 3
    if kind == 0:
        return ["records", "edit", str(target.hub), "--set", f"notes={marker}", "--expect-version", str(version)]
    if kind == 1:
        return ["records", "add", "--case", str(target.case_id), "--kind", "party", "--label", marker,
                "--set", "party_kind=company", "--set", "country=SG"]
    return ["links", "add", "--case", str(target.case_id), "--type", "affiliate_of", "--from", str(target.hub),
            "--to", str(target.others[i // 3]), "--set", f"notes={marker}"]


def _outcome(ws, target: Target, marker: str, i: int, before: dict) -> str:  # noqa: ANN001
    """'whole' or 'absent'; fails the test on anything in between."""
    with ws.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.after.contains(marker))).all()
        audit_now = s.scalar(select(func.count()).select_from(AuditEntry))
        hub = s.get(Record, target.hub)
        if i % 3 == 0:
            there = hub.notes == marker
            assert hub.version == before["version"] + (1 if there else 0), (marker, hub.version, before)
            assert there or hub.notes == before["notes"], (marker, hub.notes, before)
            objects = [hub.id] if there else []
            entity = "record"
        elif i % 3 == 1:
            objects = list(s.scalars(select(Record.id).where(Record.label == marker)))
            entity = "record"
        else:
            objects = list(s.scalars(select(Link.id).where(Link.notes == marker)))
            entity = "link"
    assert len(objects) <= 1, (marker, objects)
    # the audit entry exists exactly when the change does, names it, and nothing else was appended
    assert [(e.entity, e.entity_id) for e in entries] == [(entity, oid) for oid in objects], (marker, entries)
    assert audit_now - before["audit"] == len(entries), (marker, audit_now, before)
    return "whole" if objects else "absent"


def _kill_after(proc: subprocess.Popen, started: Callable[[], bool] | None, delay: float) -> None:
    """SIGKILL proc `delay` seconds after `started()` first holds (or after its start, without one)."""
    if started is not None:
        deadline = time.monotonic() + 60
        while proc.poll() is None and not started() and time.monotonic() < deadline:
            time.sleep(0.0005)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)


def _run_kills(target: Target, writing: Callable[[], Callable[[], bool]]) -> None:
    rng = random.Random(SEED)
    # one whole run first: how long an edit takes on this machine now, so kills spread over all of it
    t0 = time.monotonic()
    warm = _spawn(target.db, ["records", "edit", str(target.hub), "--set", "notes=warm-up"])
    assert warm.wait(120) == 0, warm.stderr.read().decode()
    span = time.monotonic() - t0
    outcomes: list[tuple[str, str]] = []
    for i in range(TRIES):
        ws = open_workspace(target.db)
        try:
            before = _snapshot(ws, target)
        finally:
            ws.dispose()
        marker = f"crash-try-{SEED}-{i}"
        # half the kills anywhere in the run (start-up, opening, writing, exit); half once the
        # process has begun to write, within the next few milliseconds (the commit and after)
        mid_write = i % 2 == 1
        started = writing() if mid_write else None
        delay = rng.uniform(0, 0.03) if mid_write else rng.uniform(0.05, span * 1.1)
        proc = _spawn(target.db, _edits(target, marker, i, before["version"]))
        killer = threading.Thread(target=_kill_after, args=(proc, started, delay))
        killer.start()
        rc = proc.wait(120)
        killer.join()
        err = proc.stderr.read().decode()
        assert rc in (0, -signal.SIGKILL), f"try {i} (seed {SEED}): exit {rc}: {err}"
        ws = open_workspace(target.db)  # opens after the kill
        try:
            report = verify_workspace(ws)
            assert report.ok, f"try {i} (seed {SEED}, killed {rc != 0}): {[str(p) for p in report.problems]}"
            outcomes.append((_outcome(ws, target, marker, i, before), "killed" if rc else "finished"))
        finally:
            ws.dispose()
    print(f"seed {SEED}, one edit {span:.2f} s: {outcomes}", file=sys.stderr)
    # the test would prove little if no kill ever landed before the edit was done
    assert sum(1 for _, how in outcomes if how == "killed") >= TRIES // 2, outcomes
    assert any(state == "absent" for state, _ in outcomes), outcomes


def _setup(db: str) -> Target:
    ws = open_workspace(db)
    try:
        with ws.write() as s:
            case_id = make_case(s, "Crash case")
            hub = make_party(s, case_id, "Harbor Compute Pte. Ltd.")
            others = [make_party(s, case_id, f"Affiliate {n}") for n in range(TRIES // 3 + 1)]
    finally:
        ws.dispose()
    return Target(db, case_id, hub, others)


def test_sigkill_during_cli_edits_on_sqlite_leaves_each_edit_whole_or_absent(tmp_path: Path):
    db = tmp_path / "crash.casedesk"
    target = _setup(str(db))
    wal = Path(f"{db}-wal")

    def writing() -> Callable[[], bool]:
        # SQLite writes a transaction's pages into the write-ahead log as it commits
        return lambda: wal.exists() and wal.stat().st_size > 0

    _run_kills(target, writing)


def test_sigkill_during_cli_edits_on_postgresql_leaves_each_edit_whole_or_absent(pg_url: str):
    target = _setup(pg_url)
    watcher = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    conn = watcher.connect()
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :lock AND granted")

    def writing() -> Callable[[], bool]:
        # a writer holds the writers' lock from the start of its transaction to its commit
        return lambda: conn.execute(query, {"lock": _WRITER_LOCK}).scalar() > 0

    try:
        _run_kills(target, writing)
    finally:
        conn.close()
        watcher.dispose()
