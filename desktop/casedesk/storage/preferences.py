"""The user's preferences, shared by the window and the command line: who they are, for whom they work.

Kept as JSON in the user's configuration folder (platformdirs), not in a workspace: the name is who
the audit records as acting on a SQLite workspace (on PostgreSQL the database user is), and the
dossier's author; the organisation goes on the dossier's cover.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from platformdirs import user_config_dir

from casedesk.domain.errors import WorkspaceError

MAX_NAME = 200


@dataclass(frozen=True)
class Preferences:
    """What the user told CaseDesk about themselves."""

    name: str = ""
    organisation: str = ""

    def actor(self) -> str:
        """Who acts on a SQLite workspace: the name set here, else the operating system login."""
        return self.name.strip() or _login()

    def author_line(self, fallback: str) -> str:
        """The dossier author: 'Name (Organisation)' from these preferences, else fallback."""
        name = self.name.strip() or fallback
        return f"{name} ({self.organisation.strip()})" if self.organisation.strip() else name


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no such user in the password database (containers)
        return "unknown"


def preferences_path() -> Path:
    """Where the preferences file lives ($CASEDESK_CONFIG overrides the folder, for tests)."""
    folder = os.environ.get("CASEDESK_CONFIG") or user_config_dir("CaseDesk", appauthor=False)
    return Path(folder) / "preferences.json"


def load_preferences() -> Preferences:
    """The saved preferences (defaults when there are none or the file is unreadable)."""
    try:
        data = json.loads(preferences_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Preferences()
    if not isinstance(data, dict):
        return Preferences()
    return Preferences(name=str(data.get("name") or "")[:MAX_NAME],
                       organisation=str(data.get("organisation") or "")[:MAX_NAME])


def save_preferences(prefs: Preferences) -> None:
    """Save the preferences; WorkspaceError naming the folder when it cannot be written."""
    path = preferences_path()
    clean = Preferences(name=" ".join(prefs.name.split())[:MAX_NAME],
                        organisation=" ".join(prefs.organisation.split())[:MAX_NAME])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(clean), ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise WorkspaceError(f"cannot save preferences in {path.parent}: {exc.strerror}") from None
