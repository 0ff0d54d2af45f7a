"""A database role that may only read: the command line reads, and refuses writes with a reason."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

READER = "casedesk_reader"


def _grant_read_only(url: str) -> str:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": READER}).first() is None:
            conn.execute(text(f"CREATE ROLE {READER} LOGIN"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {READER}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}"))
    admin.dispose()
    return make_url(url).set(username=READER, password=None).render_as_string(hide_password=False)


def _revoke(url: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {READER}"))
        conn.execute(text(f"REVOKE ALL ON SCHEMA public FROM {READER}"))
    admin.dispose()


def test_a_read_only_role_lists_but_cannot_write(run, pg_url):
    out = run("--db", pg_url, "cases", "new", "Team case", "--json")
    assert out.returncode == 0, out.stderr
    case_id = json.loads(out.stdout)["id"]
    reader = _grant_read_only(pg_url)
    try:
        listed = run("--db", reader, "cases", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [c["title"] for c in json.loads(listed.stdout)] == ["Team case"]
        refused = run("--db", reader, "records", "add", "--case", str(case_id), "--kind", "party",
                      "--label", "Aurora")
        assert refused.returncode == 2, refused.stderr
        assert f"read-only for {READER}" in refused.stderr and "nothing was written" in refused.stderr
        assert "Traceback" not in refused.stderr and "internal error" not in refused.stderr
        still = run("--db", pg_url, "records", "list", "--case", str(case_id), "--json")
        assert json.loads(still.stdout) == []
    finally:
        _revoke(pg_url)
