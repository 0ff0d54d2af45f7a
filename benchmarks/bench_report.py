"""Benchmark the PDF dossier: demo case, a 1,000-party / 3,000-link case, and long-table speed.

Run: .venv/bin/python benchmarks/bench_report.py [--runs N]
Prints one line per measurement (median and min–max of N runs). Goals (issue #7): demo dossier
< 3 s; 1,000 parties + 3,000 links < 15 s; long tables >= 40 pages/s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from casedesk.services.cases import create_case
from casedesk.services.demo import load_demo_case
from casedesk.services.progress import run_to_end
from casedesk.services.records import AliasIn, IdentifierIn, RecordIn
from casedesk.storage.workspace import open_workspace

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
WORDS = ("Compute", "Cloud", "Holdings", "Digital", "Data", "Tech", "Capital", "Systems", "Global",
         "Networks", "Partners", "Ventures", "Labs", "Infra", "Quantum")


def big_case(ws, parties: int, links: int, seed: int = 7) -> int:  # noqa: ANN001
    """A synthetic case: parties (mixed scripts, aliases, identifiers), ownership links, evidence."""
    from casedesk.services.bulk import bulk_create_links, bulk_create_records
    from casedesk.services.evidence import attach_evidence, cite

    rng = random.Random(seed)
    with ws.write() as s:
        case_id = create_case(s, f"Synthetic case: {parties:,} parties, {links:,} links").id
        items = []
        for i in range(parties):
            if i % 3 == 0:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) + "科技有限公司"
                aliases = [AliasIn(f"{rng.choice(WORDS)} {rng.choice(WORDS)} Co., Ltd. {i}", "Latn", "en", "trade")]
            else:
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)} {i} Pte. Ltd."
                aliases = []
            items.append(RecordIn("party", {
                "label": name, "party_kind": "company", "country": rng.choice(["CN", "SG", "US", "AE", "HK"]),
                "notes": "Synthetic record for the benchmark. " * rng.randint(0, 6)},
                aliases=aliases,
                identifiers=[IdentifierIn("COMPANY_NUMBER", f"C{i:08d}")] if i % 4 == 0 else []))
        ids = bulk_create_records(s, case_id, items)
        pairs = set()
        while len(pairs) < links:
            a, b = rng.sample(ids, 2)
            pairs.add((a, b))
        bulk_create_links(s, case_id, [("owns", a, b, {"share_pct": float(rng.randint(1, 100))})
                                       for a, b in sorted(pairs)])
        ev = attach_evidence(s, case_id, b"synthetic registry extract", title="Registry extract",
                             grade="B2")
        for rid in ids[: parties // 2]:
            cite(s, ev.id, record_id=rid, locator=f"row {rid}")
    return case_id


def long_table_case(ws, rows: int) -> int:  # noqa: ANN001
    """A case whose dossier is mostly one long table: many dated events on one party."""
    from casedesk.domain.clock import now_iso
    from casedesk.domain.models import Event
    from casedesk.services.records import create_record
    from sqlalchemy import insert

    with ws.write() as s:
        case_id = create_case(s, f"Long timeline: {rows:,} events").id
        party = create_record(s, case_id, RecordIn("party", {"label": "Shanghai 上海 Trading Ltd"})).id
        now = now_iso()
        s.execute(insert(Event), [
            {"case_id": case_id, "record_id": party, "title": f"Shipment {i} of servers 服务器 cleared",
             "on": f"{2020 + i % 5}-{1 + i % 12:02d}", "created_at": now, "description": ""}
            for i in range(rows)])
    return case_id


def timed_report(ws, case_id: int, out: Path) -> tuple[float, dict]:  # noqa: ANN001
    from casedesk.services.reporting import write_report

    start = time.perf_counter()
    with ws.read() as s:
        result = run_to_end(write_report(s, case_id, out))
    return time.perf_counter() - start, result


def phases(ws, case_id: int) -> tuple[float, float, int]:  # noqa: ANN001
    """Seconds for the data step and the render step, and the page count."""
    from casedesk.services.reporting import build_dossier
    from casedesk.services.reporting.render import render_bytes

    t0 = time.perf_counter()
    with ws.read() as s:
        dossier = build_dossier(s, case_id)
    t1 = time.perf_counter()
    _data, pages = render_bytes(dossier)
    return t1 - t0, time.perf_counter() - t1, pages


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ws = open_workspace(str(folder / "bench.casedesk"))
        with ws.write() as s:
            demo = load_demo_case(s).id
        first, result = timed_report(ws, demo, folder / "demo.pdf")
        print(f"demo dossier, first in process (fonts loaded): {first:.2f} s, {result['pages']} pages")
        runs = [timed_report(ws, demo, folder / "demo.pdf")[0] for _ in range(args.runs)]
        print(f"demo dossier (write_report, goal < 3 s): {summary(runs)}")
        runs = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "casedesk", "--db", str(folder / "bench.casedesk"), "report",
                            "--case", str(demo), "-o", str(folder / "cli.pdf"), "--json"],
                           check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
        print(f"demo dossier, `casedesk report` in a fresh process (imports included): {summary(runs)}")

        big = big_case(ws, 1000, 3000)
        runs, data_t, render_t = [], [], []
        for _ in range(args.runs):
            seconds, result = timed_report(ws, big, folder / "big.pdf")
            runs.append(seconds)
        for _ in range(args.runs):
            d, r, pages = phases(ws, big)
            data_t.append(d)
            render_t.append(r)
        print(f"1,000 parties + 3,000 links (goal < 15 s): {summary(runs)}, {result['pages']} pages; "
              f"data step {summary(data_t)}, render {summary(render_t)}")

        rows = 10000
        long_case = long_table_case(ws, rows)
        rates = []
        for _ in range(args.runs):
            d, r, pages = phases(ws, long_case)
            rates.append(pages / r)
        print(f"long table ({rows:,} rows, {pages} pages; goal >= 40 pages/s): "
              f"{statistics.median(rates):.0f} pages/s ({min(rates):.0f}–{max(rates):.0f}, n={len(rates)}), "
              f"render {r:.2f} s, data step {d:.2f} s")
        ws.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
