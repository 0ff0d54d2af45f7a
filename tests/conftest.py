"""Shared fixtures: workspaces on SQLite always and on PostgreSQL when CASEDESK_TEST_PG_URL is set."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never the user's own preferences (name, organisation): a folder of the test run's own.
os.environ["CASEDESK_CONFIG"] = tempfile.mkdtemp(prefix="casedesk-config-")

PG_URL = os.environ.get("CASEDESK_TEST_PG_URL")
DATA = Path(__file__).parent / "data"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses Qt fixtures as `gui` (as qutebrowser does)."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _fresh_preferences() -> Iterator[None]:
    """Each test starts with no saved preferences (a test that saves some leaves none behind)."""
    yield
    (Path(os.environ["CASEDESK_CONFIG"]) / "preferences.json").unlink(missing_ok=True)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL of a fresh, empty PostgreSQL database, dropped afterwards (skips without a server)."""
    if not PG_URL:
        pytest.skip("CASEDESK_TEST_PG_URL is not set")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"casedesk_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path):  # noqa: ANN201
    """An open, migrated, empty workspace on each backend."""
    from casedesk.storage.workspace import open_workspace

    if request.param == "sqlite":
        ws = open_workspace(str(tmp_path / "ws.casedesk"))
    else:
        ws = open_workspace(request.getfixturevalue("pg_url"))
    yield ws
    ws.dispose()


@pytest.fixture
def sqlite_ws(tmp_path: Path):  # noqa: ANN201
    """An open, migrated, empty SQLite workspace."""
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(str(tmp_path / "ws.casedesk"))
    yield ws
    ws.dispose()


@pytest.fixture
def case_id(workspace) -> int:  # noqa: ANN001
    """A new case in the workspace."""
    from casedesk.services.cases import create_case

    with workspace.write() as s:
        return create_case(s, "Test case").id


@pytest.fixture
def demo_ws(tmp_path: Path):  # noqa: ANN201
    """A SQLite workspace holding the demo case; yields (workspace, case_id)."""
    from casedesk.services.demo import load_demo_case
    from casedesk.storage.workspace import open_workspace

    ws = open_workspace(str(tmp_path / "demo.casedesk"))
    with ws.write() as s:
        cid = load_demo_case(s).id
    yield ws, cid
    ws.dispose()
