"""`casedesk verify [--dossier PDF] [--receipt FILE] [--write-receipt FILE]`: integrity, evidence
hashes, the audit chain with its seals and head receipts, each row against its history, and a
dossier's origin."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from casedesk.cli.core import EXIT_OK, EXIT_PROBLEMS, Command, UsageError, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `verify`."""
    verify = sub.add_parser("verify", parents=[common],
                            help="check integrity, evidence hashes, the audit chain and its receipts")
    verify.add_argument("--dossier", metavar="PDF",
                        help="also check that a dossier PDF was made from this workspace's history")
    verify.add_argument("--receipt", metavar="FILE", action="append", default=[],
                        help="also check a head receipt someone handed you (repeatable)")
    verify.add_argument("--write-receipt", metavar="FILE",
                        help="write a signed head receipt of this workspace to FILE (when it verifies)")
    verify.set_defaults(func=run_verify)


def _read_receipt(path: str) -> tuple[str, object]:
    try:
        return f"receipt {path}", json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--receipt {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        # a receipt that is not JSON is still checked: it is reported as not a receipt
        return f"receipt {path}", {"unreadable": str(exc)}


def run_verify(cmd: Command) -> int:
    """Check the workspace, plus (with --dossier) a dossier PDF against it; exit 1 on any problem."""
    from casedesk.services.verify import verify_workspace

    args = cmd.args
    receipts = [_read_receipt(p) for p in args.receipt]
    ws = cmd.open_workspace()
    report = verify_workspace(ws, receipts=receipts)
    payload = report.as_json()
    lines = [str(p) for p in report.problems]
    ok = report.ok
    if args.dossier:
        from casedesk.services.reporting.check import check_dossier

        with ws.read() as s:
            dossier = check_dossier(s, args.dossier)
        ok = ok and dossier.ok
        payload |= {"ok": ok, "dossier": dossier.as_json()}
        lines += [f"dossier: {p}" for p in dossier.problems]
        if ok:
            lines.append(f"ok: the dossier matches this workspace (audit entry "
                         f"{dossier.fingerprint.get('audit-entry')})")
            lines.append(f"the workspace has changed since: {dossier.entries_since} newer audit entries"
                         if dossier.changed_since else "the workspace has not changed since")
    if args.write_receipt:
        if ok:
            payload["receipt_written"] = _write_receipt(ws, args.write_receipt)
            lines.append(f"receipt written to {args.write_receipt}")
        else:
            lines.append("no receipt written: the workspace does not verify")
    if ok and not args.dossier:
        lines.insert(0, "ok")
    lines += report.notes()
    emit(args, payload, lambda: "\n".join(lines))
    return EXIT_OK if ok else EXIT_PROBLEMS


def _write_receipt(ws, path: str) -> str:  # noqa: ANN001 - a storage.workspace.Workspace
    """Sign this workspace's current head with this install's key and write it to path."""
    from casedesk.services.receipts import current_receipt

    with ws.read() as s:
        receipt = current_receipt(s)
    try:
        Path(path).write_text(json.dumps(receipt, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--write-receipt {path}: {exc.strerror or exc}") from None
    return path
