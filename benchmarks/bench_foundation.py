"""Benchmark the foundation: bulk-create 100,000 records and 200,000 links (audit included),
then open the workspace and list its records. Prints figures; record them in docs/performance.md.

Usage: python benchmarks/bench_foundation.py [--records N] [--links M] [--db URL_OR_PATH]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from casedesk.services.bulk import bulk_create_links, bulk_create_records
from casedesk.services.cases import create_case
from casedesk.services.listings import list_records
from casedesk.services.records import AliasIn, RecordIn
from casedesk.storage.workspace import open_workspace

KINDS = ["party"] * 6 + ["wallet", "datacenter", "server", "contract"]
LINKS = {("party", "party"): "owns", ("party", "wallet"): "controls_wallet",
         ("party", "datacenter"): "operates", ("party", "server"): "uses_compute_of",
         ("party", "contract"): "party_to", ("server", "datacenter"): "hosted_at",
         ("contract", "server"): "covers", ("wallet", "wallet"): "transferred_to"}


def make_items(n: int, rng: random.Random) -> list[RecordIn]:
    items = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        if kind == "party":
            items.append(RecordIn("party", {"label": f"深圳科技有限公司 {i}", "country": "CN",
                                            "party_kind": "company"},
                                  aliases=[AliasIn(f"Shenzhen Technology Co {i}", "Latn")]))
        elif kind == "wallet":
            items.append(RecordIn("wallet", {"label": f"w{i}", "chain": "DOGE",
                                             "address": f"Dbench{i:012d}"}))
        elif kind == "datacenter":
            items.append(RecordIn("datacenter", {"label": f"DC {i}", "country": "AU", "city": "Brisbane"}))
        elif kind == "server":
            items.append(RecordIn("server", {"label": f"Fleet {i}", "accelerator_model": "H100 SXM",
                                             "server_count": rng.randint(1, 500),
                                             "accelerators_per_server": 8}))
        else:
            items.append(RecordIn("contract", {"label": f"Contract {i}", "contract_type": "compute_rental"}))
    return items


def make_links(ids: list[int], items: list[RecordIn], m: int, rng: random.Random) -> list:
    by_kind: dict[str, list[int]] = {}
    for rid, item in zip(ids, items):
        by_kind.setdefault(item.kind, []).append(rid)
    pairs = list(LINKS)
    out = []
    while len(out) < m:
        src_kind, tgt_kind = pairs[len(out) % len(pairs)]
        s, t = rng.choice(by_kind[src_kind]), rng.choice(by_kind[tgt_kind])
        if s != t:
            fields = {"share_pct": rng.randint(1, 100)} if LINKS[(src_kind, tgt_kind)] == "owns" else {}
            out.append((LINKS[(src_kind, tgt_kind)], s, t, fields))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--links", type=int, default=200_000)
    ap.add_argument("--db")
    args = ap.parse_args()
    rng = random.Random(7)
    db = args.db or str(Path(tempfile.mkdtemp()) / "bench.casedesk")
    ws = open_workspace(db)
    with ws.write() as s:
        case_id = create_case(s, "benchmark").id
    items = make_items(args.records, rng)
    t0 = time.perf_counter()
    with ws.write() as s:
        ids = bulk_create_records(s, case_id, items)
    t_rec = time.perf_counter() - t0
    links = make_links(ids, items, args.links, rng)
    t0 = time.perf_counter()
    with ws.write() as s:
        bulk_create_links(s, case_id, links)
    t_link = time.perf_counter() - t0
    ws.dispose()
    print(f"backend: {ws.dialect}")
    print(f"records: {args.records:,} in {t_rec:.2f} s = {args.records / t_rec:,.0f} records/s "
          "(validate, insert record + kind + alias rows, audit chain)")
    print(f"links:   {args.links:,} in {t_link:.2f} s = {args.links / t_link:,.0f} links/s")
    total = t_rec + t_link
    print(f"total:   {total:.2f} s; {args.records / total:,.0f} records/s counting the links' time too")
    t0 = time.perf_counter()
    ws = open_workspace(db)
    with ws.read() as s:
        rows = list_records(s, case_id)
    t_open = time.perf_counter() - t0
    print(f"open workspace + list {len(rows):,} records: {t_open:.2f} s")
    t0 = time.perf_counter()
    with ws.read() as s:
        rows = list_records(s, case_id, kind="party")
    print(f"list {len(rows):,} parties (warm): {time.perf_counter() - t0:.2f} s")
    ws.dispose()
    if ws.dialect == "sqlite":
        # Same number of plain rows through raw sqlite3, for scale.
        raw = Path(tempfile.mkdtemp()) / "raw.db"
        con = sqlite3.connect(raw)
        con.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, case_id INT, kind TEXT, label TEXT)")
        t0 = time.perf_counter()
        with con:
            con.executemany("INSERT INTO r VALUES (?,?,?,?)",
                            ((i, 1, it.kind, it.fields["label"]) for i, it in enumerate(items)))
        t_raw = time.perf_counter() - t0
        print(f"raw sqlite3.executemany of {args.records:,} bare rows: {t_raw:.2f} s "
              f"(bulk path is {t_rec / t_raw:.1f}x that, for ~4 rows + audit per record)")


if __name__ == "__main__":
    main()
