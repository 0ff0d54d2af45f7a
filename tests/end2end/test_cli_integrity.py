"""verify as a hostile colleague probes it: cut, re-chained, swapped, edited behind the app's back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from casedesk.services.audit import entry_hash


def _copy(db: Path, tmp_path: Path, name: str = "copy.casedesk") -> Path:
    dest = tmp_path / name
    src, dst = sqlite3.connect(db), sqlite3.connect(dest)
    src.backup(dst)
    src.close()
    dst.close()
    return dest


def _sql(db: Path, *statements: str) -> None:
    con = sqlite3.connect(db)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


def _problems(run, db: Path, *extra: str, env: dict | None = None) -> list[dict]:
    out = run("--db", str(db), "verify", "--json", *extra, env=env)
    assert out.returncode == 1, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is False and set(report) >= {"ok", "problems"}
    return report["problems"]


def _messages(problems: list[dict]) -> str:
    return "\n".join(p["message"] for p in problems)


@pytest.fixture
def db(demo_db, tmp_path: Path) -> Path:
    """A copy of the demo workspace this test may tamper with (this install's receipt of it holds)."""
    return _copy(demo_db[0], tmp_path)


def test_the_untampered_demo_verifies_and_names_its_signer(run, demo_db):
    out = run("--db", str(demo_db[0]), "verify", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert [s["this_install"] for s in report["signers"]] == [True]


@pytest.mark.parametrize("cut", [1, 20])
def test_cutting_the_newest_entries_is_named(run, db, cut):
    _sql(db, f"DELETE FROM audit_log WHERE id > (SELECT max(id) - {cut} FROM audit_log)")
    text = _messages(_problems(run, db))
    assert "the newest entries were removed" in text


def test_cutting_entries_and_their_seals_shows_against_the_receipt(run, db, tmp_path):
    receipt = tmp_path / "receipt.json"
    out = run("--db", str(db), "verify", "--write-receipt", str(receipt))
    assert out.returncode == 0 and receipt.exists(), out.stdout + out.stderr
    _sql(db, "DELETE FROM audit_log WHERE id > (SELECT max(id) - 20 FROM audit_log)",
         "DELETE FROM audit_seal", "DELETE FROM audit_key")
    # on this machine, the head receipt kept outside the workspace notices it on open and in verify
    problems = _problems(run, db)
    assert any(p["check"] == "receipt" and "history was cut" in p["reason"] for p in problems)
    # elsewhere (no receipt of our own), the receipt someone handed over does
    fresh = {"CASEDESK_DATA_DIR": str(tmp_path / "elsewhere")}
    problems = _problems(run, db, "--receipt", str(receipt), env=fresh)
    assert any(p["subject"] == f"receipt {receipt}" and "history was cut" in p["reason"] for p in problems)


def test_a_receipt_that_was_edited_is_refused(run, db, tmp_path):
    receipt = tmp_path / "receipt.json"
    assert run("--db", str(db), "verify", "--write-receipt", str(receipt)).returncode == 0
    data = json.loads(receipt.read_text())
    data["entries"] -= 1
    receipt.write_text(json.dumps(data))
    assert "signature does not match" in _messages(_problems(run, db, "--receipt", str(receipt)))


def test_an_entry_edited_and_rechained_with_the_hash_function_is_named(run, db):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    con.execute("UPDATE audit_log SET actor = 'ceo' WHERE id = 7")
    prev = con.execute("SELECT hash FROM audit_log WHERE id = 6").fetchone()[0]
    for row in con.execute("SELECT * FROM audit_log WHERE id >= 7 ORDER BY id").fetchall():
        fields = dict(row)
        digest = entry_hash(prev, fields)
        con.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row["id"]))
        prev = digest
    con.commit()
    con.close()
    problems = _problems(run, db)
    assert not any(p["check"] == "audit" for p in problems)  # the chain itself holds again
    assert any(p["check"] == "seal" and "was rewritten" in p["reason"] for p in problems)


def test_a_swapped_file_with_its_hash_swapped_too_is_named(run, db):
    con = sqlite3.connect(db)
    old = con.execute("SELECT sha256 FROM evidence ORDER BY id LIMIT 1").fetchone()[0]
    new_bytes = b"a different document"
    new = hashlib.sha256(new_bytes).hexdigest()
    con.execute("UPDATE blob SET content = ?, sha256 = ?, size = ? WHERE sha256 = ?",
                (new_bytes, new, len(new_bytes), old))
    con.execute("UPDATE evidence SET sha256 = ? WHERE sha256 = ?", (new, old))
    con.commit()
    con.close()
    problems = _problems(run, db)
    assert any(p["check"] == "state" and p["subject"].startswith("evidence ") and "sha256" in p["reason"]
               for p in problems), problems


def test_a_stored_file_replaced_by_text_is_a_problem_not_a_crash(run, db):
    _sql(db, "UPDATE blob SET content = 'just some text' WHERE rowid = (SELECT min(rowid) FROM blob)")
    problems = _problems(run, db)
    assert any(p["check"] == "evidence" and "not bytes" in p["reason"] for p in problems)


@pytest.mark.parametrize(("statement", "field"), [
    ("UPDATE record SET label = 'Someone else' WHERE id = (SELECT min(id) FROM record)", "label"),
    ("UPDATE party SET country = 'CH' WHERE id = (SELECT min(id) FROM party)", "country"),
    ("UPDATE link SET grade = 'confirmed', share_pct = 99 WHERE id = (SELECT min(id) FROM link)",
     "share_pct"),
])
def test_a_row_updated_behind_the_app_is_named_with_its_field(run, db, statement, field):
    _sql(db, statement)
    problems = [p for p in _problems(run, db) if p["check"] == "state"]
    assert problems and any(f"{field} is " in p["reason"] and "changed outside CaseDesk" in p["reason"]
                            for p in problems), problems


