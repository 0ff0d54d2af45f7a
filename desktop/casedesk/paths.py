"""Where CaseDesk finds the files it ships with: vocabularies, icons, fonts, migrations.

The same code runs from three layouts. A wheel and the frozen bundle carry `resources/` and `db/`
inside the package as `casedesk/_data/resources` and `casedesk/_data/db` (setup.py's build_py and
packaging/casedesk.spec put them there), found through importlib.resources. A source checkout or an
editable install has no `_data`: there they are the repository's own `resources/` and `db/`, so
nothing is copied or moved while developing.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

# The package lives at <repo>/desktop/casedesk/, so the repository root is two levels up.
_REPO_ROOT = Path(__file__).resolve().parents[2]

# The folder name inside the package that wheels and the bundle carry the data under.
PACKAGED_DATA = "_data"


def _shipped(name: str) -> Path:
    """The packaged copy of a data folder if there is one, else the repository's folder."""
    packaged = files("casedesk") / PACKAGED_DATA / name
    # Both a wheel install and PyInstaller's frozen importer give a real folder on disk here.
    if packaged.is_dir():
        return Path(str(packaged))
    return _REPO_ROOT / name


def resources_dir() -> Path:
    """Return $CASEDESK_RESOURCES if set, else the shipped resources/ folder."""
    override = os.environ.get("CASEDESK_RESOURCES")
    return Path(override) if override else _shipped("resources")


def migrations_dir() -> Path:
    """Return the folder holding the Alembic environment and versions (the shipped db/)."""
    return _shipped("db")


def docs_dir() -> Path:
    """Return the repository's docs/ directory (absent in a frozen build: the manual's copies serve)."""
    return _REPO_ROOT / "docs"


def app_icon_path() -> Path:
    """The application icon (SVG) the window and the desktop entry use."""
    return resources_dir() / "icons" / "app" / "casedesk.svg"
