"""Benchmark verify's state check with the rows around records: a workspace of N records and 2N
links, one citation per record, and events, findings and screening hits (all audited as the app
writes them). Prints the state check split into records/links/evidence and the new row check.

Usage: python benchmarks/bench_verify_rows.py [--records N] [--db PATH]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from bench_foundation import make_items, make_links
from sqlalchemy import select

from casedesk.domain.clock import now_iso
from casedesk.domain.models import Case, Event, Finding
from casedesk.domain.watchlists import ScreeningHit
from casedesk.services.audit import record_audit_bulk
from casedesk.services.bulk import bulk_cite, bulk_create_links, bulk_create_records
from casedesk.services.cases import create_case
from casedesk.services.evidence import attach_evidence
from casedesk.services.verify_rows import row_problems
from casedesk.services.verify_state import state_problems
from casedesk.storage.workspace import open_workspace


def _fill(ws, n: int, rng: random.Random) -> None:  # noqa: ANN001
    with ws.write() as s:
        case_id = create_case(s, "benchmark").id
    items = make_items(n, rng)
    with ws.write() as s:
        ids = bulk_create_records(s, case_id, items)
    with ws.write() as s:
        bulk_create_links(s, case_id, make_links(ids, items, 2 * n, rng))
    with ws.write() as s:
        ev = attach_evidence(s, case_id, b"register extract", title="Register").id
        bulk_cite(s, case_id, ev, [(rid, None, f"row {i}", "named") for i, rid in enumerate(ids)])
    now = now_iso()
    with ws.write() as s:
        audit = []
        for i, rid in enumerate(ids[: n // 10]):
            e = Event(case_id=case_id, record_id=rid, title=f"event {i}", on="2024-05", created_at=now)
            f = Finding(case_id=case_id, rule="manual", subject_key=f"k{i}", severity="medium",
                        title=f"finding {i}", record_ids=[rid], created_at=now, updated_at=now)
            h = ScreeningHit(case_id=case_id, record_id=rid, list_name="L", entry_key=f"E{i}",
                             entry_name="x", entry_hash="h", score=90.0, created_at=now, updated_at=now)
            s.add_all([e, f, h])
            s.flush()
            audit += [("create", "event", e.id, case_id, rid, None, {"title": e.title, "on": e.on,
                                                                   "until": None, "description": ""}),
                      ("create", "finding", f.id, case_id, None, None,
                       {"rule": "manual", "severity": "medium", "title": f.title, "record_ids": [rid],
                        "status": "open", "reason": ""}),
                      ("create", "screening_hit", h.id, case_id, rid, None,
                       {"list": "L", "entry_key": h.entry_key, "entry_name": "x", "score": 90.0})]
        record_audit_bulk(s, audit)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--db")
    args = ap.parse_args()
    db = args.db or str(Path(tempfile.mkdtemp()) / "bench.casedesk")
    fresh = not Path(db).exists()
    ws = open_workspace(db)
    t0 = time.perf_counter()
    if fresh:  # an existing --db is measured as it is
        _fill(ws, args.records, random.Random(7))
    print(f"workspace: {db}")
    print(f"filled {args.records:,} records, {2 * args.records:,} links, {args.records:,} citations, "
          f"{args.records // 10:,} each of events, findings, hits in {time.perf_counter() - t0:.1f} s")
    with ws.read() as s:
        cases = set(s.scalars(select(Case.id)))
        t0 = time.perf_counter()
        rows = list(row_problems(s, cases))
        t_rows = time.perf_counter() - t0
        t0 = time.perf_counter()
        state = list(state_problems(s))
        t_state = time.perf_counter() - t0
    print(f"row check (findings, hits, events, citations): {t_rows:.2f} s, {len(rows)} problems")
    print(f"whole state check (records, links, evidence and the rows): {t_state:.2f} s, {len(state)} problems")
    ws.dispose()


if __name__ == "__main__":
    main()
