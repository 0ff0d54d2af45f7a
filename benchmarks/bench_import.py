"""Import benchmark: 100k-row parties CSV and 1M-row transactions export, end to end; prints figures.

Measures what an investigator waits for: `run_import` from file to commit (read, validate,
dedupe against the case, insert, cite, audit), on a fresh SQLite workspace whose case already holds
1,000 parties (so fuzzy matching has work to do). Compares with raw sqlite3.executemany of the same
rows into the record and party tables, and measures the 1M-row import's peak memory (RSS) in a
child process.

    .venv/bin/python benchmarks/bench_import.py [--quick] [--skip-million] [--runs N]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "desktop"))

WORDS = [
    "Aurora",
    "Compute",
    "Lingxi",
    "Pacific",
    "Dragon",
    "Summit",
    "Harbor",
    "Quantum",
    "Nova",
    "Silk",
    "Road",
    "Orient",
    "Cloud",
    "Data",
    "Peak",
    "Jade",
    "Lotus",
    "Golden",
    "Star",
    "River",
]
FORMS = ["Ltd", "Limited", "Pte. Ltd.", "Co., Ltd.", "Holdings Ltd", "Sdn. Bhd.", "LLC", "Inc."]
HAN = "华为腾讯阿里巴巴浪潮曙光中芯国际海光寒武纪百度字节跳动商汤旷视云从依图智谱月之暗面科技有限公司集团股份"
COUNTRIES = [
    "CN",
    "HK",
    "SG",
    "MY",
    "US",
    "Singapore",
    "China",
    "Hong Kong",
    "United Arab Emirates",
    "TW",
]


def _lei(n: int) -> str:
    from stdnum.iso7064 import mod_97_10  # LEI check digits are ISO 7064 MOD 97-10

    base = f"5493{n:014d}"[:18]
    return base + mod_97_10.calc_check_digits(base)


def make_parties(path: Path, rows: int, seed: int = 7) -> None:
    """A parties-preset CSV: Latin and Chinese company names, countries, aliases, some LEIs."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "name",
                "kind",
                "country",
                "headquarters_country",
                "aliases",
                "identifiers",
                "website",
                "notes",
                "registry_source",
            ]
        )
        for i in range(rows):
            if i % 3 == 0:
                name = "".join(rnd.choice(HAN) for _ in range(rnd.randint(4, 10))) + f"{i}有限公司"
            else:
                name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i} {rnd.choice(FORMS)}"
            ident = f"LEI:{_lei(i)}" if i % 10 == 0 else ""
            w.writerow(
                [
                    name,
                    "company",
                    rnd.choice(COUNTRIES),
                    rnd.choice(COUNTRIES) if i % 4 == 0 else "",
                    f"{name.split()[0]} Group;{name[:6]}" if i % 5 == 0 else "",
                    ident,
                    f"https://example.com/{i}" if i % 7 == 0 else "",
                    "",
                    f"extract {i % 50}",
                ]
            )


def make_transactions(path: Path, rows: int, addresses: int, seed: int = 11) -> None:
    """An Etherscan-layout export: `rows` transfers among `addresses` distinct wallets."""
    rnd = random.Random(seed)
    pool = ["0x" + hashlib.sha256(f"a{i}".encode()).hexdigest()[:40] for i in range(addresses)]
    t0 = 1_700_000_000
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(
            [
                "Txhash",
                "Blockno",
                "UnixTimestamp",
                "DateTime (UTC)",
                "From",
                "To",
                "ContractAddress",
                "Value_IN(ETH)",
                "Value_OUT(ETH)",
                "CurrentValue @ $3456.78/Eth",
                "TxnFee(ETH)",
                "TxnFee(USD)",
                "Historical $Price/Eth",
                "Status",
                "ErrCode",
                "Method",
            ]
        )
        for i in range(rows):
            ts = t0 + i * 13
            src, dst = rnd.sample(pool, 2)
            value = f"{rnd.random() * 10:.6f}"
            w.writerow(
                [
                    f"0x{i:064x}",
                    str(18_000_000 + i),
                    str(ts),
                    time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts)),
                    src,
                    dst,
                    "",
                    "0",
                    value,
                    "",
                    "0.000420",
                    "1.45",
                    "3012.5",
                    "",
                    "",
                    "Transfer",
                ]
            )


def _workspace(tmp: Path, existing: int):  # noqa: ANN202
    from casedesk.services.bulk import bulk_create_records
    from casedesk.services.cases import create_case
    from casedesk.services.records import RecordIn
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(str(tmp / f"ws-{time.monotonic_ns()}.casedesk"))
    with ws.write() as s:
        case_id = create_case(s, "Benchmark case").id
        rnd = random.Random(3)
        bulk_create_records(
            s,
            case_id,
            [
                RecordIn(
                    "party",
                    {
                        "label": f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} "
                        f"Existing {i} {rnd.choice(FORMS)}"
                    },
                )
                for i in range(existing)
            ],
        )
    return ws, case_id


