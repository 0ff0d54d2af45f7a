"""`casedesk import undo [IMPORT-ID | --last] --case ID`: take one import back, as the review page's Undo does."""

from __future__ import annotations

from casedesk.cli.core import EXIT_OK, Command, UsageError, emit


def run_import_undo(cmd: Command) -> int:
    """Undo one import batch of the case in one transaction (audited); refused whole if it cannot be."""
    from casedesk.services.importing.undo import batch_to_undo, undo_import

    args = cmd.args
    if args.batch is None and not args.last:
        raise UsageError("import undo needs the IMPORT-ID the import printed (its batch_id) or --last")
    if args.batch is not None and args.last:
        raise UsageError("give either IMPORT-ID or --last, not both")
    try:
        batch_id = None if args.last else int(args.batch)
    except ValueError:
        raise UsageError(f"IMPORT-ID must be a number, got {args.batch!r}") from None
    ws = cmd.open_workspace()
    with ws.write() as s:
        done = undo_import(s, batch_to_undo(s, args.case, batch_id))
        payload = done.as_json()
    emit(args, payload, f"import {payload['batch_id']} ({payload['filename']}) undone: "
                        f"{payload['records_removed']} records, {payload['links_removed']} links removed, "
                        f"{payload['records_restored']} records restored")
    return EXIT_OK
