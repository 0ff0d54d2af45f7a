"""Errors the domain and services raise; each carries a message fit to show a user."""

from __future__ import annotations


class CaseDeskError(Exception):
    """Base of every error CaseDesk reports to a user (never shown as a traceback)."""


class ValidationError(CaseDeskError, ValueError):
    """A value was refused: names the field (and row, when known) and the reason."""

    def __init__(self, field: str, reason: str, *, row: int | None = None, value: object = None):
        self.field = field
        self.reason = reason
        self.row = row
        self.value = value
        where = f"row {row}, " if row is not None else ""
        super().__init__(f"{where}{field}: {reason}")

    def at_row(self, row: int) -> "ValidationError":
        """Return the same error located at a row of an input file."""
        return ValidationError(self.field, self.reason, row=row, value=self.value)


class VocabularyError(CaseDeskError):
    """A vocabulary data file is malformed: names the file, entry and field."""

    def __init__(self, file: str, entry: str, field: str, reason: str):
        self.file, self.entry, self.field, self.reason = file, entry, field, reason
        super().__init__(f"{file}: entry {entry!r}, field {field!r}: {reason}")


class NotFoundError(CaseDeskError, LookupError):
    """A case, record, link or other object does not exist."""


class ConflictError(CaseDeskError):
    """An update was based on a stale version: someone else changed the object first."""

    def __init__(self, message: str, *, expected: int, actual: int, changed_by: str | None = None,
                 changed_at: str | None = None, changes: dict | None = None):
        self.expected, self.actual = expected, actual
        self.changed_by, self.changed_at, self.changes = changed_by, changed_at, changes or {}
        super().__init__(message)


class WorkspaceError(CaseDeskError):
    """A workspace cannot be opened: missing, unreadable, unreachable or from a newer schema."""


class Cancelled(CaseDeskError):
    """Long work was stopped at the user's request; nothing was written."""


class NoWorkspaceError(WorkspaceError):
    """A command that only reads named a workspace file that does not exist (nothing was created)."""


class EncryptedWorkspaceError(WorkspaceError):
    """The workspace file is encrypted and no passphrase was given."""


class WrongPassphraseError(EncryptedWorkspaceError):
    """The passphrase given does not open the encrypted workspace."""
