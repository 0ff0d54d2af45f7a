"""Does blocking pay at scale? Engine vs brute force on 200,000 confusable company names.

    python benchmarks/bench_screening_blocking.py [--list-size 200000] [--queries 2000]
        [--brute-sample 200] [--exhaustive-sample 100] [--lookup-size 1000000]

1. A CSL-format CSV of --list-size confusable company names (families of same-named siblings
   that differ by legal form, "International"/"Intl", a bracketed place, one word) is imported
   with import_watchlist into a fresh SQLite workspace.
2. --queries case names: half planted variants of list names (word order, legal form,
   abbreviation, case, a bracketed place added or dropped, one letter doubled), half fresh
   names from the same vocabulary. Screened with screen_subjects (index in memory; full scoring
   and explanations included).
3. Brute force: rapidfuzz.process.cdist(token_sort_ratio, cutoff 85, workers=-1) over every
   pair, timed on --brute-sample queries and scaled linearly to --queries.
4. Recall: planted recall (the true entry is a hit) and recall against exhaustive candidate
   generation: on --exhaustive-sample queries the same scorer is run with every stored variant
   pre-scored (no blocking); recall = engine hits / exhaustive hits.
5. One name against --lookup-size names, in a fresh process (this script, --lookup-only): the
   index is built in memory from synthetic names (not timed; it loads the normaliser's tables),
   then the first lookup and the median and p95 of the next 100 are timed.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FORMS = ["Inc.", "Co., Ltd.", "LLC", "Limited", "Corporation", "GmbH", "Pte. Ltd.", "S.A.",
         "Holdings Ltd.", "Group Co., Ltd.", "JSC", "plc"]
PLACES = ["(Shenzhen)", "(Hong Kong)", "(Shanghai)", "(Beijing)", "(Singapore)"]
ABBREV = {"International": "Intl", "Technology": "Tech", "Corporation": "Corp.",
          "Limited": "Ltd.", "Company": "Co."}


def confusable_names(count: int, seed: int) -> list[str]:
    """Company names in families: one core, several siblings (legal form, Intl, place, word)."""
    from synth_names import EN_INDUSTRY, PINYIN_CORE, WORDS, pseudo_word

    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        core = " ".join([pseudo_word(rng), rng.choice(WORDS).title()] if rng.random() < 0.6
                        else [rng.choice(PINYIN_CORE) + pseudo_word(rng, (1, 1)).lower()])
        industry = rng.choice(EN_INDUSTRY)
        for _ in range(rng.randint(1, 6)):
            parts = [core]
            if rng.random() < 0.4:
                parts.append("International")
            parts.append(industry if rng.random() < 0.8 else rng.choice(EN_INDUSTRY))
            if rng.random() < 0.2:
                parts.append(rng.choice(PLACES))
            parts.append(rng.choice(FORMS))
            out.append(" ".join(parts))
    return out[:count]


def plant(name: str, rng: random.Random) -> str:
    """A variant of a list name an investigator might hold."""
    choice = rng.randrange(6)
    words = name.split()
    if choice == 0:
        return name.upper()
    if choice == 1:  # another legal form
        for form in sorted(FORMS, key=len, reverse=True):
            if name.endswith(form):
                return name[: -len(form)] + rng.choice([f for f in FORMS if f != form])
        return name + " Ltd."
    if choice == 2:  # abbreviations
        return " ".join(ABBREV.get(w, w) for w in words)
    if choice == 3 and len(words) > 2:  # word order: the core's two words swapped
        return " ".join([words[1], words[0], *words[2:]])
    if choice == 4:  # a bracketed place added or dropped
        for p in PLACES:
            if p in name:
                return " ".join(name.replace(p, "").split())
        return name.rsplit(" ", 1)[0] + " " + rng.choice(PLACES) + " " + words[-1]
    i = rng.randrange(len(words[0]))
    return name.replace(words[0], words[0][:i] + words[0][i] * 2 + words[0][i + 1:], 1)


def write_csl(path: Path, names: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["_id", "source", "entity_number", "type", "programs", "name", "addresses",
                    "alt_names"])
        for i, n in enumerate(names):
            w.writerow([f"e{i}", "Entity List (EL) - Bureau of Industry and Security", "", "Entity",
                        "", n, "", ""])


class Exhaustive:
    """The engine's index with blocking switched off: every stored variant is pre-scored."""

    def __init__(self, multi):  # noqa: ANN001
        self.parts = multi.parts
        self.compacts = [[t.replace(" ", "") for t in p.var_text] for p in self.parts]

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def candidates(self, q, w, *, cutoff=None, limit=None):  # noqa: ANN001, ANN201
        from rapidfuzz import fuzz, process

        from casedesk.services.screening.index import Candidate
        from casedesk.services.screening.normalize import exact_keys

        cutoff = max(0.0, min(100.0, (w.threshold if cutoff is None else cutoff) - w.prefilter_margin))
        out = []
        for part, compacts in zip(self.parts, self.compacts):
            best: dict[int, float] = {}
            for v in q.variants:
                keys = exact_keys(v.text)
                for scorer, query, choices in ((fuzz.token_set_ratio, v.text, part.var_text),
                                               (fuzz.ratio, v.compact, compacts)):
                    for _c, score, j in process.extract(query, choices, scorer=scorer,
                                                        score_cutoff=cutoff, limit=None):
                        owner = part.var_owner[j]
                        if part.exact_only[owner] and exact_keys(part.var_text[j])[0] != keys[0]:
                            continue
                        best[owner] = max(best.get(owner, 0.0), score)
            out += [Candidate(p, s, part) for p, s in best.items()]
        return out


