"""Screening speed at real sizes, each figure next to brute force measured in the same run.

    python benchmarks/bench_screening.py [--list-size 1000000] [--queries 10000] [--brute-sample 500]

1. import: a synthetic list of --list-size entries through import_watchlist (normalisation and
   Core bulk inserts) into a fresh SQLite workspace;
2. index: building the candidate index from the stored normalised names;
3. batch: screening --queries case names (95 % fresh synthetic names, 5 % planted variants of list
   names) against the whole list through screen_subjects;
4. type-ahead: one name against the whole list (median of 200);
5. brute force: rapidfuzz.process.cdist(token_sort_ratio, score_cutoff=85, workers=-1) over
   every pair, measured on --brute-sample queries and scaled to --queries (a full 10k × 1M
   cdist is ~72 s of both cores; the sample keeps the run short, and cdist time is linear in the
   number of queries).
Planted recall says how many planted variants the engine found (it must not buy speed with recall).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _perturb(name: str, rng: random.Random) -> str:
    """A variant an investigator might type: other case, other legal form, "LAST, First" turned
    around, or one letter typed twice (Han names are typed with an IME: no doubled characters)."""
    choice = rng.randrange(4)
    if choice == 0:
        return name.upper()
    if choice == 1:
        if "股份有限公司" in name:
            return name.replace("股份有限公司", "有限公司")
        return name.replace("有限公司", "股份有限公司").replace("Co., Ltd.", "Limited") + " "
    if choice == 2 and "," in name:
        last, first = name.split(",", 1)
        return f"{first.strip()} {last.strip().title()}"
    if name.isascii():
        i = rng.randrange(len(name))
        return name[:i] + name[i:i + 1] * 2 + name[i + 1:]
    return name.replace("有限公司", "有限责任公司")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list-size", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--brute-sample", type=int, default=500)
    ap.add_argument("--typeahead", type=int, default=200)
    args = ap.parse_args(argv)

    import os

    from casedesk.services.progress import run_to_end
    from casedesk.services.screening.formats import ListEntry, ParsedList
    from casedesk.services.screening.index import build_index, forget_indexes, get_index
    from casedesk.services.screening.name_scoring import default_weights
    from casedesk.services.screening.screen import screen_subjects
    from casedesk.services.screening.subjects import Subject
    from casedesk.services.screening.watchlist_import import import_watchlist
    from casedesk.storage.workspace import open_workspace
    from rapidfuzz import fuzz, process
    from synth_names import synthetic_names

    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows every figure alike; compare ratios)")
    rng = random.Random(42)
    names = synthetic_names(args.list_size, seed=1)
    fresh = synthetic_names(args.queries, seed=2)
    planted_idx = rng.sample(range(len(names)), max(1, args.queries // 20))
    queries = fresh[:args.queries - len(planted_idx)] + [_perturb(names[i], rng) for i in planted_idx]
    print(f"list {len(names):,} names ({len(set(names)):,} distinct), {len(queries):,} queries "
          f"({len(planted_idx)} planted variants)")

    entries = [ListEntry(key=str(i), name=n, line=i + 1) for i, n in enumerate(names)]
    parsed = ParsedList("mapping", entries, [], snapshot_date="2026-11-25", default_name="bench",
                        rows=len(entries))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "list.csv"
        src.write_text("synthetic\n", encoding="utf-8")
        parsed.files = [src]
        ws = open_workspace(str(Path(tmp) / "bench.casedesk"))
        t0 = time.perf_counter()
        with ws.write() as s:
            run_to_end(import_watchlist(s, src, parsed=parsed))
        t_import = time.perf_counter() - t0
        del entries, parsed
        gc.collect()
        print(f"import {len(names):,} entries: {t_import:.1f} s "
              f"({len(names) / t_import:,.0f} entries/s; goal < 60 s)")

        with ws.read() as s:
            t0 = time.perf_counter()
            rebuilt = run_to_end(build_index(s))
            t_rebuild = time.perf_counter() - t0
            del rebuilt
            gc.collect()
            forget_indexes()
            t0 = time.perf_counter()
            index = run_to_end(get_index(s))
            t_index = time.perf_counter() - t0
            part = index.parts[0]
            print(f"index: loaded from the workspace in {t_index:.1f} s (stored at import); a rebuild "
                  f"from the names takes {t_rebuild:.1f} s ({len(part.var_text):,} variants, "
                  f"{len(part.postings):,} keys)")
            subjects = [Subject(i + 1, 1, "party", q, names=[(q, "label")]) for i, q in enumerate(queries)]
            t0 = time.perf_counter()
            matches = run_to_end(screen_subjects(s, subjects, index=index))
            t_batch = time.perf_counter() - t0
            planted_rows = {str(i) for i in planted_idx}
            by_query: dict[int, set[str]] = {}
            for subj, entry, _score, _exp in matches:
                by_query.setdefault(subj.record_id, set()).add(entry["entry_key"])
            first_planted = len(queries) - len(planted_idx)
            found = sum(1 for k, i in enumerate(planted_idx)
                        if str(i) in by_query.get(first_planted + k + 1, set()))
            fresh_hits = sum(1 for rid in by_query if rid <= first_planted)
            print(f"batch screening of {len(queries):,} names: {t_batch:.1f} s "
                  f"(+ loading the index {t_index:.1f} s = {t_batch + t_index:.1f} s; goal < 20 s); "
                  f"{len(matches):,} hits; planted recall {found}/{len(planted_idx)} "
                  f"({found / len(planted_idx):.3f}); fresh queries with a hit: {fresh_hits:,}")
            assert planted_rows  # keep the name for readers of the code

            w = default_weights()
            typeahead = []
            for q in queries[:args.typeahead]:
                subj = [Subject(1, 1, "party", q, names=[(q, "label")])]
                t0 = time.perf_counter()
                run_to_end(screen_subjects(s, subj, index=index, weights=w))
                typeahead.append(time.perf_counter() - t0)
            ta_median = statistics.median(typeahead) * 1000
            ta_p95 = sorted(typeahead)[int(len(typeahead) * 0.95) - 1] * 1000
        ws.dispose()

    sample = queries[:args.brute_sample]
    t0 = time.perf_counter()
    for start in range(0, len(sample), 100):
        process.cdist(sample[start:start + 100], names, scorer=fuzz.token_sort_ratio,
                      score_cutoff=85, workers=-1, dtype="uint8")
    t_brute_sample = time.perf_counter() - t0
    t_brute = t_brute_sample * len(queries) / len(sample)
    t0 = time.perf_counter()
    for q in sample[:20]:
        process.cdist([q], names, scorer=fuzz.token_sort_ratio, score_cutoff=85, workers=-1,
                      dtype="uint8")
    t_brute_one = (time.perf_counter() - t0) / min(20, len(sample)) * 1000
    print(f"type-ahead, one name against {len(names):,}: median {ta_median:.1f} ms, p95 {ta_p95:.1f} ms "
          f"(goal < 100 ms); brute force one name: {t_brute_one:.0f} ms "
          f"(ratio {t_brute_one / ta_median:.0f}×)")
    print(f"brute force cdist token_sort_ratio: {t_brute_sample:.1f} s for {len(sample)} queries "
          f"→ {t_brute:.0f} s for {len(queries):,}; engine batch (with loading the index) is "
          f"{t_brute / (t_batch + t_index):.1f}× faster, without it {t_brute / t_batch:.1f}×")
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
