"""`casedesk encrypt` / `decrypt`: convert the --db SQLite workspace to SQLCipher and back."""

from __future__ import annotations

import argparse

from casedesk.cli.core import EXIT_OK, PASSPHRASE_ENV, Command, UsageError, emit, read_passphrase


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `encrypt` and `decrypt`."""
    sub.add_parser("encrypt", parents=[common],
                   help=f"encrypt the workspace file (passphrase from ${PASSPHRASE_ENV} or a prompt)"
                   ).set_defaults(func=run_encrypt)
    sub.add_parser("decrypt", parents=[common],
                   help="turn an encrypted workspace back into a plain one (keeps an encrypted backup)"
                   ).set_defaults(func=run_decrypt)


def run_encrypt(cmd: Command) -> int:
    """Encrypt the workspace; the plaintext file is replaced only once the encrypted copy verifies."""
    from casedesk.services.encryption import encrypt_workspace, workspace_file

    workspace_file(cmd.args.db, encrypted=False)  # before asking for a passphrase
    done = encrypt_workspace(cmd.args.db, _passphrase("Passphrase for the workspace: ", confirm=True))
    emit(cmd.args, done.as_json(), lambda: f"encrypted {done.path}" + "".join(
        f"\nencrypted the backup {p}" for p in done.backups_encrypted))
    return EXIT_OK


def run_decrypt(cmd: Command) -> int:
    """Decrypt the workspace, after an encrypted backup beside it."""
    from casedesk.services.encryption import decrypt_workspace, workspace_file

    workspace_file(cmd.args.db, encrypted=True)  # before asking for a passphrase
    done = decrypt_workspace(cmd.args.db, _passphrase("Passphrase of the encrypted workspace: ",
                                                      missing="the workspace is encrypted: "))
    emit(cmd.args, done.as_json(), lambda: f"decrypted {done.path} (encrypted backup: {done.backup})")
    return EXIT_OK


def _passphrase(prompt: str, *, confirm: bool = False, missing: str = "") -> str:
    value = read_passphrase(prompt, confirm=confirm)
    if value is None:
        raise UsageError(f"{missing}no passphrase: set {PASSPHRASE_ENV} or run on a terminal to be asked")
    return value
