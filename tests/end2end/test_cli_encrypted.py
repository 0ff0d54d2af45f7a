"""An encrypted workspace: the whole command-line flow with CASEDESK_PASSPHRASE, no plaintext
anywhere in its folder, refused without the passphrase or with a wrong one, and decrypted back."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
KNOWN = [b"Derek Aw", "Derek Aw".encode("utf-16-le")]  # a party of the demo case, as SQLite may store it
PASS = {"CASEDESK_PASSPHRASE": "correct horse 'battery' staple"}


def _ok(out) -> dict:  # noqa: ANN001
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)


def _plaintext_in(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and any(k in p.read_bytes() for k in KNOWN)]


def test_the_whole_flow_runs_on_an_encrypted_workspace_and_leaves_no_plaintext(run, tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    out_dir = tmp_path / "out"  # what the investigator chose to write out (plain by design)
    out_dir.mkdir()
    db = ["--db", str(folder / "case.casedesk")]
    case = str(_ok(run(*db, "demo", "--json"))["case_id"])
    assert _plaintext_in(folder) == ["case.casedesk"]  # the test would see plaintext if it were there
    done = _ok(run(*db, "encrypt", "--json", env=PASS))
    assert done["encrypted"] is True and done["path"] == str((folder / "case.casedesk").resolve())
    assert _plaintext_in(folder) == []

    records = _ok(run(*db, "records", "list", "--case", case, "--json", env=PASS))
    assert "Derek Aw" in {r["label"] for r in records}
    imported = _ok(run(*db, "import", str(DATA / "import" / "ownership_aurora.csv"), "--case", case,
                       "--preset", "ownership", "--json", env=PASS))
    assert imported["created"] > 0
    _ok(run(*db, "watchlist", "import", str(DATA / "screening-lists" / "csl" / "consolidated_sample_2024.csv"),
            "--json", env=PASS))
    assert "hits" in _ok(run(*db, "screen", "--case", case, "--json", env=PASS))
    assert _ok(run(*db, "analyse", "--case", case, "--json", env=PASS))["findings"]
    assert _ok(run(*db, "report", "--case", case, "-o", str(out_dir / "d.pdf"), "--json", env=PASS))["pages"] > 1
    pack = _ok(run(*db, "export", "--case", case, "--format", "casepack", "-o", str(out_dir / "c.casepack"),
                   "--json", env=PASS))
    assert pack["records"] > len(records)
    report = _ok(run(*db, "verify", "--json", env=PASS))
    assert report["ok"] is True, report["problems"]
    assert _plaintext_in(folder) == []

    plain = _ok(run(*db, "decrypt", "--json", env=PASS))
    assert plain["encrypted"] is False and Path(plain["backup"]).parent == folder
    assert _ok(run(*db, "verify", "--json"))["ok"] is True  # no passphrase needed any more
    assert _plaintext_in(folder) == ["case.casedesk"]  # the encrypted backup stays encrypted


def test_without_or_with_a_wrong_passphrase_exit_2_and_nothing_changes(run, tmp_path):
    db = tmp_path / "case.casedesk"
    assert run("--db", str(db), "demo").returncode == 0
    _ok(run("--db", str(db), "encrypt", "--json", env=PASS))
    before = db.read_bytes()
    for command in (["verify"], ["cases", "list"], ["records", "list", "--case", "1"], ["decrypt"]):
        out = run("--db", str(db), *command, env={"CASEDESK_PASSPHRASE": ""})
        assert out.returncode == 2, out.stdout + out.stderr
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
        assert "the workspace is encrypted" in out.stderr, out.stderr
        wrong = run("--db", str(db), *command, env={"CASEDESK_PASSPHRASE": "not it"})
        assert wrong.returncode == 2 and "wrong passphrase" in wrong.stderr, wrong.stderr
        assert wrong.stderr.count("\n") == 1 and "not it" not in wrong.stderr
    again = run("--db", str(db), "encrypt", env=PASS)
    assert again.returncode == 2 and "already encrypted" in again.stderr
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.casedesk"]


def test_encrypt_without_a_passphrase_is_refused(run, tmp_path):
    db = tmp_path / "case.casedesk"
    assert run("--db", str(db), "cases", "new", "T").returncode == 0
    out = run("--db", str(db), "encrypt", env={"CASEDESK_PASSPHRASE": ""})
    assert out.returncode == 2 and "CASEDESK_PASSPHRASE" in out.stderr
    assert db.read_bytes().startswith(b"SQLite format 3\x00")
