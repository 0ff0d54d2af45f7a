"""The command line: the same services as the GUI, JSON on stdout, exit 2 with one line on bad input.

See product/cli.md for the contract (names, options, JSON keys).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from casedesk.domain.errors import CaseDeskError

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 70


class UsageError(CaseDeskError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit 2 itself
        raise UsageError(message)


def _emit(args: argparse.Namespace, payload: Any, human: Callable[[], str] | str) -> None:
    if args.json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        text = human() if callable(human) else human
        if text:
            sys.stdout.write(_printable(text) + "\n")


def _printable(text: str) -> str:
    """Make user data safe on a terminal: control characters become visible escapes."""
    out = []
    for ch in text:
        if ch == "\n" or ch == "\t" or (ch.isprintable() and ch not in "\u202e\u202d\u2066\u2067\u2068"):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


_OPENED: list = []  # workspaces this command opened, closed by main() before it returns


def _open(args: argparse.Namespace):  # noqa: ANN202
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(args.db)
    _OPENED.append(ws)
    return ws


def _close_opened() -> None:
    """Close the command's workspaces, letting a background WAL checkpoint finish first."""
    while _OPENED:
        _OPENED.pop().dispose()


# --- commands -------------------------------------------------------------------------------

def cmd_cases(args: argparse.Namespace) -> int:
    from casedesk.services.cases import create_case, list_cases

    ws = _open(args)
    if args.cases_cmd == "new":
        with ws.write() as s:
            case = create_case(s, args.title, args.description or "")
            case_id = case.id
        _emit(args, {"id": case_id, "title": args.title}, f"created case {case_id}")
        return EXIT_OK
    with ws.read() as s:
        cases = list_cases(s)
    _emit(args, [{"id": c.id, "title": c.title, "records": c.records, "links": c.links,
                  "created_at": c.created_at} for c in cases],
          lambda: "\n".join(f"{c.id:>5}  {c.title}  ({c.records} records, {c.links} links)"
                            for c in cases) or "no cases")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from casedesk.services.demo import load_demo_case

    ws = _open(args)
    with ws.write() as s:
        case = load_demo_case(s)
        case_id = case.id
    _emit(args, {"case_id": case_id}, f"demo case loaded as case {case_id}")
    return EXIT_OK


def cmd_records(args: argparse.Namespace) -> int:
    from casedesk.services.queries import list_records

    ws = _open(args)
    with ws.read() as s:
        rows = list_records(s, args.case, kind=args.kind)
    _emit(args, rows, lambda: "\n".join(f"{r['id']:>6}  {r['kind']:<10}  {r['label']}" for r in rows)
          or "no records")
    return EXIT_OK


def cmd_links(args: argparse.Namespace) -> int:
    from casedesk.services.queries import list_links

    ws = _open(args)
    with ws.read() as s:
        rows = list_links(s, args.case)
    _emit(args, rows, lambda: "\n".join(
        f"{r['id']:>6}  {r['source_id']} -[{r['type']}]-> {r['target_id']}" for r in rows) or "no links")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from casedesk.services.verify import verify_workspace

    ws = _open(args)
    report = verify_workspace(ws)
    _emit(args, report.as_json(), lambda: "ok" if report.ok else "\n".join(map(str, report.problems)))
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def cmd_analyse(args: argparse.Namespace) -> int:
    from datetime import date

    from casedesk.services.analysis.engine import run_analysis
    from casedesk.services.findings import list_findings
    from casedesk.services.progress import run_to_end

    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(f"--as-of {args.as_of!r} is not a YYYY-MM-DD date") from None
    ws = _open(args)
    with ws.write() as s:
        result = run_to_end(run_analysis(s, args.case, as_of=as_of))
        findings = list_findings(s, args.case)
    current = [f for f in findings if f["status"] != "resolved"]
    payload = {
        "case_id": args.case, "as_of": result.as_of.isoformat(), "compute": result.compute,
        "findings": [{"id": f["id"], "rule": f["rule"], "severity": f["severity"], "title": f["title"],
                      "record_ids": f["record_ids"], "link_ids": f["link_ids"],
                      "explanation": f["explanation"], "status": f["status"], "reason": f["reason"],
                      "details": f["details"]} for f in current],
        "resolved": [{"id": f["id"], "rule": f["rule"], "title": f["title"]}
                     for f in findings if f["status"] == "resolved"],
        "undecided": result.undecided, "counts": result.counts}
    _emit(args, payload, lambda: _analysis_text(result, current))
    return EXIT_OK


