"""`casedesk verify [--dossier PDF]`: integrity, evidence hashes, the audit chain, and a dossier's origin."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, EXIT_PROBLEMS, Command, emit


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `verify`."""
    verify = sub.add_parser("verify", parents=[common],
                            help="check integrity, evidence hashes and the audit chain")
    verify.add_argument("--dossier", metavar="PDF",
                        help="also check that a dossier PDF was made from this workspace's history")
    verify.set_defaults(func=run_verify)


def run_verify(cmd: Command) -> int:
    """Check the workspace, plus (with --dossier) a dossier PDF against it; exit 1 on any problem."""
    from casedesk.services.verify import verify_workspace

    args = cmd.args
    ws = cmd.open_workspace()
    report = verify_workspace(ws)
    if not args.dossier:
        emit(args, report.as_json(), lambda: "ok" if report.ok else "\n".join(map(str, report.problems)))
        return EXIT_OK if report.ok else EXIT_PROBLEMS
    from casedesk.services.reporting.check import check_dossier

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

    emit(args, payload, human)
    return EXIT_OK if ok else EXIT_PROBLEMS