def lookup_only(size: int) -> int:
    """Fresh-process part: build an in-memory index of `size` names, time one-name lookups."""
    from synth_names import synthetic_names

    from casedesk.services.progress import run_to_end
    from casedesk.services.screening.index import MultiIndex, NameIndex
    from casedesk.services.screening.normalize.pipeline import normalize_many
    from casedesk.services.screening.screen import screen_subjects
    from casedesk.services.screening.subjects import Subject
    from casedesk.storage.workspace import open_workspace

    t0 = time.perf_counter()
    names = synthetic_names(size, seed=1)
    index = NameIndex()
    for start in range(0, len(names), 20000):
        forms = normalize_many(names[start:start + 20000])
        for k, (form, exact) in enumerate(forms):
            index.add(start + k, start + k, form, exact)
    build = time.perf_counter() - t0
    rng = random.Random(5)
    queries = [plant(names[rng.randrange(size)], rng) for _ in range(101)]
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(str(Path(tmp) / "empty.casedesk"))
        with ws.read() as s:
            times = []
            for q in queries:
                t1 = time.perf_counter()
                run_to_end(screen_subjects(s, [Subject(1, 1, "party", q, names=[(q, "label")])],
                                           index=MultiIndex([index])))
                times.append((time.perf_counter() - t1) * 1000)
        ws.dispose()
    rest = sorted(times[1:])
    print(f"LOOKUP {size} {build:.1f} {times[0]:.1f} {statistics.median(rest):.2f} "
          f"{rest[int(len(rest) * 0.95) - 1]:.2f} {len(index.var_text)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list-size", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=2_000)
    ap.add_argument("--brute-sample", type=int, default=200)
    ap.add_argument("--exhaustive-sample", type=int, default=100)
    ap.add_argument("--lookup-size", type=int, default=1_000_000)
    ap.add_argument("--show-misses", type=int, default=5)
    ap.add_argument("--lookup-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.lookup_only:
        return lookup_only(args.lookup_size)

    from rapidfuzz import fuzz, process

    from casedesk.services.progress import run_to_end
    from casedesk.services.screening.index import get_index
    from casedesk.services.screening.name_scoring import default_weights
    from casedesk.services.screening.screen import screen_subjects
    from casedesk.services.screening.subjects import Subject
    from casedesk.services.screening.watchlist_import import import_watchlist
    from casedesk.storage.workspace import open_workspace

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rng = random.Random(18)
    names = confusable_names(args.list_size, seed=1)
    fresh = confusable_names(args.queries, seed=2)
    planted_idx = rng.sample(range(len(names)), args.queries // 2)
    queries = [plant(names[i], rng) for i in planted_idx] + fresh[:args.queries - len(planted_idx)]
    print(f"list {len(names):,} names ({len(set(names)):,} distinct), {len(queries):,} queries "
          f"({len(planted_idx):,} planted variants)")
    w = default_weights()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "csl.csv"
        write_csl(src, names)
        ws = open_workspace(str(Path(tmp) / "bench.casedesk"))
        t0 = time.perf_counter()
        with ws.write() as s:
            run_to_end(import_watchlist(s, src))
        print(f"import (CSL CSV, {len(names):,} entries): {time.perf_counter() - t0:.1f} s")
        with ws.read() as s:
            index = run_to_end(get_index(s))
            subjects = [Subject(i + 1, 1, "party", q, names=[(q, "label")]) for i, q in enumerate(queries)]
            t0 = time.perf_counter()
            matches = run_to_end(screen_subjects(s, subjects, index=index))
            t_engine = time.perf_counter() - t0
            hits: dict[int, set[str]] = {}
            for subj, entry, _score, _exp in matches:
                hits.setdefault(subj.record_id, set()).add(entry["entry_key"])
            found = sum(f"e{i}" in hits.get(k + 1, set()) for k, i in enumerate(planted_idx))
            sample = subjects[: args.exhaustive_sample // 2] + \
                subjects[len(planted_idx): len(planted_idx) + args.exhaustive_sample // 2]
            t0 = time.perf_counter()
            full = run_to_end(screen_subjects(s, sample, index=Exhaustive(index)))
            t_exhaustive = time.perf_counter() - t0
        ws.dispose()
    want = {(subj.record_id, e["entry_key"]) for subj, e, _s, _x in full}
    sample_ids = {x.record_id for x in sample}
    got = {(subj.record_id, e["entry_key"]) for subj, e, _s, _x in matches if subj.record_id in sample_ids}
    true_pairs = {(k + 1, f"e{i}") for k, i in enumerate(planted_idx) if k + 1 in sample_ids}
    true_ex = true_pairs & want
    recall_true = len(true_ex & got) / len(true_ex) if true_ex else 1.0
    by_id = {x.record_id: x.label for x in sample}
    entry_names = {e["entry_key"]: e["name"] for _s, e, _x, _y in full}
    print(f"engine: {t_engine:.1f} s for {len(queries):,} queries ({t_engine / len(queries) * 1000:.1f} ms "
          f"each, full scoring and explanations), {len(matches):,} hits")
    print(f"planted recall: {found}/{len(planted_idx)} = {found / len(planted_idx):.3f} (goal ≥ 0.95)")
    print(f"exhaustive (same scorer, every stored variant pre-scored, no blocking) on {len(sample)} "
          f"queries, {t_exhaustive:.1f} s: recall of the true matches it finds "
          f"{len(true_ex & got)}/{len(true_ex)} = {recall_true:.3f} (goal ≥ 0.95); of all its hits "
          f"(true or not) {len(want & got)}/{len(want)} = {len(want & got) / max(1, len(want)):.3f}; "
          f"engine hits it lacks: {len(got - want)}")
    for rid, key in sorted(want - got)[:args.show_misses]:
        print(f"  not proposed by blocking: {by_id[rid]!r} ~ {entry_names[key]!r}"
              + (" (the true entry)" if (rid, key) in true_pairs else ""))
    brute = queries[: args.brute_sample]
    t0 = time.perf_counter()
    for start in range(0, len(brute), 50):
        process.cdist(brute[start:start + 50], names, scorer=fuzz.token_sort_ratio,
                      score_cutoff=w.threshold, workers=-1, dtype="uint8")
    t_brute_sample = time.perf_counter() - t0
    t_brute = t_brute_sample * len(queries) / len(brute)
    print(f"brute force cdist(token_sort_ratio, cutoff {w.threshold:g}, workers=-1): "
          f"{t_brute_sample:.1f} s for {len(brute)} queries → {t_brute:.1f} s for {len(queries):,} "
          f"(scaled); engine is {t_brute / t_engine:.1f}× faster (goal ≥ 3.6×)")
    if args.lookup_size:
        out = subprocess.run([sys.executable, __file__, "--lookup-only", "--lookup-size",
                              str(args.lookup_size)], capture_output=True, text=True, check=True,
                             env={**os.environ})
        line = next(ln for ln in out.stdout.splitlines() if ln.startswith("LOOKUP"))
        _tag, size, build, first, median, p95, variants = line.split()
        print(f"one name against {int(size):,} names in a fresh process (index of {int(variants):,} "
              f"variants built in memory in {build} s, not timed): first lookup {first} ms, "
              f"then median {median} ms, p95 {p95} ms (goal < 100 ms)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
