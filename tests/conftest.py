"""Shared fixtures: workspaces on SQLite always and on PostgreSQL when CASEDESK_TEST_PG_URL is set."""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never the user's own preferences (name, organisation): a folder of the test run's own.
os.environ["CASEDESK_CONFIG"] = tempfile.mkdtemp(prefix="casedesk-config-")
# Nor the user's signing key and head receipts: a data folder of the test run's own.
os.environ["CASEDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="casedesk-data-")

PG_URL = os.environ.get("CASEDESK_TEST_PG_URL")
DATA = Path(__file__).parent / "data"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses Qt fixtures as `gui` (as qutebrowser does)."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_loopback(host: object) -> bool:
    """True for 127.0.0.0/8, ::1 and the loopback names; the product makes no other connection."""
    if host is None:
        return True  # getaddrinfo(None, port) means the local host
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(host: object) -> None:
    """Fail the test: it reached for a host off this machine."""
    raise AssertionError(f"network access in a test: {host!r} is not a loopback address (no network at run time)")


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """Any test that opens a socket to a non-loopback host fails (unix sockets and 127.0.0.1/::1 are fine)."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create, real_getaddrinfo = socket.create_connection, socket.getaddrinfo

    def host_of(sock: socket.socket, address: object) -> object:
        if sock.family == getattr(socket, "AF_UNIX", None) or not isinstance(address, tuple):
            return None
        return address[0]

    def connect(self: socket.socket, address: object) -> None:
        if not _is_loopback(host_of(self, address)):
            _refuse(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if not _is_loopback(host_of(self, address)):
            _refuse(address)
        return real_connect_ex(self, address)

    def create_connection(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        if not _is_loopback(address[0]):
            _refuse(address)
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
        if not _is_loopback(host):
            _refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex  # type: ignore[method-assign]
    socket.create_connection, socket.getaddrinfo = create_connection, getaddrinfo  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex  # type: ignore[method-assign]
        socket.create_connection, socket.getaddrinfo = real_create, real_getaddrinfo  # type: ignore[assignment]


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
