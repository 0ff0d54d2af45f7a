"""Benchmark: exporting and re-importing a 100,000-record, 300,000-link case.

Goals (issue 16): FtM export < 10 s, case pack export < 20 s, case pack import < 30 s, peak memory
< 1 GB. Each figure is compared with writing the same rows with the json module alone (the rows
already read into dicts, one json.dumps per row into a file): the ratio says what the format,
the database reads and the hashing cost on top.

The case is built by bench_analysis.build_case (ownership groups, fleets, data centres,
contracts, wallets), plus one evidence file cited by a record per 100.

Usage: python benchmarks/bench_exchange.py [--records 100000] [--links 300000]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desktop"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analysis import build_case  # noqa: E402

from casedesk.services.exchange import export_case  # noqa: E402
from casedesk.services.exchange.case_rows import CaseRows, ExportScope  # noqa: E402
from casedesk.services.exchange.casepack_in import import_casepack  # noqa: E402
from casedesk.services.progress import run_to_end  # noqa: E402
from casedesk.storage.workspace import open_workspace  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def json_baseline(ws, case_id: int, out: Path) -> float:  # noqa: ANN001
    with ws.read() as s:
        rows = CaseRows(s, ExportScope(case_id))
        recs, links = list(rows.records()), list(rows.links())
    start = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, default=str) + "\n")
        for lk in links:
            fh.write(json.dumps(lk, default=str) + "\n")
    return time.perf_counter() - start


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--links", type=int, default=300_000)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_exchange_"))
    ws = open_workspace(str(tmp / "source.casedesk"))
    t0 = time.perf_counter()
    case_id, _ = build_case(ws, args.records, args.links)
    with ws.read() as s:
        rows = CaseRows(s, ExportScope(case_id))
        n_rec, n_link = rows.count_records(), sum(1 for _ in rows.links())
    print(f"built case: {n_rec:,} records, {n_link:,} links in {time.perf_counter() - t0:.1f} s")
    base = json_baseline(ws, case_id, tmp / "baseline.jsonl")
    print(f"json alone, same rows:    {base:6.2f} s")
    figures = {}
    for fmt, name, goal in (("ftm", "case.ftm.jsonl", 10), ("graphml", "case.graphml", None),
                            ("csv", "csv", None), ("casepack", "case.casepack", 20)):
        start = time.perf_counter()
        result = run_to_end(export_case(ws, case_id, fmt, tmp / name))
        took = time.perf_counter() - start
        figures[fmt] = took
        size = (tmp / name).stat().st_size if (tmp / name).is_file() else 0
        print(f"export {fmt:<9} {took:6.2f} s  ({took / base:4.1f}x json alone; "
              f"{size / 1e6:,.0f} MB){'  goal < %d s' % goal if goal else ''}; "
              f"{result.records:,} records, {result.links:,} links")
    ws.dispose()
    fresh = open_workspace(str(tmp / "fresh.casedesk"))
    start = time.perf_counter()
    out = run_to_end(import_casepack(fresh, tmp / "case.casepack"))
    took = time.perf_counter() - start
    print(f"import casepack  {took:6.2f} s  ({took / base:4.1f}x json alone)  goal < 30 s; "
          f"{out.records:,} records, {out.links:,} links into a fresh workspace")
    fresh.dispose()
    print(f"peak memory (whole process, build included): {peak_mb():,.0f} MB  goal < 1024 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
