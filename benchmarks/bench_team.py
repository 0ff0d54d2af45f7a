"""Benchmark of team mode on PostgreSQL: 8 writer processes on one case and a watching window.

    CASEDESK_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_team.py [--seconds 60] [--writers 8] [--quick]

Creates a database of its own beside the one the URL names (casedesk_bench_<random>, dropped at
the end: the test database is never touched), one case with 20 shared parties and 20 links among
them, plus 20 parties of their own for each "cold" writer. Half the writers edit the shared
records and links, half their own. Each writer is a fresh process editing as the inspector does,
through the same services the window and `casedesk records edit` call: read the record or link
(its version and notes) in one transaction, then `update_record` / `update_link` with
`expected_version` set to the version read, in its own `Workspace.write()` transaction. An edit
appends a unique token to the notes, so a lost update (a write over a version it never saw) would
drop a token; a ConflictError is counted and the writer moves on (a user would reload and redo).

A watcher process runs the window's own live refresh (`ui.operations.live.LiveRefresh` on a
QCoreApplication: LISTEN/NOTIFY woken, reading `services.change_feed`), and notes when each audit
entry reached it; refresh latency is that time minus the writer's commit time (one clock: the
processes share the machine).

Printed: edits/s, conflicts, p50/p95 write latency, p50/p95 refresh latency, lost updates (tokens
missing from the final notes, version steps not matching successful edits) and `verify`'s verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOT = 20  # records (and links) every "hot" writer edits


def _pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- the database of its own

def _create_database(base_url: str) -> tuple[str, str]:
    """(name, URL) of a new empty database on the server base_url names."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"casedesk_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(base_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(base_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                     {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _seed(url: str, cold_writers: int) -> dict:
    """The case: shared parties and links, and each cold writer's own parties; returns their ids."""
    from casedesk.services.cases import create_case
    from casedesk.services.links import add_link
    from casedesk.services.records import RecordIn, create_record
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(url)
    try:
        with ws.write() as s:
            case_id = create_case(s, "Team benchmark case").id
            hot = [create_record(s, case_id, RecordIn("party", {"label": f"Shared party {i}"})).id
                   for i in range(HOT)]
            links = [add_link(s, case_id, "affiliate_of", hot[i], hot[(i + 1) % HOT]).id for i in range(HOT)]
            cold = [[create_record(s, case_id, RecordIn("party", {"label": f"Own party {w}.{i}"})).id
                     for i in range(HOT)] for w in range(cold_writers)]
    finally:
        ws.dispose()
    return {"case": case_id, "hot": hot, "links": links, "cold": cold}


# --------------------------------------------------------------------------- a writer process

def run_writer(url: str, index: int, records: list[int], links: list[int], go: Path, seconds: float,
               out: Path, seed: int) -> None:
    """Say ready, wait for the go file's start time, edit for seconds; write what happened to out as JSON."""
    from casedesk.domain.errors import ConflictError
    from casedesk.services.links import get_link, update_link
    from casedesk.services.records import get_record, update_record
    from casedesk.storage.workspace import open_workspace

    rng = random.Random(seed)
    ws = open_workspace(url, migrate=False)
    targets = [("record", r) for r in records] + [("link", k) for k in links]
    done: list[tuple[str, int, str]] = []  # (entity, id, token) of each committed edit
    latencies: list[float] = []
    commits: list[tuple[int, float]] = []  # (newest audit id the edit appended, commit time)
    conflicts = errors = 0
    first_error = ""
    with ws.read() as s:  # connected and every module imported before the clock starts
        get_record(s, records[0])
    out.with_suffix(".ready").touch()
    while not go.exists() or not go.read_text():
        time.sleep(0.005)
    start = float(go.read_text())
    while time.time() < start:
        time.sleep(0.001)
    deadline = start + seconds
    n = 0
    while time.time() < deadline:
        entity, target = rng.choice(targets)
        token = f"w{index}.{n};"
        n += 1
        try:
            with ws.read() as s:  # what the inspector shows: the version and the notes
                obj = get_record(s, target) if entity == "record" else get_link(s, target)
                seen, notes = obj.version, obj.notes or ""
            t0 = time.time()
            with ws.write() as s:
                if entity == "record":
                    update_record(s, target, {"notes": notes + token}, expected_version=seen)
                else:
                    update_link(s, target, {"notes": notes + token}, expected_version=seen)
            t1 = time.time()
        except ConflictError:
            conflicts += 1
            continue
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
            continue
        latencies.append(t1 - t0)
        done.append((entity, target, token))
        spans = ws.take_own_audit_spans()
        if spans:
            commits.append((spans[-1][1], t1))
    ws.dispose()
    out.write_text(json.dumps({"index": index, "done": done, "latencies": latencies, "commits": commits,
                               "conflicts": conflicts, "errors": errors, "first_error": first_error}))


# --------------------------------------------------------------------------- the watching window

def run_watcher(url: str, out: Path, stop_file: Path) -> None:
    """The window's LiveRefresh on its own: note (time, newest audit id) of each foreign change seen."""
    from PySide6.QtCore import QCoreApplication, QTimer

    from casedesk.storage.workspace import open_workspace
    from casedesk.ui.operations.core import Operations
    from casedesk.ui.operations.live import LiveRefresh
    from casedesk.ui.tasks import TaskRunner

    app = QCoreApplication([])
    ws = open_workspace(url, migrate=False)
    runner = TaskRunner()
    ops = Operations(ws, runner)
    live = LiveRefresh(ops)
    seen: list[tuple[float, int]] = []
    live.foreign.connect(lambda found: seen.append((time.time(), found.last_id)))
    live.start()
    stopper = QTimer()
    stopper.setInterval(100)
    stopper.timeout.connect(lambda: app.quit() if stop_file.exists() else None)
    stopper.start()
    print(json.dumps({"ready": True, "listening": live.listening}), flush=True)
    app.exec()
    live.stop()
    runner.shutdown()
    ws.dispose()
    out.write_text(json.dumps({"seen": seen, "listening": live.listening}))


# --------------------------------------------------------------------------- the run

def _child(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:  # noqa: ANN003
    return subprocess.Popen([sys.executable, __file__, *args], env=env, **kwargs)


def _env(folder: Path, name: str) -> dict[str, str]:
    """A fresh install for each process: its own preferences, signing key and head receipt."""
    env = dict(os.environ)
    for var in ("CASEDESK_CONFIG", "CASEDESK_DATA_DIR"):
        path = folder / name / var.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    return env


def _refresh_latencies(commits: list[tuple[int, float]], seen: list[tuple[float, int]]) -> tuple[list[float], int]:
    """For each commit, when the watcher first saw an audit id at least as new; and how many it never saw."""
    seen = sorted(seen, key=lambda item: (item[1], item[0]))
    out, missed, j = [], 0, 0
    for last_id, at in sorted(commits):
        while j < len(seen) and seen[j][1] < last_id:
            j += 1
        if j == len(seen):
            missed += 1
            continue
        # the watcher's newest id only grows, so the first sighting this new is the earliest
        out.append(max(0.0, seen[j][0] - at))
    return out, missed


def _check(url: str, seed: dict, results: list[dict]) -> dict:
    """Lost updates (tokens missing, versions not matching), then verify."""
    from casedesk.services.links import get_link
    from casedesk.services.records import get_record
    from casedesk.services.verify import verify_workspace
    from casedesk.storage.workspace import open_workspace

    expected: dict[tuple[str, int], set[str]] = {}
    for r in results:
        for entity, target, token in r["done"]:
            expected.setdefault((entity, target), set()).add(token)
    ws = open_workspace(url, migrate=False)
    lost = extra = version_mismatch = 0
    try:
        with ws.read() as s:
            targets = [("record", i) for i in seed["hot"] + sum(seed["cold"], [])]
            targets += [("link", i) for i in seed["links"]]
            for entity, target in targets:
                obj = get_record(s, target) if entity == "record" else get_link(s, target)
                found = {t + ";" for t in (obj.notes or "").split(";") if t}
                want = expected.get((entity, target), set())
                lost += len(want - found)
                extra += len(found - want)
                version_mismatch += obj.version != 1 + len(want)
        report = verify_workspace(ws)
    finally:
        ws.dispose()
    return {"lost": lost, "extra": extra, "version_mismatch": version_mismatch, "verify_ok": report.ok,
            "problems": [str(p) for p in report.problems[:5]], "audit_entries": report.audit_entries}


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="10 seconds instead of 60")
    parser.add_argument("--role", choices=["writer", "watcher"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--targets", help=argparse.SUPPRESS)
    parser.add_argument("--go", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--stop-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "writer":
        targets = json.loads(args.targets)
        run_writer(args.url, args.index, targets["records"], targets["links"], Path(args.go), args.seconds,
                   Path(args.out), seed=args.index)
        return
    if args.role == "watcher":
        run_watcher(args.url, Path(args.out), Path(args.stop_file))
        return
    seconds = 10.0 if args.quick else args.seconds
    base = os.environ.get("CASEDESK_TEST_PG_URL", DEFAULT_URL)
    hot_writers = args.writers // 2
    cold_writers = args.writers - hot_writers
    from sqlalchemy.exc import OperationalError

    try:
        name, url = _create_database(base)
    except OperationalError as exc:  # `make bench` on a machine without the server goes on
        print(f"bench_team: skipped, no PostgreSQL server at {base} (set CASEDESK_TEST_PG_URL): "
              f"{str(exc.orig).strip().splitlines()[0]}")
        return
    folder = Path(tempfile.mkdtemp(prefix="casedesk-bench-team-"))
    children: list[subprocess.Popen] = []
    try:
        seed = _seed(url, cold_writers)
        stop_file = folder / "stop"
        watcher = _child(["--role", "watcher", "--url", url, "--out", str(folder / "watcher.json"),
                          "--stop-file", str(stop_file)], _env(folder, "watcher"),
                         stdout=subprocess.PIPE, text=True)
        children.append(watcher)
        ready = json.loads(watcher.stdout.readline())
        go = folder / "go"
        writers = []
        for w in range(args.writers):
            if w < hot_writers:
                targets = {"records": seed["hot"], "links": seed["links"]}
            else:
                targets = {"records": seed["cold"][w - hot_writers], "links": []}
            writers.append(_child(["--role", "writer", "--url", url, "--index", str(w),
                                   "--targets", json.dumps(targets), "--go", str(go),
                                   "--seconds", str(seconds), "--out", str(folder / f"writer{w}.json")],
                                  _env(folder, f"writer{w}")))
        children += writers
        while not all((folder / f"writer{w}.ready").exists() for w in range(args.writers)):
            if any(p.poll() is not None for p in writers):
                raise SystemExit("a writer process ended before it was ready")
            time.sleep(0.05)
        (folder / "go.tmp").write_text(str(time.time() + 0.5))
        (folder / "go.tmp").replace(go)  # all at once, half a second from now
        for p in writers:
            p.wait()
        time.sleep(6.0)  # the watcher's safety read comes every 5 s: let it see the last commits
        stop_file.touch()
        watcher.wait(timeout=60)
        results = [json.loads((folder / f"writer{w}.json").read_text()) for w in range(args.writers)]
        seen = json.loads((folder / "watcher.json").read_text())["seen"]
        checked = _check(url, seed, results)
    finally:
        for child in children:  # only after a failure are any of ours still running
            if child.poll() is None:
                child.kill()
                child.wait()
        _drop_database(base, name)
    edits = sum(len(r["done"]) for r in results)
    conflicts = sum(r["conflicts"] for r in results)
    errors = sum(r["errors"] for r in results)
    hot_edits = sum(len(r["done"]) for r in results[:hot_writers])
    hot_conflicts = sum(r["conflicts"] for r in results[:hot_writers])
    latencies = [x for r in results for x in r["latencies"]]
    refresh, missed = _refresh_latencies([c for r in results for c in r["commits"]], seen)
    print(f"team mode on PostgreSQL: {args.writers} writer processes for {seconds:.0f} s "
          f"({hot_writers} on the same {HOT} records and {HOT} links, {cold_writers} on {HOT} records each); "
          f"watcher {'woken by LISTEN/NOTIFY' if ready['listening'] else 'polling'}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"  edits committed           {edits:,} ({edits / seconds:.1f} edits/s; "
          f"shared targets {hot_edits:,}, own records {edits - hot_edits:,})")
    print(f"  conflicts detected        {conflicts:,} (on shared targets {hot_conflicts:,}; "
          f"{conflicts / max(1, conflicts + edits):.1%} of attempts)")
    print(f"  other errors              {errors}" + (f" (first: {results_first_error(results)})" if errors else ""))
    print(f"  write latency             p50 {_pct(latencies, .5) * 1000:.1f} ms, "
          f"p95 {_pct(latencies, .95) * 1000:.1f} ms, max {max(latencies, default=0) * 1000:.0f} ms")
    print(f"  refresh latency (watcher) p50 {_pct(refresh, .5) * 1000:.0f} ms, "
          f"p95 {_pct(refresh, .95) * 1000:.0f} ms, max {max(refresh, default=0) * 1000:.0f} ms "
          f"({len(refresh):,} commits seen, {missed} never seen)")
    print(f"  lost updates              {checked['lost']} tokens missing, {checked['extra']} unexpected, "
          f"{checked['version_mismatch']} versions off")
    print(f"  verify                    {'ok' if checked['verify_ok'] else 'FAILED'} "
          f"({checked['audit_entries']:,} audit entries)" + "".join(f"\n    {p}" for p in checked["problems"]))


def results_first_error(results: list[dict]) -> str:
    """The first error any writer met (for the summary line)."""
    return next((r["first_error"] for r in results if r["first_error"]), "")


if __name__ == "__main__":
    main()
