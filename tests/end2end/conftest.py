"""What every end-to-end test needs: the `casedesk` command run as a user runs it, and a demo workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# The longest of the per-file limits the copies used (importing and screening big lists take minutes
# on a loaded machine); a limit only ends a hung command, it never decides a result.
CLI_TIMEOUT = 300


def run_casedesk(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m casedesk ARGS` in a child process with this environment plus `env`; capture text."""
    # stdin is never a terminal, as in a script: a passphrase prompt must not wait for a keyboard
    return subprocess.run([sys.executable, "-m", "casedesk", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def run() -> Callable[..., subprocess.CompletedProcess]:
    """The CLI runner, for tests and fixtures (conftest cannot be imported directly)."""
    return run_casedesk


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A workspace holding the demo case, made once per test module through `casedesk demo`."""
    db = tmp_path_factory.mktemp("cli") / "demo.casedesk"
    out = run_casedesk("--db", str(db), "demo", "--json")
    assert out.returncode == 0, out.stderr
    return db, json.loads(out.stdout)["case_id"]
