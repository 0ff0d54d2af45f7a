"""Precision and recall of screening on the labelled corpus (tests/data/screening_corpus).

Runs the product's own pipeline: the right-hand names become a list (with synthetic
distractors, so blocking and candidate ranking are exercised) imported by import_watchlist; the
left-hand names become parties and wallets of a case; screen_subjects scores them. A pair is
predicted a match when its own (record, entry) pair scores at or above the threshold.

    python benchmarks/screening_eval.py [--threshold 85] [--distractors 20000]
                                        [--save-baseline FILE] [--compare FILE] [--sweep]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "screening_corpus" / "pairs.csv"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@dataclass
class EvalResult:
    """Confusion counts, precision, recall and the misclassified pairs."""

    threshold: float
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    blocking_found: int = 0
    blocking_total: int = 0
    blocking_missed: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    per_category: dict[str, list[int]] = field(default_factory=dict)  # tp, fp, fn, tn
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def blocking_recall(self) -> float:
        return self.blocking_found / self.blocking_total if self.blocking_total else 1.0


def load_pairs(path: Path = CORPUS) -> list[dict[str, str]]:
    """The corpus rows."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _ids(text: str) -> list[tuple[str, str]]:
    return [tuple(p.split("=", 1)) for p in text.split(";") if "=" in p]  # type: ignore[misc]


def evaluate(threshold: float | None = None, distractors: int = 20000,
             corpus: Path = CORPUS) -> EvalResult:
    """Run the corpus through import, index and screening; count the outcomes."""
    from casedesk.services.bulk import bulk_create_records
    from casedesk.services.cases import create_case
    from casedesk.services.progress import run_to_end
    from casedesk.services.records import IdentifierIn, RecordIn
    from casedesk.services.screening.formats import ListEntry, ParsedList
    from casedesk.services.screening.index import get_index
    from casedesk.services.screening.name_scoring import default_weights
    from casedesk.services.screening.normalize import normalize_name
    from casedesk.services.screening.screen import screen_subjects
    from casedesk.services.screening.subjects import load_subjects
    from casedesk.services.screening.watchlist_import import import_watchlist
    from casedesk.storage.workspace import open_workspace
    from synth_names import synthetic_names

    w = default_weights()
    threshold = w.threshold if threshold is None else threshold
    pairs = load_pairs(corpus)
    started = time.perf_counter()
    entries = []
    for p in pairs:
        e = ListEntry(key=f"pair-{p['id']}", name=p["right"], line=int(p["id"]),
                      entity_type=p["right_type"],
                      countries=[p["right_country"]] if p["right_country"] else [])
        e.identifiers = [(s, v, None) for s, v in _ids(p["right_ids"])]
        entries.append(e)
    for n, name in enumerate(synthetic_names(distractors, seed=7)):
        entries.append(ListEntry(key=f"synthetic-{n}", name=name, line=0))
    parsed = ParsedList("mapping", entries, [], snapshot_date="2026-11-25",
                        default_name="screening corpus", rows=len(entries), files=[corpus])
    result = EvalResult(threshold)
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(str(Path(tmp) / "eval.casedesk"))
        try:
            with ws.write() as s:
                run_to_end(import_watchlist(s, corpus, parsed=parsed))
                case_id = create_case(s, "screening corpus").id
                items = []
                for p in pairs:
                    ids = _ids(p["left_ids"])
                    if p["left_type"] == "wallet":
                        scheme, address = ids[0]
                        items.append(RecordIn("wallet", {"label": p["left"], "chain": scheme[7:],
                                                         "address": address}))
                    else:
                        fields = {"label": p["left"], "party_kind": p["left_type"]}
                        if p["left_country"]:
                            fields["country"] = p["left_country"]
                        items.append(RecordIn("party", fields, identifiers=[
                            IdentifierIn(sc, v) for sc, v in ids]))
                record_ids = bulk_create_records(s, case_id, items)
            with ws.read() as s:
                subjects = load_subjects(s, case_id=case_id)
                index = run_to_end(get_index(s))
                matches = run_to_end(screen_subjects(s, subjects, threshold=threshold, index=index))
                found = {(subj.record_id, entry["entry_key"]): (score, exp)
                         for subj, entry, score, exp in matches}
                entry_of = dict(s.execute(__import__("sqlalchemy").text(
                    "SELECT entry_key, id FROM watchlist_entry")).all())
                for p, rid in zip(pairs, record_ids):
                    if p["label"] == "match" and p["left_type"] != "wallet" and not p["left_ids"]:
                        result.blocking_total += 1
                        cands = {c.entry_id for c in index.candidates(normalize_name(p["left"]), w,
                                                                      cutoff=threshold)}
                        if entry_of[f"pair-{p['id']}"] in cands or normalize_name(p["left"]).empty:
                            result.blocking_found += 1
                        else:
                            result.blocking_missed.append(p["id"])
        finally:
            ws.dispose()
    for p, rid in zip(pairs, record_ids):
        score, exp = found.get((rid, f"pair-{p['id']}"), (0.0, {}))
        result.scores[p["id"]] = score
        predicted, actual = score >= threshold, p["label"] == "match"
        cat = result.per_category.setdefault(p["category"], [0, 0, 0, 0])
        if predicted and actual:
            result.tp += 1
            cat[0] += 1
        elif predicted:
            result.fp += 1
            cat[1] += 1
            result.errors.append({**p, "score": score, "why": exp.get("summary", "")})
        elif actual:
            result.fn += 1
            cat[2] += 1
            result.errors.append({**p, "score": score, "why": exp.get("summary", "")})
        else:
            result.tn += 1
            cat[3] += 1
    result.seconds = time.perf_counter() - started
    return result