def _analysis_text(result: Any, findings: list[dict[str, Any]]) -> str:
    compute = result.compute
    t = compute["totals"]
    lines = [f"Compute (rules in force on {result.as_of.isoformat()}): {t['accelerators_text']}"
             f" · TPP {t['total_tpp']:,.0f} · {t['h100_equivalents']:,.0f} H100-equivalents"
             + (f" · {t['controlled_share']:.0%} of TPP controlled" if t["controlled_share"] is not None else "")]
    for f in compute["fleets"]:
        lines.append(f"  {f['label']}: {f['accelerators_text']} · {f['class_text']}")
    for key, title in (("by_datacenter", "data center"), ("by_owner", "owner"),
                       ("by_operator", "operator"), ("by_end_user", "end user")):
        for g in compute[key]:
            lines.append(f"  by {title} {g['label']}: {g['accelerators_text']}"
                         f" · {g['h100_equivalents']:,.0f} H100e")
    c = result.counts
    lines.append(f"Findings: {len(findings)} ({c['created']} new, {c['updated']} updated, "
                 f"{c['reopened']} re-opened, {c['resolved']} resolved)")
    for f in findings:
        lines.append(f"  [{f['severity']}] {f['status']:<9} {f['rule']}: {f['explanation'] or f['title']}")
    if result.undecided:
        lines.append("Could not decide:")
        lines += [f"  - {u['question']}" for u in result.undecided]
    return "\n".join(lines)

def cmd_import(args: argparse.Namespace) -> int:
    """Import a CSV/TSV/XLSX file into a case in one transaction (progress on stderr)."""
    from pathlib import Path

    from casedesk.services.importing import (
        ImportOptions,
        ReadOptions,
        load_mapping_file,
        load_preset,
        run_import,
    )
    from casedesk.services.progress import run_to_end

    if args.preset and args.mapping:
        raise UsageError("give either --preset or --mapping, not both")
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{path} is not a file")
    read = ReadOptions(encoding=args.encoding, delimiter=_delimiter(args.delimiter),
                       header_row=args.header_row, sheet=args.sheet)
    if args.mapping:
        mapping = load_mapping_file(args.mapping)
    elif args.preset:
        mapping = load_preset(args.preset)
    else:
        mapping = _fitting_preset(path, read)
    params = {}
    if args.chain:
        if not any(p.name == "chain" for p in mapping.parameters):
            raise UsageError(f"--chain applies to mappings with a chain parameter (such as the "
                             f"transactions preset), not to {mapping.name!r}")
        params["chain"] = args.chain
    ws = _open(args)
    options = ImportOptions(grade=args.grade, params=params,
                            rejects_path=Path(args.rejects) if args.rejects else None,
                            merge_same_names=args.merge_same_names)
    tty = sys.stderr.isatty()
    last = [0.0, ""]

    def report(step) -> None:  # noqa: ANN001 - a Progress
        import time

        now = time.monotonic()
        stage = step.message.split(":")[0]
        if now - last[0] < (0.2 if tty else 1.0) and stage == last[1]:
            return
        last[0], last[1] = now, stage
        pct = f"{100 * step.fraction:3.0f}% " if step.fraction is not None else ""
        line = f"{pct}{_printable(step.message)[:100]}"
        sys.stderr.write(f"\r{line:<105}" if tty else line + "\n")
        sys.stderr.flush()

    from casedesk.services.importing import inspect_source

    info = inspect_source(path, read, known_columns=mapping.known_header_keys())
    sys.stderr.write(f"reading {path.name}: {info.describe()}\n")
    for warning in info.warnings:
        sys.stderr.write(f"note: {_printable(warning)}\n")
    try:
        result = run_to_end(run_import(ws, args.case, path, mapping, read=read, options=options, info=info),
                            on_progress=report)
    finally:
        if tty:
            sys.stderr.write("\n")
    payload = result.as_json()

    def human() -> str:
        lines = [f"imported {path.name} into case {args.case} as batch {result.batch_id}: "
                 f"{result.rows:,} rows, {result.created:,} records created, {result.merged:,} merged "
                 f"into existing records, {result.links:,} links, {result.rejected:,} rows rejected",
                 f"evidence SHA-256 {result.sha256}"]
        if result.rejects_path:
            lines.append(f"rejected rows written to {result.rejects_path}")
        elif result.rejected:
            lines += [f"  row {r.row}: {r.reason}" for r in result.rejects_sample[:10]]
            if result.rejected > 10:
                lines.append(f"  … {result.rejected - 10:,} more (use --rejects OUT.csv to keep them all)")
        kept = [s for s in result.suggestions if s.decision is None]
        if kept:
            lines.append(f"{len(kept):,} possible duplicates kept separate (merge them in the app):")
            for sg in kept[:10]:
                best = sg.candidates[0]
                lines.append(f"  row {sg.first_row}: {sg.label!r} may be record {best.record_id} "
                             f"{best.label!r} ({best.reason})")
        return "\n".join(lines)

    _emit(args, payload, human)
    return EXIT_OK


