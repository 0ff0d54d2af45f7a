"""The command line as investigators script it: demo, listing, verify and bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest


def test_demo_then_verify_reports_ok(run, demo_db):
    db, _ = demo_db
    out = run("--db", str(db), "verify", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is True and report["problems"] == []


def test_demo_case_is_big_enough_and_listed(run, demo_db):
    db, case_id = demo_db
    cases = json.loads(run("--db", str(db), "cases", "list", "--json").stdout)
    assert cases[0]["id"] == case_id and cases[0]["records"] >= 20
    records = json.loads(run("--db", str(db), "records", "list", "--case", str(case_id), "--json").stdout)
    assert {"id", "kind", "label", "fields"} <= set(records[0])
    kinds = {r["kind"] for r in records}
    assert kinds == {"party", "wallet", "datacenter", "server", "contract"}
    fleets = [r for r in records if r["kind"] == "server"]
    assert any(f["fields"]["server_count"] == 300 and f["fields"]["count_qualifier"] == "at_least" for f in fleets)
    assert any(f["fields"]["server_count"] == 400 for f in fleets)
    wallets = [r for r in records if r["kind"] == "wallet"]
    assert wallets and all(w["fields"]["illustrative"] for w in wallets)
    links = json.loads(run("--db", str(db), "links", "list", "--case", str(case_id), "--json").stdout)
    assert len(links) >= 25 and {"id", "type", "source_id", "target_id", "fields"} <= set(links[0])
    parties = json.loads(run("--db", str(db), "records", "list", "--case", str(case_id),
                             "--kind", "party", "--json").stdout)
    assert all(p["kind"] == "party" for p in parties)


def _copy(db: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "copy.casedesk"
    src = sqlite3.connect(db)
    dst = sqlite3.connect(dest)
    src.backup(dst)
    src.close()
    dst.close()
    return dest


def test_one_changed_byte_in_an_audit_row_fails_verify_naming_it(run, demo_db, tmp_path):
    db = _copy(demo_db[0], tmp_path)
    con = sqlite3.connect(db)
    con.execute("UPDATE audit_log SET actor = actor || 'x' WHERE id = 7")
    con.commit()
    con.close()
    out = run("--db", str(db), "verify", "--json")
    assert out.returncode == 1
    problems = json.loads(out.stdout)["problems"]
    assert any(p["subject"] == "audit entry 7" for p in problems)


def test_one_changed_byte_in_an_evidence_blob_fails_verify_naming_it(run, demo_db, tmp_path):
    db = _copy(demo_db[0], tmp_path)
    con = sqlite3.connect(db)
    sha = con.execute("SELECT sha256 FROM blob LIMIT 1").fetchone()[0]
    con.execute("UPDATE blob SET content = CAST('X' || substr(content, 2) AS BLOB) WHERE sha256 = ?", (sha,))
    con.commit()
    con.close()
    out = run("--db", str(db), "verify")
    assert out.returncode == 1
    assert sha in out.stdout


@pytest.mark.parametrize("args,needle", [
    (["--db", "/nonexistent/folder/x.casedesk", "cases", "list"], "no workspace at"),
    (["--db", "/nonexistent/folder/x.casedesk", "cases", "new", "T"], "does not exist"),
    (["--db", "postgresql+psycopg://postgres@127.0.0.1:1/none", "cases", "list"], "cannot connect"),
    (["cases", "frobnicate"], "invalid choice"),
    (["records", "list", "--case", "999"], "no case with id 999"),
    (["records", "list", "--case", "abc"], "invalid int value"),
    (["cases", "new", "   "], "title"),
])
def test_bad_input_gets_one_line_and_exit_2(run, args, needle, tmp_path):
    from casedesk.storage.workspace import open_workspace

    open_workspace(str(tmp_path / "ws.casedesk")).dispose()
    env = {"CASEDESK_DB": str(tmp_path / "ws.casedesk")}
    out = run(*args, env=env)
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and needle in out.stderr
    assert "Traceback" not in out.stderr


def test_workspace_from_newer_schema_exits_2(run, tmp_path):
    db = tmp_path / "w.casedesk"
    assert run("--db", str(db), "cases", "new", "T").returncode == 0
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    con.commit()
    con.close()
    out = run("--db", str(db), "cases", "list")
    assert out.returncode == 2 and "newer" in out.stderr


def test_not_a_database_file_exits_2(run, tmp_path):
    bad = tmp_path / "junk.casedesk"
    bad.write_bytes(b"this is not sqlite" * 100)
    out = run("--db", str(bad), "cases", "list")
    assert out.returncode == 2 and "Traceback" not in out.stderr
