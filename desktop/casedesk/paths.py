"""Where CaseDesk finds the files it ships with: vocabularies, icons, fonts, migrations."""

from __future__ import annotations

import os
from pathlib import Path

# The package lives at <repo>/desktop/casedesk/, so the repository root is two levels up.
_REPO_ROOT = Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    """Return $CASEDESK_RESOURCES if set, else the repository's resources/ directory."""
    override = os.environ.get("CASEDESK_RESOURCES")
    return Path(override) if override else _REPO_ROOT / "resources"


def migrations_dir() -> Path:
    """Return the directory holding the Alembic environment and versions (the repository's db/)."""
    return _REPO_ROOT / "db"


def docs_dir() -> Path:
    """Return the repository's docs/ directory (absent in a frozen build: the manual's copies serve)."""
    return _REPO_ROOT / "docs"