def report(r: EvalResult) -> str:
    """A human-readable summary."""
    lines = [f"threshold {r.threshold:g}: precision {r.precision:.3f}  recall {r.recall:.3f}  "
             f"(tp {r.tp}, fp {r.fp}, fn {r.fn}, tn {r.tn}); blocking recall "
             f"{r.blocking_recall:.3f} ({r.blocking_found}/{r.blocking_total}; not proposed: "
             f"{', '.join('#' + i for i in r.blocking_missed) or 'none'}); {r.seconds:.1f} s"]
    for cat, (tp, fp, fn, tn) in sorted(r.per_category.items()):
        lines.append(f"  {cat:<16} tp {tp:>3}  fp {fp:>3}  fn {fn:>3}  tn {tn:>3}")
    for e in r.errors:
        kind = "FALSE MATCH" if e["label"] == "no_match" else "MISSED"
        lines.append(f"  {kind:<11} #{e['id']} [{e['category']}] {e['left']!r} ~ {e['right']!r}: "
                     f"{e['score']:g} {e['why'][:160]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line of the harness."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--distractors", type=int, default=20000)
    ap.add_argument("--save-baseline", metavar="FILE")
    ap.add_argument("--compare", metavar="FILE")
    ap.add_argument("--sweep", action="store_true", help="also print P/R at thresholds 75–95")
    args = ap.parse_args(argv)
    r = evaluate(args.threshold, args.distractors)
    print(report(r))
    if args.sweep:
        for t in range(75, 100, 5):
            s = evaluate(float(t), args.distractors)
            print(f"  sweep {t}: precision {s.precision:.3f} recall {s.recall:.3f}")
    if args.compare:
        base = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        print(f"baseline: precision {base['precision']:.3f} recall {base['recall']:.3f} "
              f"-> now {r.precision:.3f} {r.recall:.3f}")
        t = r.threshold
        for pid, score in sorted(r.scores.items(), key=lambda kv: int(kv[0])):
            old = base["scores"].get(pid)
            if old is not None and (old >= base["threshold"]) != (score >= t):
                print(f"  changed #{pid}: {old:g} -> {score:g}")
    if args.save_baseline:
        Path(args.save_baseline).write_text(json.dumps(
            {"threshold": r.threshold, "precision": r.precision, "recall": r.recall,
             "scores": r.scores}, indent=1, sort_keys=True), encoding="utf-8")
        print(f"baseline saved to {args.save_baseline}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
