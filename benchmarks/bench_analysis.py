"""Benchmark: full analysis of a 100,000-record, 300,000-link case (goal: under 10 s).

Builds a synthetic but plausible case through services/bulk.py (parties in ownership groups of
about 20 with a few cycles, fleets hosted in data centres with owners, operators and end users,
contracts covering fleets, wallets paying each other), then times:

  * loading the case graph (column selects into dicts),
  * the compute inventory,
  * the whole run_analysis job, first run (creates findings) and an unchanged re-run,
  * the run as of an earlier day (fleets not installed yet or decommissioned left out),
  * the first analysis in a fresh process (cold imports and caches), as a user's run would be,
  * case_totals (status bar) and compute_for_record (inspector) for a few records.

Fleets draw their model from the whole accelerator catalog (every model it holds, plus one name
it does not know), so the figures hold for the catalog as shipped.

Usage: python benchmarks/bench_analysis.py [--records 100000] [--links 300000] [--db URL_OR_PATH]
Prints one line per figure; median of --repeat runs where it says so.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desktop"))

from casedesk.services.analysis.compute import compute_inventory  # noqa: E402
from casedesk.services.analysis.compute_views import case_totals, compute_for_record  # noqa: E402
from casedesk.services.analysis.engine import run_analysis  # noqa: E402
from casedesk.services.analysis.graph import load_case_graph  # noqa: E402
from casedesk.services.bulk import bulk_create_links, bulk_create_records  # noqa: E402
from casedesk.services.cases import create_case  # noqa: E402
from casedesk.services.progress import run_to_end  # noqa: E402
from casedesk.services.records import RecordIn  # noqa: E402
from casedesk.storage.workspace import open_workspace  # noqa: E402
from casedesk.domain.vocabulary import default_vocabulary  # noqa: E402

AS_OF = date(2025, 6, 1)
EARLIER = date(2023, 9, 1)  # a day when part of the dated fleets were not installed yet
COUNTRIES = ["US", "SG", "MY", "AE", "GB", "DE", "JP", "AU", "HK", "IN"] * 8 + ["CN"] * 12 + ["RU", "MO"] * 2
# The full catalog (as the case's vocabulary has it), H100s twice as often, one unknown name.
MODELS = [m.name for m in default_vocabulary().accelerators.models.values()] + ["H100 SXM", "Mystery X1"]
QUALIFIERS = ["exact", "exact", "at_least", "about"]


def build_case(ws, n_records: int, n_links: int, seed: int = 7) -> tuple[int, dict[str, list[int]]]:
    """Create the synthetic case; returns its id and the record ids by role."""
    rnd = random.Random(seed)
    shares = {"party": 0.55, "wallet": 0.10, "datacenter": 0.02, "server": 0.25, "contract": 0.08}
    counts = {k: int(n_records * v) for k, v in shares.items()}
    counts["party"] += n_records - sum(counts.values())
    items: list[RecordIn] = []
    kinds: list[str] = []
    n_people = counts["party"] // 7
    n_platforms = counts["party"] // 25
    group_country = rnd.choice(COUNTRIES)
    for i in range(counts["party"]):
        kind = "person" if i < n_people else ("platform" if i < n_people + n_platforms else "company")
        if (i - n_people) % 20 == 0:  # the first body of each ownership group of 20
            group_country = rnd.choice(COUNTRIES)
        # Corporate groups (20 bodies in a row, see below) are mostly domestic, with some foreign
        # subsidiaries; a few parties have no country at all.
        country = (None if rnd.random() < 0.03 else
                   group_country if rnd.random() < 0.85 else rnd.choice(COUNTRIES))
        items.append(RecordIn("party", {"label": f"Party {i} 公司", "party_kind": kind,
                                        "country": country}))
        kinds.append(kind)
    for i in range(counts["wallet"]):
        items.append(RecordIn("wallet", {"label": f"Wallet {i}", "chain": "ETH",
                                         "address": f"0x{rnd.getrandbits(160):040x}"}))
        kinds.append("wallet")
    for i in range(counts["datacenter"]):
        items.append(RecordIn("datacenter", {"label": f"DC {i}", "country": rnd.choice(COUNTRIES)}))
        kinds.append("datacenter")
    for i in range(counts["server"]):
        known = rnd.random() > 0.05
        dated = rnd.random() < 0.4
        installed = date(2023, 1, 1).toordinal() + rnd.randint(0, 600)
        in_service = installed + rnd.choice([7, 21, 45, 90, 180, 365])
        retired = dated and rnd.random() < 0.1
        items.append(RecordIn("server", {
            "label": f"Fleet {i}", "accelerator_model": rnd.choice(MODELS),
            "server_count": rnd.randint(1, 500) if known else None, "accelerators_per_server": 8,
            "count_qualifier": rnd.choice(QUALIFIERS), "status": "in_service",
            "installed_on": date.fromordinal(installed).isoformat() if dated else None,
            "in_service_on": date.fromordinal(in_service).isoformat() if dated else None,
            "decommissioned_on": (date.fromordinal(in_service + rnd.randint(90, 700)).isoformat()
                                  if retired else None)}))
        kinds.append("server")
    for i in range(counts["contract"]):
        start = date(2022, 6, 1).toordinal() + rnd.randint(0, 900)
        termed = rnd.random() < 0.3
        items.append(RecordIn("contract", {
            "label": f"Contract {i}", "contract_type": "compute_rental",
            "currency": rnd.choice(["USD", "USDT", "EUR", "ETH", ""]),
            "accelerator_count": rnd.randint(1, 4000) if rnd.random() < 0.3 else None,
            "start_on": date.fromordinal(start).isoformat() if termed else None,
            "end_on": date.fromordinal(start + rnd.randint(180, 1100)).isoformat() if termed else None}))
        kinds.append("contract")
    with ws.write() as s:
        case_id = create_case(s, "Benchmark case").id
        ids = bulk_create_records(s, case_id, items)
    by = {k: [rid for rid, kk in zip(ids, kinds) if kk == k]
          for k in ("person", "platform", "company", "wallet", "datacenter", "server", "contract")}
    parties = by["person"] + by["platform"] + by["company"]
    bodies = by["platform"] + by["company"]
    links: list[tuple[str, int, int, dict]] = []
    # Ownership in groups of about 20 bodies: a tree plus a few extra edges and a rare cycle.
    for g in range(0, len(bodies), 20):
        group = bodies[g:g + 20]
        for j in range(1, len(group)):
            parent = group[rnd.randrange(0, j)]
            if rnd.random() < 0.3:
                links.append(("subsidiary_of", group[j], parent, {}))
            else:
                links.append(("owns", parent, group[j], {"share_pct": rnd.choice([100, 60, 51, 30, 25, 10])}))
            if rnd.random() < 0.4 and j > 2:
                links.append(("owns", group[rnd.randrange(0, j - 1)], group[j], {"share_pct": 20}))
            if rnd.random() < 0.3:
                links.append(("owns", rnd.choice(by["person"]), group[j], {"share_pct": 15}))
        if rnd.random() < 0.05 and len(group) > 3:
            links.append(("owns", group[-1], group[1], {"share_pct": 5}))
    for f in by["server"]:
        links.append(("hosted_at", f, rnd.choice(by["datacenter"]), {}))
        links.append(("owns_asset", rnd.choice(bodies), f, {}))
        links.append(("operates", rnd.choice(bodies), f, {}))
        links.append(("uses_compute_of", rnd.choice(parties), f, {}))
    for c in by["contract"]:
        links.append(("covers", c, rnd.choice(by["server"]), {}))
        links.append(("party_to", rnd.choice(bodies), c, {"role": "provider"}))
        customer = rnd.choice(by["wallet"]) if rnd.random() < 0.2 else rnd.choice(parties)
        links.append(("party_to", customer, c, {"role": "customer"}))
    for w in by["wallet"]:
        if rnd.random() < 0.8:
            links.append(("controls_wallet", rnd.choice(parties), w, {}))
    payers = by["wallet"][: len(by["wallet"]) // 3]  # a third of the wallets pay; all may receive
    while len(links) < n_links * 0.8:
        links.append(("paid", rnd.choice(payers), rnd.choice(by["wallet"]), {}))
        links.append(("officer_of", rnd.choice(by["person"]), rnd.choice(bodies), {}))
        links.append(("customer_of", rnd.choice(parties), rnd.choice(parties), {}))
    while len(links) < n_links:
        links.append(("funds", rnd.choice(parties), rnd.choice(by["server"]), {}))
    links = [lk for lk in links[:n_links] if lk[1] != lk[2]]
    with ws.write() as s:
        bulk_create_links(s, case_id, links)
    return case_id, by


CPU: list[float] = []  # CPU seconds of the last timed() call (median), printed beside wall time


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    """Median wall time of `repeat` calls (and CPU time into CPU[0]); returns (wall, last result).

    CPU time is printed too because the benchmark machine is shared: other processes stretch the
    wall time, much less this process's own CPU time.
    """
    times, cpus, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    CPU[:] = [statistics.median(cpus)]
    return statistics.median(times), result


def cpu() -> str:
    return f"CPU {CPU[0]:.2f} s"


def fresh_run(db: str, case_id: int) -> int:
    """Time one run_analysis in this (fresh) process: what a user's first analysis costs."""
    ws = open_workspace(db)
    t0, c0 = time.perf_counter(), time.process_time()
    with ws.write() as s:
        result = run_to_end(run_analysis(s, case_id, as_of=AS_OF))
    wall, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    print(f"run_analysis in a fresh process ({result.counts['unchanged']:,} unchanged, "
          f"{len(result.open_questions)} open questions): {wall:.2f} s wall, CPU {cpu_s:.2f} s")
    ws.dispose()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--links", type=int, default=300_000)
    ap.add_argument("--db", help="workspace path or URL (default: a new SQLite file)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fresh-case", type=int, help=argparse.SUPPRESS)  # the child of the fresh-process run
    args = ap.parse_args()
    if args.fresh_case is not None:
        return fresh_run(args.db, args.fresh_case)
    db = args.db or str(Path(tempfile.mkdtemp()) / "bench.casedesk")
    ws = open_workspace(db)
    t, (case_id, by) = timed(lambda: build_case(ws, args.records, args.links))
    print(f"build case ({args.records:,} records, {args.links:,} links, bulk services): {t:.1f} s")

    def load():
        with ws.read() as s:
            return load_case_graph(s, case_id)
    t, graph = timed(load, args.repeat)
    print(f"load case graph: {t:.2f} s wall, {cpu()} (median of {args.repeat})")
    t, inv = timed(lambda: compute_inventory(graph, as_of=AS_OF), args.repeat)
    print(f"compute inventory ({len(inv.fleets):,} fleets, {len(inv.by_end_user):,} end users): "
          f"{t:.2f} s wall, {cpu()} (median of {args.repeat})")

    def analyse():
        with ws.write() as s:
            return run_to_end(run_analysis(s, case_id, as_of=AS_OF))
    t, first = timed(analyse)
    print(f"run_analysis, first run (creates {first.counts['created']:,} findings, "
          f"{len(first.undecided):,} undecided): {t:.2f} s wall, {cpu()}")
    print(f"catalog models drawn: {len(MODELS) - 2} (+ 1 unknown); open questions: "
          + ", ".join(f"{q['gap']} {q['count']:,}" for q in first.open_questions))
    t, again = timed(analyse, args.repeat)
    print(f"run_analysis, unchanged re-run ({again.counts['unchanged']:,} unchanged): "
          f"{t:.2f} s wall, {cpu()} (median of {args.repeat})")
    per_rule: dict[str, int] = {}
    with ws.read() as s:
        from casedesk.services.findings import list_findings
        for f in list_findings(s, case_id):
            per_rule[f["rule"]] = per_rule.get(f["rule"], 0) + 1
    print("findings by rule: " + ", ".join(f"{k} {v:,}" for k, v in sorted(per_rule.items())))
    ws.dispose()
    child = subprocess.run([sys.executable, __file__, "--db", db, "--fresh-case", str(case_id)],
                           capture_output=True, text=True, check=False)
    print(child.stdout.strip() or f"fresh-process run failed: {child.stderr.strip()[-500:]}")
    ws = open_workspace(db)

    def earlier():
        with ws.write() as s:
            return run_to_end(run_analysis(s, case_id, as_of=EARLIER))
    t, past = timed(earlier)
    print(f"run_analysis as of {EARLIER.isoformat()} ({len(past.left_out['fleets']):,} fleets and "
          f"{len(past.left_out['contracts']):,} contracts left out, {past.counts['resolved']:,} "
          f"findings resolved): {t:.2f} s wall, {cpu()}")
    with ws.write() as s:  # back to the day the other figures use
        run_to_end(run_analysis(s, case_id, as_of=AS_OF))

    def totals():
        with ws.read() as s:
            return case_totals(s, case_id, as_of=AS_OF)
    t, _ = timed(totals, args.repeat)
    print(f"case_totals (status bar): {t * 1000:.0f} ms (median of {args.repeat})")
    hub_dc = max(by["datacenter"], key=lambda d: len(graph.fleets_at(d)))
    samples = {"fleet": by["server"][0], "data center (largest)": hub_dc, "party": by["company"][5],
               "contract": by["contract"][0]}
    for name, rid in samples.items():
        def one(rid=rid):
            with ws.read() as s:
                return compute_for_record(s, rid, as_of=AS_OF)
        t, _ = timed(one, args.repeat)
        print(f"compute_for_record ({name}): {t * 1000:.0f} ms (median of {args.repeat})")
    ws.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