def _fitting_preset(path: Any, read: Any) -> Any:
    """The preset whose columns the file has (when --preset and --mapping are both left out)."""
    from casedesk.services.importing import inspect_source, load_preset
    from casedesk.services.importing.automap import rank_presets

    best = rank_presets(inspect_source(path, read).columns)[0]
    if not (best.usable and best.found >= 2):
        raise UsageError("cannot tell which preset fits this file's columns; give --preset "
                         "(parties, ownership, servers, transactions) or --mapping FILE")
    sys.stderr.write(f"using the {best.name} preset ({best.found} of its {best.wanted} columns found)\n")
    return load_preset(best.name)


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    names = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
    value = names.get(text.lower(), text)
    if len(value) != 1:
        raise UsageError(f"--delimiter {text!r}: give one character or comma, semicolon, tab, pipe")
    return value


def cmd_gui(args: argparse.Namespace) -> int:
    from casedesk.app import run_gui

    return run_gui(args.db)

# --- screening (watchlists, screen, hits, dedupe) ---------------------------------------------

def _progress_to_stderr(step) -> None:  # noqa: ANN001
    if sys.stderr.isatty() and step.message:
        sys.stderr.write(f"\r{step.message[:100]:<100}")
        sys.stderr.flush()


def cmd_watchlist(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casedesk.services.progress import run_to_end
    from casedesk.services.screening.watchlist_import import import_watchlist, list_watchlists

    ws = _open(args)
    if args.watchlist_cmd == "list":
        with ws.read() as s:
            rows = list_watchlists(s)
        _emit(args, rows, lambda: "\n".join(
            f"{r['list_id']:>4}  {r['name']}  [{r['format']}]  {r['entries']:,} entries"
            f"  snapshot {r['snapshot_date'] or 'unknown'}" for r in rows) or "no lists loaded")
        return EXIT_OK
    mapping = None
    if args.mapping:
        from casedesk.services.screening.formats.mapped import load_mapping

        mapping = load_mapping(Path(args.mapping))
    with ws.write() as s:
        result = run_to_end(import_watchlist(
            s, Path(args.file), fmt=args.format, name=args.name, mapping=mapping,
            skip_bad_rows=args.skip_bad_rows, snapshot_date=args.snapshot_date), _progress_to_stderr)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for problem in result.skipped[:20]:
        sys.stderr.write(f"casedesk: skipped {_printable(problem)}\n")
    _emit(args, result.as_json(), lambda: (
        f"{'replaced' if result.replaced else 'loaded'} list {result.list_id} {result.name!r} "
        f"[{result.format}]: {result.entries:,} entries"
        + (f", {len(result.skipped)} bad rows skipped" if result.skipped else "")
        + (f", {result.duplicates} duplicate rows merged" if result.duplicates else "")
        + (f", {result.kept_decisions} decisions kept, {result.reopened} re-opened"
           if result.replaced else "")))
    return EXIT_OK


def cmd_screen(args: argparse.Namespace) -> int:
    from casedesk.services.progress import run_to_end
    from casedesk.services.screening.screen import screen_case

    ws = _open(args)
    with ws.write() as s:
        result = run_to_end(screen_case(s, args.case, threshold=args.threshold), _progress_to_stderr)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    _emit(args, result.as_json(), lambda: "\n".join(
        f"{h['hit_id']:>5}  {h['score']:5.1f}  [{h['status']}]  {h['record_label']}  ~  "
        f"{h['entry_name']}  ({h['list']})" for h in result.hits) or "no hits")
    return EXIT_OK


def cmd_hits(args: argparse.Namespace) -> int:
    from casedesk.services.screening.hits import decide_hit, hit_dict, list_hits

    ws = _open(args)
    if args.hits_cmd == "list":
        with ws.read() as s:
            rows = list_hits(s, args.case, status=args.status)
        _emit(args, rows, lambda: "\n".join(
            f"{h['hit_id']:>5}  {h['score']:5.1f}  [{h['status']}]  {h['record_label']}  ~  "
            f"{h['entry_name']}  ({h['list']})" for h in rows) or "no hits")
        return EXIT_OK
    with ws.write() as s:
        hit = decide_hit(s, args.hit, args.status, args.reason or "")
        payload = hit_dict(hit, "")
    _emit(args, payload, f"hit {args.hit} {args.status}")
    return EXIT_OK


def cmd_dedupe(args: argparse.Namespace) -> int:
    from casedesk.services.screening.entity_resolution import find_duplicates

    ws = _open(args)
    with ws.read() as s:
        pairs = find_duplicates(s, args.case, threshold=args.threshold)
    _emit(args, {"case_id": args.case, "pairs": pairs}, lambda: "\n".join(
        f"{p['score']:5.1f}  {p['record_a']} {p['label_a']!r}  ~  {p['record_b']} {p['label_b']!r}"
        for p in pairs) or "no duplicate suggestions")
    return EXIT_OK


# --- report (the PDF dossier) and verify --dossier -------------------------------------------

def cmd_report(args: argparse.Namespace) -> int:
    from casedesk.services.progress import run_to_end
    from casedesk.services.reporting import DossierOptions, write_report

    ws = _open(args)
    options = DossierOptions(marking=args.marking, author=ws.actor if args.author is None else args.author,
                             redaction=args.redact, date=args.date)
    shown = {"message": ""}

    def progress(step) -> None:  # noqa: ANN001 - Progress
        if not args.json and step.message != shown["message"] and sys.stderr.isatty():
            shown["message"] = step.message
            sys.stderr.write(f"{step.message}…\n")

    with ws.read() as s:
        result = run_to_end(write_report(s, args.case, args.output, options), progress)
    _emit(args, result, f"wrote {result['path']} ({result['pages']} pages, sha256 {result['sha256']})")
    return EXIT_OK


def cmd_verify_dossier(args: argparse.Namespace) -> int:
    """verify, plus (with --dossier) a check of a dossier PDF against this workspace."""
    if not args.dossier:
        return cmd_verify(args)
    from casedesk.services.reporting.check import check_dossier
    from casedesk.services.verify import verify_workspace

    ws = _open(args)
    report = verify_workspace(ws)
    with ws.read() as s:
        dossier = check_dossier(s, args.dossier)
    ok = report.ok and dossier.ok
    payload = report.as_json() | {"ok": ok, "dossier": dossier.as_json()}

    def human() -> str:
        lines = [str(p) for p in report.problems] + [f"dossier: {p}" for p in dossier.problems]
        if ok:
            lines.append(f"ok: the dossier matches this workspace (audit entry "
                         f"{dossier.fingerprint.get('audit-entry')})")
            lines.append(f"the workspace has changed since: {dossier.entries_since} newer audit entries"
                         if dossier.changed_since else "the workspace has not changed since")
        return "\n".join(lines)

    _emit(args, payload, human)
    return EXIT_OK if ok else EXIT_PROBLEMS


# --- parser ---------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p = _Parser(prog="casedesk", description="CaseDesk: offline due-diligence case manager.")
    p.add_argument("--db", help="workspace: a SQLite file path or a postgresql+psycopg:// URL "
                                "(default: $CASEDESK_DB, else the workspace in your data folder)")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    sub.add_parser("gui", help="open the main window").set_defaults(func=cmd_gui)

    cases = sub.add_parser("cases", help="list or create cases")
    csub = cases.add_subparsers(dest="cases_cmd", required=True, parser_class=_Parser)
    csub.add_parser("list", parents=[common], help="list cases").set_defaults(func=cmd_cases)
    new = csub.add_parser("new", parents=[common], help="create a case")
    new.add_argument("title")
    new.add_argument("--description")
    new.set_defaults(func=cmd_cases)

    sub.add_parser("demo", parents=[common], help="add the built-in demo case").set_defaults(func=cmd_demo)

    records = sub.add_parser("records", help="list records")
    rsub = records.add_subparsers(dest="records_cmd", required=True, parser_class=_Parser)
    rl = rsub.add_parser("list", parents=[common], help="list a case's records")
    rl.add_argument("--case", type=int, required=True)
    rl.add_argument("--kind", choices=["party", "wallet", "datacenter", "server", "contract"])
    rl.set_defaults(func=cmd_records)

    links = sub.add_parser("links", help="list links")
    lsub = links.add_subparsers(dest="links_cmd", required=True, parser_class=_Parser)
    ll = lsub.add_parser("list", parents=[common], help="list a case's links")
    ll.add_argument("--case", type=int, required=True)
    ll.set_defaults(func=cmd_links)

    an = sub.add_parser("analyse", aliases=["analyze"], parents=[common],
                        help="compute totals, ECCN classes and red flags (findings are saved)")
    an.add_argument("--case", type=int, required=True)
    an.add_argument("--as-of", help="apply the rules in force on this day (YYYY-MM-DD; default today)")
    an.set_defaults(func=cmd_analyse)

    # screening (watchlists, screen, hits, dedupe)
    wl = sub.add_parser("watchlist", help="load and list screening lists")
    wsub = wl.add_subparsers(dest="watchlist_cmd", required=True, parser_class=_Parser)
    wi = wsub.add_parser("import", parents=[common], help="load (or replace) a screening list")
    wi.add_argument("file", help="the list file (OFAC SDN: sdn.csv, with alt/add/sdn_comments beside it)")
    wi.add_argument("--format", default="auto",
                    choices=["auto", "csl", "ofac-sdn", "dpl", "ftm", "opensanctions-csv"])
    wi.add_argument("--name", help="list name (a list of the same name is replaced)")
    wi.add_argument("--mapping", help="YAML/JSON column mapping for any other CSV")
    wi.add_argument("--skip-bad-rows", action="store_true",
                    help="import the readable rows and report the malformed ones")
    wi.add_argument("--snapshot-date", help="the list's publication date, if the file has none")
    wi.set_defaults(func=cmd_watchlist)
    wsub.add_parser("list", parents=[common], help="list loaded lists").set_defaults(func=cmd_watchlist)

    sc = sub.add_parser("screen", parents=[common],
                        help="screen a case's parties and wallets against every list")
    sc.add_argument("--case", type=int, required=True)
    sc.add_argument("--threshold", type=float, help="minimum score 0-100 (default from weights.yaml)")
    sc.set_defaults(func=cmd_screen)

    hits = sub.add_parser("hits", help="list and decide screening hits")
    hsub = hits.add_subparsers(dest="hits_cmd", required=True, parser_class=_Parser)
    hl = hsub.add_parser("list", parents=[common], help="a case's screening hits")
    hl.add_argument("--case", type=int, required=True)
    hl.add_argument("--status", choices=["open", "confirmed", "dismissed"])
    hl.set_defaults(func=cmd_hits)
    hd = hsub.add_parser("decide", parents=[common], help="confirm, dismiss or re-open a hit")
    hd.add_argument("hit", type=int)
    hd.add_argument("status", choices=["confirmed", "dismissed", "open"])
    hd.add_argument("--reason", help="why (required to dismiss)")
    hd.set_defaults(func=cmd_hits)

    dd = sub.add_parser("dedupe", parents=[common], help="suggest duplicate records within a case")
    dd.add_argument("--case", type=int, required=True)
    dd.add_argument("--threshold", type=float)
    dd.set_defaults(func=cmd_dedupe)

    imp = sub.add_parser("import", parents=[common],
                         help="import a CSV/TSV/XLSX file as evidence into a case (one transaction)")
    imp.add_argument("file", help="the CSV, TSV or XLSX file")
    imp.add_argument("--case", type=int, required=True, help="id of the case to import into")
    source = imp.add_mutually_exclusive_group()
    source.add_argument("--preset", help="a built-in mapping: parties, ownership, servers, transactions "
                                         "(default: the one whose columns the file has)")
    source.add_argument("--mapping", help="a mapping saved as YAML or JSON")
    imp.add_argument("--encoding", help="the file's text encoding (default: detected)")
    imp.add_argument("--delimiter", help="cell separator: comma, semicolon, tab, pipe (default: detected)")
    imp.add_argument("--header-row", type=int, help="row number of the header (0: no header; default: detected)")
    imp.add_argument("--sheet", help="the sheet of a spreadsheet to read (default: the first)")
    imp.add_argument("--rejects", metavar="OUT.csv", help="write rejected rows with row number and reason here")
    imp.add_argument("--grade", default="F6", help="Admiralty grade of the file as evidence (default F6: cannot be judged)")
    imp.add_argument("--chain", help="chain of a transactions file (default ETH)")
    imp.add_argument("--merge-same-names", action="store_true",
                     help="also merge records whose names are identical after normalising "
                          "(by default only identifiers and wallet addresses merge; names are reported)")
    imp.set_defaults(func=cmd_import)

    sub.add_parser("verify", parents=[common],
                   help="check integrity, evidence hashes and the audit chain").set_defaults(func=cmd_verify)

    # report (the PDF dossier) and verify --dossier
    report = sub.add_parser("report", parents=[common], help="write the PDF dossier of a case")
    report.add_argument("--case", type=int, required=True)
    report.add_argument("-o", "--output", required=True, metavar="OUT.pdf")
    report.add_argument("--redact", default="none", metavar="PROFILE",
                        help="redaction profile: none, sensitive, external (resources/reporting)")
    report.add_argument("--marking", default="UNCLASSIFIED", help="classification marking on every page")
    report.add_argument("--author", help="author on the cover (default: the workspace user)")
    report.add_argument("--date", help="date on the cover, YYYY-MM-DD (default: the newest audit entry's)")
    report.set_defaults(func=cmd_report)
    verify_parser = sub.choices["verify"]
    verify_parser.add_argument("--dossier", metavar="PDF",
                               help="also check that a dossier PDF was made from this workspace's history")
    verify_parser.set_defaults(func=cmd_verify_dossier)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "command", None):
            from casedesk.app import run_gui

            return run_gui(args.db)
        if not hasattr(args, "json"):
            args.json = False
        try:
            return args.func(args)
        finally:
            _close_opened()
    except CaseDeskError as exc:
        sys.stderr.write(f"casedesk: {_printable(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("casedesk: interrupted\n")
        return 130
    except Exception as exc:  # a bug, not bad input: keep the traceback in a log, not on screen
        log = _write_crash_log()
        sys.stderr.write(f"casedesk: internal error ({type(exc).__name__}: {_printable(str(exc))[:200]}); "
                         f"details in {log}\n")
        return EXIT_INTERNAL


def _write_crash_log() -> str:
    import traceback
    from pathlib import Path

    from platformdirs import user_log_dir

    folder = Path(user_log_dir("CaseDesk", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "crash.log"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(traceback.format_exc() + "\n")
    return str(path)
