"""The held-apart evaluation: precision and recall per script, and false positives on clean names.

    python benchmarks/screening_heldout.py [--threshold 85] [--distractors 20000] [--no-fp]

1. Per-script precision and recall (Han simplified, Han traditional, pinyin, Latin; "other" for
   Arabic/Cyrillic) on the tuning corpus (tests/data/screening_corpus, written with the rules)
   and on the held-out corpus (tests/data/screening_heldout/pairs.csv, written from the lists
   in shared/data before it was first scored and never used to set a weight). Both go through
   screening_eval.evaluate: the right-hand names (plus synthetic distractors) become a list,
   the left-hand names parties of a case, screened by the product's own code.
2. False positives: every clean company of tests/data/screening_heldout/clean_companies.txt in
   four forms (English, simplified, traditional, pinyin) is screened against every list in
   shared/data (OFAC SDN 2021, CSL sample, BIS DPL, UN consolidated sample, the OpenSanctions
   FtM fixture); a name with any hit at the threshold is a false positive.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "data" / "screening_heldout"
SHARED = ROOT.parent / "shared" / "data" if (ROOT.parent / "shared").exists() else \
    Path("/work/shared/data")
sys.path.insert(0, str(Path(__file__).resolve().parent))

SCRIPTS = ("han_simplified", "han_traditional", "pinyin", "latin", "other")


def script_of(name: str) -> str:
    """Which script an investigator wrote a name in."""
    from casedesk.services.screening.normalize import normalize_name
    from casedesk.services.screening.normalize.folding import simplified_table
    from casedesk.services.screening.normalize.han import HAN_RE

    if HAN_RE.search(name):
        table = simplified_table()
        return "han_traditional" if any(ord(c) in table for c in name) else "han_simplified"
    if not all(c.isascii() or c in "āáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ" or not c.isalpha() for c in name):
        return "other"
    n = normalize_name(name)
    return "pinyin" if any(v.syllabic for v in n.variants) else "latin"


def per_script(pairs: list[dict[str, str]], scores: dict[str, float], threshold: float
               ) -> dict[str, list[int]]:
    """tp, fp, fn, tn per script of the left name (wallet pairs left out)."""
    out = {s: [0, 0, 0, 0] for s in SCRIPTS}
    for p in pairs:
        if p["left_type"] == "wallet":
            continue
        predicted, actual = scores.get(p["id"], 0.0) >= threshold, p["label"] == "match"
        out[script_of(p["left"])][0 if predicted and actual else 1 if predicted else
                                  2 if actual else 3] += 1
    return out


def show(title: str, counts: dict[str, list[int]]) -> None:
    print(title)
    print(f"  {'script':<16} {'pairs':>5} {'precision':>9} {'recall':>7}   tp  fp  fn  tn")
    total = [0, 0, 0, 0]
    for s, (tp, fp, fn, tn) in counts.items():
        if tp + fp + fn + tn == 0:
            continue
        total = [a + b for a, b in zip(total, (tp, fp, fn, tn))]
        prec = f"{tp / (tp + fp):.3f}" if tp + fp else "  -  "
        rec = f"{tp / (tp + fn):.3f}" if tp + fn else "  -  "
        print(f"  {s:<16} {tp + fp + fn + tn:>5} {prec:>9} {rec:>7}  {tp:>3} {fp:>3} {fn:>3} {tn:>3}")
    tp, fp, fn, tn = total
    print(f"  {'all':<16} {sum(total):>5} {tp / max(1, tp + fp):>9.3f} {tp / max(1, tp + fn):>7.3f}"
          f"  {tp:>3} {fp:>3} {fn:>3} {tn:>3}")


def clean_names() -> list[tuple[str, str]]:
    """(form, name) of every clean company in its four forms."""
    import opencc
    from pypinyin import lazy_pinyin

    s2t = opencc.OpenCC("s2t")
    out = []
    for line in (HELDOUT / "clean_companies.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, han = (p.strip() for p in line.split("|"))
        out += [("english", english), ("simplified", han), ("traditional", s2t.convert(han)),
                ("pinyin", " ".join(s.capitalize() for s in lazy_pinyin(han) if s.strip("()")))]
    return out


def false_positives(threshold: float | None) -> None:
    """Screen the clean names against every list in shared/data; print the rate and the hits."""
    from casedesk.services.bulk import bulk_create_records
    from casedesk.services.cases import create_case
    from casedesk.services.progress import run_to_end
    from casedesk.services.records import RecordIn
    from casedesk.services.screening.screen import match_case
    from casedesk.services.screening.watchlist_import import import_watchlist
    from casedesk.storage.workspace import open_workspace

    lists = [SHARED / "ofac-sdn-2021" / "sdn.csv", SHARED / "csl-samples" / "consolidated_sample_2024.csv",
             SHARED / "bis-dpl-2019" / "dpl.txt", SHARED / "un-consolidated-sample" / "UN_consolidated_sample.xml",
             SHARED / "opensanctions-ftm-fixtures" / "zala_cluster.ftm.jsonl"]
    names = clean_names()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(str(Path(tmp) / "fp.casedesk"))
        try:
            entries = 0
            with ws.write() as s:
                for path in lists:
                    entries += run_to_end(import_watchlist(s, path, skip_bad_rows=True)).entries
                case_id = create_case(s, "clean companies").id
                ids = bulk_create_records(s, case_id, [RecordIn("party", {"label": n, "party_kind": "company"})
                                                       for _f, n in names])
            with ws.read() as s:
                _subjects, matches, used = run_to_end(match_case(s, case_id, threshold=threshold))
        finally:
            ws.dispose()
    form_of = dict(zip(ids, names))
    flagged: dict[int, list[str]] = {}
    for subj, entry, score, _exp in matches:
        flagged.setdefault(subj.record_id, []).append(f"{entry['name']!r} ({entry['list_name']}, {score:g})")
    print(f"false positives: {len(flagged)} of {len(names):,} clean names flagged at threshold {used:g} "
          f"= {1000 * len(flagged) / len(names):.2f} per 1,000 (goal < 1); lists: {len(lists)} files, "
          f"{entries:,} entries; {time.perf_counter() - started:.1f} s")
    by_form: dict[str, int] = {}
    for rid in flagged:
        by_form[form_of[rid][0]] = by_form.get(form_of[rid][0], 0) + 1
    if by_form:
        print("  by form: " + ", ".join(f"{k} {v}" for k, v in sorted(by_form.items())))
    for rid, hits in flagged.items():
        print(f"  FLAGGED {form_of[rid][1]!r}: {'; '.join(hits[:3])}")


def main(argv: list[str] | None = None) -> int:
    """Run both parts and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--distractors", type=int, default=20000)
    ap.add_argument("--no-fp", action="store_true")
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args(argv)
    from screening_eval import CORPUS, evaluate, load_pairs

    for title, corpus in (("tuning corpus (tests/data/screening_corpus)", CORPUS),
                          ("held-out corpus (tests/data/screening_heldout)", HELDOUT / "pairs.csv")):
        r = evaluate(args.threshold, args.distractors, corpus=corpus)
        show(f"{title}, threshold {r.threshold:g}, {args.distractors:,} distractors, {r.seconds:.1f} s",
             per_script(load_pairs(corpus), r.scores, r.threshold))
        if args.show_errors or corpus != CORPUS:
            for e in r.errors:
                kind = "FALSE MATCH" if e["label"] == "no_match" else "MISSED"
                print(f"  {kind:<11} #{e['id']} [{e['category']}] {e['left']!r} ~ {e['right']!r}: "
                      f"{e['score']:g} {e['why'][:140]}")
    if not args.no_fp:
        false_positives(args.threshold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
