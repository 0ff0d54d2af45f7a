"""`casedesk import FILE --case N`: import a file as evidence into a case; `import undo` takes one back."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from casedesk.cli.core import EXIT_OK, Command, UsageError, emit, printable


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `import`."""
    imp = sub.add_parser("import", parents=[common],
                         usage="casedesk import FILE --case ID [options]\n"
                               "       casedesk import undo [IMPORT-ID | --last] --case ID [--json]",
                         help="import a CSV/TSV/XLSX file as evidence into a case (one transaction); "
                              "`import undo` takes an import back")
    imp.add_argument("file", help="the CSV, TSV or XLSX file; or `undo` to take an import back "
                                  "(a file named undo: write ./undo)")
    imp.add_argument("batch", nargs="?", metavar="IMPORT-ID",
                     help="with undo: the import batch to take back (the batch_id the import printed)")
    imp.add_argument("--last", action="store_true", help="with undo: the case's newest import not yet undone")
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
    imp.add_argument("--keep-same-names", action="store_true",
                     help="keep apart records whose normalised name and country are those of one in the "
                          "case (by default they are linked to it: 'same name and country')")
    imp.add_argument("--merge-same-names", action="store_true",
                     help="accepted for old scripts; merging same names and countries is the default now")
    imp.set_defaults(func=run_import_file)


def run_import_file(cmd: Command) -> int:
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

    args = cmd.args
    if args.file == "undo":
        from casedesk.cli.import_undo import run_import_undo

        return run_import_undo(cmd)
    if args.batch is not None or args.last:
        raise UsageError(f"IMPORT-ID and --last go with `import undo`, not with a file "
                         f"(got {args.batch or '--last'} after {args.file})")
    if args.preset and args.mapping:
        raise UsageError("give either --preset or --mapping, not both")
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{path} is not a file")
    from casedesk.services.exchange.ftm_reading import looks_like_ftm

    if looks_like_ftm(path):
        return run_ftm_import(cmd, path)
    read = ReadOptions(encoding=args.encoding, delimiter=delimiter_option(args.delimiter),
                       header_row=args.header_row, sheet=args.sheet)
    if args.mapping:
        mapping = load_mapping_file(args.mapping)
    elif args.preset:
        mapping = load_preset(args.preset)
    else:
        mapping = fitting_preset(path, read)
    params = {}
    if args.chain:
        if not any(p.name == "chain" for p in mapping.parameters):
            raise UsageError(f"--chain applies to mappings with a chain parameter (such as the "
                             f"transactions preset), not to {mapping.name!r}")
        params["chain"] = args.chain
    ws = cmd.open_workspace()
    options = ImportOptions(grade=args.grade, params=params,
                            rejects_path=Path(args.rejects) if args.rejects else None,
                            keep_same_names=args.keep_same_names)
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
        line = f"{pct}{printable(step.message)[:100]}"
        sys.stderr.write(f"\r{line:<105}" if tty else line + "\n")
        sys.stderr.flush()

    from casedesk.services.importing import inspect_source

    info = inspect_source(path, read, known_columns=mapping.known_header_keys())
    sys.stderr.write(f"reading {path.name}: {info.describe()}\n")
    for warning in info.warnings:
        sys.stderr.write(f"note: {printable(warning)}\n")
    try:
        result = run_to_end(run_import(ws, args.case, path, mapping, read=read, options=options, info=info),
                            on_progress=report)
    finally:
        if tty:
            sys.stderr.write("\n")
    emit(args, result.as_json(), lambda: import_text(args.case, path.name, result))
    return EXIT_OK


def run_ftm_import(cmd: Command, path: Any) -> int:
    """Import a FollowTheMoney entity file (flat, nested or delta form) in one transaction."""
    from casedesk.services.exchange.ftm_in import run_ftm_import as ftm_job
    from casedesk.services.importing import ImportOptions
    from casedesk.services.progress import run_to_end

    args = cmd.args
    if args.preset or args.mapping:
        raise UsageError("a FollowTheMoney file needs no --preset or --mapping")
    ws = cmd.open_workspace()
    options = ImportOptions(grade=args.grade, keep_same_names=args.keep_same_names)
    from casedesk.cli.core import end_progress_line, progress_to_stderr

    try:
        out = run_to_end(ftm_job(ws, args.case, path, options=options), progress_to_stderr)
    finally:
        end_progress_line()

    def text() -> str:
        lines = [import_text(args.case, path.name, out.result)]
        if out.skipped:
            lines.append("not imported (no CaseDesk kind): " + ", ".join(
                f"{n} {schema}" for schema, n in sorted(out.skipped.items())))
        if out.missing_references:
            lines.append(f"{len(out.missing_references):,} references to entities not in the file")
        return "\n".join(lines)

    emit(args, out.as_json(), text)
    return EXIT_OK


def import_text(case_id: int, file_name: str, result: Any) -> str:
    """The human summary of an import: counts, evidence hash, rejects and kept-apart duplicates."""
    lines = [f"imported {file_name} into case {case_id} as batch {result.batch_id}: "
             f"{result.rows:,} rows, {result.created:,} records created, {result.merged:,} merged "
             f"into existing records, {result.links:,} links, {result.rejected:,} rows rejected",
             f"evidence SHA-256 {result.sha256}"]
    if result.rejects_path:
        lines.append(f"rejected rows written to {result.rejects_path}")
    elif result.rejected:
        lines += [f"  row {r.row}: {r.reason}" for r in result.rejects_sample[:10]]
        if result.rejected > 10:
            lines.append(f"  … {result.rejected - 10:,} more (use --rejects OUT.csv to keep them all)")
    merged = [s for s in result.suggestions if s.decision is not None]
    for sg in merged[:10]:
        lines.append(f"  row {sg.first_row}: {sg.label!r} merged into record {sg.decision} ({sg.reason})")
    if len(merged) > 10:
        lines.append(f"  … {len(merged) - 10:,} more merged (--json lists them all)")
    kept = [s for s in result.suggestions if s.decision is None]
    if kept:
        lines.append(f"{len(kept):,} possible duplicates kept separate (merge them in the app):")
        for sg in kept[:10]:
            best = sg.candidates[0]
            lines.append(f"  row {sg.first_row}: {sg.label!r} may be record {best.record_id} "
                         f"{best.label!r} ({best.reason})")
    return "\n".join(lines)


def fitting_preset(path: Any, read: Any) -> Any:
    """The preset whose columns the file has (when --preset and --mapping are both left out)."""
    from casedesk.services.importing import inspect_source, load_preset
    from casedesk.services.importing.automap import rank_presets

    best = rank_presets(inspect_source(path, read).columns)[0]
    if not (best.usable and best.found >= 2):
        raise UsageError("cannot tell which preset fits this file's columns; give --preset "
                         "(parties, ownership, servers, transactions) or --mapping FILE")
    sys.stderr.write(f"using the {best.name} preset ({best.found} of its {best.wanted} columns found)\n")
    return load_preset(best.name)


def delimiter_option(text: str | None) -> str | None:
    """The --delimiter value as one character (names such as `tab` accepted); None means detect."""
    if text is None:
        return None
    names = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
    value = names.get(text.lower(), text)
    if len(value) != 1:
        raise UsageError(f"--delimiter {text!r}: give one character or comma, semicolon, tab, pipe")
    return value