def test_a_planted_trigger_is_named_and_blocks_writing(run, db):
    _sql(db, "CREATE TRIGGER scrub AFTER INSERT ON party BEGIN "
             "UPDATE party SET country = NULL WHERE id = NEW.id; END")
    problems = _problems(run, db)
    assert any(p["check"] == "schema" and p["subject"] == "trigger scrub" for p in problems)
    out = run("--db", str(db), "cases", "new", "After the trigger")
    assert out.returncode == 2 and "trigger" in out.stderr and "scrub" in out.stderr
    _sql(db, "DROP TRIGGER scrub")
    assert run("--db", str(db), "cases", "new", "After removing it").returncode == 0
    assert run("--db", str(db), "verify").returncode == 0


def test_a_file_that_is_not_a_workspace_exits_2_with_the_reason(run, tmp_path):
    bogus = tmp_path / "notes.casedesk"
    bogus.write_text("these are my notes, not a database\n" * 50)
    out = run("--db", str(bogus), "verify", "--json")
    assert out.returncode == 2 and ("not a database" in out.stderr or "not a CaseDesk workspace" in out.stderr) and "Traceback" not in out.stderr


def test_a_case_pack_carries_a_signed_receipt_checked_on_import(run, db, demo_db, tmp_path):
    import zipfile

    pack = tmp_path / "demo.casepack"
    assert run("--db", str(db), "export", "--case", str(demo_db[1]), "--format", "casepack",
               "-o", str(pack)).returncode == 0
    with zipfile.ZipFile(pack) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    receipt = manifest["receipt"]
    assert receipt["head_id"] == manifest["audit_head"]["id"] and receipt["signature"]
    # the receipt, handed on by itself, checks the exporting workspace
    handed = tmp_path / "from-the-pack.json"
    handed.write_text(json.dumps(receipt))
    assert run("--db", str(db), "verify", "--receipt", str(handed)).returncode == 0
    # imported elsewhere, the signer is named and recognised as a key not seen there before
    out = run("--db", str(tmp_path / "elsewhere.casedesk"), "cases", "import", str(pack), "--json",
              env={"CASEDESK_DATA_DIR": str(tmp_path / "other-install")})
    assert out.returncode == 0, out.stderr
    origin = json.loads(out.stdout)["origin"]
    assert origin["receipt_key"] == receipt["key_id"] and origin["receipt_key_known"] is False
    # a pack whose receipt was altered is refused, naming it
    bad = tmp_path / "bad.casepack"
    manifest["receipt"]["entries"] += 5
    with zipfile.ZipFile(pack) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = json.dumps(manifest).encode() if name == "manifest.json" else zin.read(name)
            zout.writestr(name, data)
    out = run("--db", str(tmp_path / "other.casedesk"), "cases", "import", str(bad))
    assert out.returncode == 2 and "head receipt" in out.stderr and "signature" in out.stderr


def test_a_dossier_carries_the_receipt_and_verify_checks_it(run, db, demo_db, tmp_path):
    from pypdf import PdfReader

    pdf = tmp_path / "d.pdf"
    assert run("--db", str(db), "report", "--case", str(demo_db[1]), "-o", str(pdf)).returncode == 0
    text = "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    assert "Head receipt" in text and "Signature" in text
    assert run("--db", str(db), "verify", "--dossier", str(pdf)).returncode == 0
    _sql(db, "DELETE FROM audit_log WHERE id > (SELECT max(id) - 20 FROM audit_log)")
    out = run("--db", str(db), "verify", "--dossier", str(pdf), "--json")
    assert out.returncode == 1
    dossier = json.loads(out.stdout)["dossier"]
    assert any("head receipt" in p for p in dossier["problems"])


def test_findings_hits_events_and_citations_edited_behind_the_app_are_each_named(run, tmp_path):
    db = tmp_path / "rows.casedesk"
    case = str(json.loads(run("--db", str(db), "demo", "--json").stdout)["case_id"])
    csl = Path(__file__).resolve().parents[1] / "data" / "screening-lists" / "csl" / "consolidated_sample_2024.csv"
    for args in (["analyse", "--case", case, "--as-of", "2025-06-01"], ["watchlist", "import", str(csl)],
                 ["records", "add", "--case", case, "--kind", "party", "--label", "Rosneft Trade Limited"],
                 ["screen", "--case", case]):
        assert run("--db", str(db), *args, "--json").returncode == 0, args
    clean = run("--db", str(db), "verify", "--json")
    assert clean.returncode == 0, clean.stdout
    con = sqlite3.connect(db)
    finding, hit, event, citation = (con.execute(f"SELECT min(id) FROM {t}").fetchone()[0]
                                     for t in ("finding", "screening_hit", "event", "citation"))
    con.close()
    assert None not in (finding, hit, event, citation), "the demo, analysed and screened, has each kind of row"
    _sql(db, f"UPDATE finding SET severity = 'info' WHERE id = {finding}",
         f"UPDATE screening_hit SET status = 'dismissed', reason = 'no' WHERE id = {hit}",
         f"UPDATE event SET title = 'Rewritten' WHERE id = {event}",
         f"UPDATE citation SET claim = 'planted claim' WHERE id = {citation}")
    state = [p["message"] for p in _problems(run, db) if p["check"] == "state"]
    for subject, field, found in ((f"finding {finding} ", "severity", "'info'"),
                                  (f"screening_hit {hit} ", "status", "'dismissed'"),
                                  (f"event {event} 'Rewritten'", "title", "'Rewritten'"),
                                  (f"citation {citation} ", "claim", "'planted claim'")):
        assert any(subject in m and f"{field} is {found} here but " in m for m in state), (subject, state)