def bench_parties(tmp: Path, rows: int, runs: int) -> dict:
    from casedesk.services.importing import load_preset, run_import
    from casedesk.services.progress import run_to_end

    path = tmp / "parties.csv"
    make_parties(path, rows)
    times = []
    for _ in range(runs):
        ws, case_id = _workspace(tmp, 1000)
        start = time.perf_counter()
        result = run_to_end(run_import(ws, case_id, path, load_preset("parties")))
        times.append(time.perf_counter() - start)
        assert result.created == rows, result.as_json()
        ws.dispose()
    raw = []
    for _ in range(runs):
        raw.append(_raw_executemany(tmp, path))
    med, raw_med = statistics.median(times), statistics.median(raw)
    return {
        "rows": rows,
        "runs": runs,
        "median_s": med,
        "min_s": min(times),
        "max_s": max(times),
        "rows_per_s": rows / med,
        "raw_median_s": raw_med,
        "raw_rows_per_s": rows / raw_med,
        "ratio": med / raw_med,
        "mb": path.stat().st_size / 1e6,
    }


def _raw_executemany(tmp: Path, path: Path) -> float:
    """The floor: the same rows into record + party with sqlite3.executemany, no checks, no audit."""
    ws, case_id = _workspace(tmp, 0)
    db = ws.target
    ws.dispose()
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    con = sqlite3.connect(db)
    con.execute("BEGIN IMMEDIATE")
    first = (con.execute("SELECT coalesce(max(id), 0) FROM record").fetchone()[0]) + 1
    now = "2026-11-25T00:00:00Z"
    con.executemany(
        "INSERT INTO record (id, case_id, kind, label, notes, tags, sensitive, created_at, "
        "updated_at, version) VALUES (?, ?, 'party', ?, '', '[]', 0, ?, ?, 1)",
        [(first + i, case_id, r[0], now, now) for i, r in enumerate(rows)],
    )
    con.executemany(
        "INSERT INTO party (id, party_kind, country, hq_country, website, description) "
        "VALUES (?, 'company', ?, ?, ?, '')",
        [(first + i, r[2][:2], r[3][:2] or None, r[6]) for i, r in enumerate(rows)],
    )
    con.commit()
    con.close()
    return time.perf_counter() - start


_CHILD = """
import sys, time, resource, json
sys.path.insert(0, {desktop!r})
from casedesk.storage.workspace import open_workspace
from casedesk.services.importing import load_preset, run_import
from casedesk.services.progress import run_to_end
ws = open_workspace({db!r})
start = time.perf_counter()
job = run_import(ws, {case_id}, {path!r}, load_preset("transactions"))
phases = {{}}
try:
    while True:
        step = next(job)
        phases.setdefault(step.message.split("…")[0], time.perf_counter() - start)
except StopIteration as stop:
    result = stop.value
elapsed = time.perf_counter() - start
committing = phases.get("Committing", elapsed)
ws.dispose()  # closing the last connection checkpoints the WAL into the database file
closed = time.perf_counter() - start
print(json.dumps({{"elapsed": elapsed, "commit_s": elapsed - committing, "closed": closed,
                  "rows": result.rows, "created": result.created, "links": result.links,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def bench_million(tmp: Path, rows: int, addresses: int) -> dict:
    import json

    path = tmp / "transactions.csv"
    t = time.perf_counter()
    make_transactions(path, rows, addresses)
    gen = time.perf_counter() - t
    ws, case_id = _workspace(tmp, 0)
    db = ws.target
    ws.dispose()
    code = _CHILD.format(desktop=str(ROOT / "desktop"), db=db, case_id=case_id, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures.update(
        {
            "mb": path.stat().st_size / 1e6,
            "generate_s": gen,
            "addresses": addresses,
            "db_mb": Path(db).stat().st_size / 1e6,
        }
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k parties, 100k transactions")
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start "
        f"(other processes compete for the same cores; see docs/performance.md)"
    )
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        n = 10_000 if args.quick else 100_000
        p = bench_parties(tmp, n, args.runs)
        print(
            f"parties preset, {p['rows']:,} rows ({p['mb']:.1f} MB), case with 1,000 parties, "
            f"{p['runs']} runs:"
        )
        print(
            f"  end to end        median {p['median_s']:.2f} s (min {p['min_s']:.2f}, max {p['max_s']:.2f}) "
            f"= {p['rows_per_s']:,.0f} rows/s   [goal >= 25,000 rows/s]"
        )
        print(
            f"  raw executemany   median {p['raw_median_s']:.3f} s = {p['raw_rows_per_s']:,.0f} rows/s "
            f"(record + party rows only: no checks, dedupe, citations or audit)"
        )
        print(f"  ratio             import takes {p['ratio']:.1f}x the raw insert")
        if not args.skip_million:
            rows = 100_000 if args.quick else 1_000_000
            m = bench_million(tmp, rows, rows // 10)
            print(
                f"transactions preset, {m['rows']:,} rows ({m['mb']:.0f} MB), {m['addresses']:,} distinct "
                f"addresses, one run in a child process:"
            )
            print(
                f"  end to end        {m['elapsed']:.1f} s = {m['rows'] / m['elapsed']:,.0f} rows/s   "
                f"[goal < 60 s for 1M]"
            )
            print(f"  of which commit   {m['commit_s']:.1f} s; closing the workspace (WAL checkpoint) "
                  f"{m['closed'] - m['elapsed']:.1f} s more")
            print(f"  peak RSS          {m['maxrss_kb'] / 1024:.0f} MB   [goal < 1024 MB]")
            print(
                f"  created           {m['created']:,} wallets, {m['links']:,} transfer links; "
                f"workspace file {m['db_mb']:.0f} MB"
            )
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
