"""SQLCipher workspaces: told apart from plain files, opened only with the passphrase, upgraded
and backed up encrypted, and readable by nothing else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from casedesk.domain.errors import (
    EncryptedWorkspaceError,
    NoWorkspaceError,
    WorkspaceError,
    WrongPassphraseError,
)
from casedesk.services.demo import load_demo_case
from casedesk.services.encryption import decrypt_workspace, encrypt_workspace
from casedesk.services.verify import verify_workspace
from casedesk.storage import migrations, sqlcipher
from casedesk.storage.workspace import open_workspace

# quotes, a backslash and non-ASCII: the key must reach SQLCipher whole, not as broken SQL
PASSPHRASE = "it's a \"long\" pass\\phrase, 密码"
KNOWN = b"Derek Aw"  # a party of the demo case


def _demo(path: Path) -> Path:
    ws = open_workspace(str(path))
    with ws.write() as s:
        load_demo_case(s)
    ws.dispose()
    return path


def test_a_missing_file_is_refused_without_creating_anything(tmp_path: Path):
    with pytest.raises(NoWorkspaceError, match="no workspace at"):
        open_workspace(str(tmp_path / "sub" / "typo.casedesk"), create=False)
    assert list(tmp_path.iterdir()) == []


def test_encrypted_file_opens_only_with_its_passphrase_and_holds_no_plaintext(tmp_path: Path):
    path = _demo(tmp_path / "w.casedesk")
    assert KNOWN in path.read_bytes()
    done = encrypt_workspace(str(path), PASSPHRASE)
    assert done.encrypted and done.path == path.resolve()
    assert sqlcipher.file_state(path) == "encrypted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.casedesk"]
    assert KNOWN not in path.read_bytes() and b"SQLite format 3" not in path.read_bytes()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchall()
    with pytest.raises(EncryptedWorkspaceError, match="the workspace is encrypted"):
        open_workspace(str(path))
    with pytest.raises(WrongPassphraseError, match="wrong passphrase"):
        open_workspace(str(path), passphrase="not it")
    ws = open_workspace(str(path), passphrase=PASSPHRASE)
    assert ws.encrypted and verify_workspace(ws).ok
    with ws.read() as s:
        assert s.execute(text("SELECT count(*) FROM record WHERE label = 'Derek Aw'")).scalar() == 1
        actions = s.execute(text("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")).scalar()
    assert actions == "encrypt"
    ws.dispose()
    assert KNOWN not in b"".join(p.read_bytes() for p in tmp_path.iterdir())


def test_decrypt_gives_back_a_plain_workspace_and_keeps_an_encrypted_backup(tmp_path: Path):
    path = _demo(tmp_path / "w.casedesk")
    encrypt_workspace(str(path), PASSPHRASE)
    with pytest.raises(WrongPassphraseError):
        decrypt_workspace(str(path), "not it")
    assert sqlcipher.file_state(path) == "encrypted"
    done = decrypt_workspace(str(path), PASSPHRASE)
    assert not done.encrypted and sqlcipher.file_state(path) == "plain"
    assert sqlcipher.file_state(done.backup) == "encrypted" and KNOWN not in done.backup.read_bytes()
    ws = open_workspace(str(path))
    assert not ws.encrypted and verify_workspace(ws).ok
    ws.dispose()


def test_migrations_run_on_the_encrypted_engine_and_its_backup_is_encrypted(tmp_path: Path):
    path = _demo(tmp_path / "w.casedesk")
    encrypt_workspace(str(path), PASSPHRASE)
    ws = open_workspace(str(path), passphrase=PASSPHRASE)
    command.downgrade(migrations.alembic_config(ws.engine), "0008_case_origin")
    ws.dispose()
    ws = open_workspace(str(path), passphrase=PASSPHRASE)  # upgrades to head, after a backup
    assert migrations.current_revision(ws.engine) == migrations.head_revision()
    assert verify_workspace(ws).ok
    ws.dispose()
    backups = list(tmp_path.glob("w.backup-*.casedesk"))
    assert len(backups) == 1 and sqlcipher.file_state(backups[0]) == "encrypted"
    old = open_workspace(str(backups[0]), migrate=False, passphrase=PASSPHRASE)
    assert migrations.current_revision(old.engine) == "0008_case_origin"
    old.dispose()
    assert KNOWN not in b"".join(p.read_bytes() for p in tmp_path.iterdir())


def test_encrypting_also_encrypts_the_plain_backups_beside_the_workspace(tmp_path: Path):
    path = _demo(tmp_path / "w.casedesk")
    old = migrations.backup_sqlite(path)
    assert KNOWN in old.read_bytes()
    done = encrypt_workspace(str(path), PASSPHRASE)
    assert done.backups_encrypted == [old]
    assert sqlcipher.file_state(old) == "encrypted" and KNOWN not in old.read_bytes()
    ws = open_workspace(str(old), migrate=False, passphrase=PASSPHRASE)
    # a backup is an earlier state of the same workspace: only this install's receipt (which saw
    # later entries) tells it apart; everything else verifies
    assert {p.check for p in verify_workspace(ws).problems} <= {"receipt"}
    ws.dispose()


def test_bulk_inserts_work_and_fail_whole_on_the_encrypted_driver(tmp_path: Path):
    from sqlalchemy.exc import IntegrityError

    from casedesk.domain.models import Record
    from casedesk.services.cases import create_case
    from casedesk.storage.bulkinsert import background_writes, insert_rows

    path = _demo(tmp_path / "w.casedesk")
    encrypt_workspace(str(path), PASSPHRASE)
    ws = open_workspace(str(path), passphrase=PASSPHRASE)

    def row(rid: int, case_id: int) -> dict:
        return {"id": rid, "case_id": case_id, "kind": "party", "label": f"P{rid}", "created_at": "t",
                "updated_at": "t", "version": 1, "notes": "", "tags": [], "sensitive": False}

    with ws.write() as s:
        case_id = create_case(s, "bulk").id
        with background_writes(s):  # the writer thread shares the keyed connection
            insert_rows(s, Record.__table__, [row(10_000 + i, case_id) for i in range(4321)])
    with pytest.raises(IntegrityError):  # the SQLCipher driver's error, wrapped like sqlite3's
        with ws.write() as s:
            insert_rows(s, Record.__table__, [row(20_000, case_id), row(10_000, case_id)])
    with ws.read() as s:
        assert s.execute(text("SELECT count(*) FROM record WHERE case_id = :c"), {"c": case_id}).scalar() == 4321
    ws.dispose()


@pytest.mark.parametrize("passphrase", ["", "nul\x00inside"])
def test_unusable_passphrases_are_refused(tmp_path: Path, passphrase: str):
    path = _demo(tmp_path / "w.casedesk")
    with pytest.raises(WorkspaceError, match="passphrase"):
        encrypt_workspace(str(path), passphrase)
    assert sqlcipher.file_state(path) == "plain"


def test_encrypting_twice_is_refused_and_leaves_the_file(tmp_path: Path):
    path = _demo(tmp_path / "w.casedesk")
    encrypt_workspace(str(path), PASSPHRASE)
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="already encrypted"):
        encrypt_workspace(str(path), PASSPHRASE)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.casedesk"]


def test_a_file_that_is_neither_sqlite_nor_sqlcipher_is_named(tmp_path: Path):
    junk = tmp_path / "notes.casedesk"
    junk.write_bytes(b"just some notes\n" * 7)
    assert sqlcipher.file_state(junk) == "other"
    with pytest.raises(WorkspaceError, match="not a CaseDesk workspace"):
        open_workspace(str(junk))
