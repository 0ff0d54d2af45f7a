"""Models and migrations agree; upgrades back up first; a newer schema is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from casedesk.domain.errors import WorkspaceError
from casedesk.domain.schema import metadata
from casedesk.storage import migrations
from casedesk.storage.workspace import open_workspace


def test_models_and_migrations_agree(workspace):
    with workspace.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": migrations.include_name})
        diff = compare_metadata(ctx, metadata)
    assert diff == [], diff


def test_a_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "newer.casedesk"
    open_workspace(str(path)).dispose()
    ws = open_workspace(str(path), migrate=False)
    with ws.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    ws.dispose()
    with pytest.raises(WorkspaceError, match="newer than this CaseDesk"):
        open_workspace(str(path))


def test_upgrade_backs_up_the_file_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "old.casedesk"
    open_workspace(str(path)).dispose()
    # A newer CaseDesk: the same scripts plus one revision adding a column.
    scripts = tmp_path / "db"
    shutil.copytree(migrations.migrations_dir(), scripts)
    head = migrations.head_revision()
    (scripts / "versions" / "9001_add_probe.py").write_text(
        f'"""Add a probe column."""\nfrom alembic import op\nimport sqlalchemy as sa\n'
        f'revision = "9001"\ndown_revision = "{head}"\nbranch_labels = None\ndepends_on = None\n'
        'def upgrade():\n    with op.batch_alter_table("case") as b:\n'
        '        b.add_column(sa.Column("probe", sa.Integer(), nullable=True))\n'
        'def downgrade():\n    pass\n', encoding="utf-8")
    monkeypatch.setattr(migrations, "migrations_dir", lambda: scripts)
    ws = open_workspace(str(path))
    assert "probe" in {c["name"] for c in inspect(ws.engine).get_columns("case")}
    ws.dispose()
    backups = list(tmp_path.glob("old.backup-*.casedesk"))
    assert len(backups) == 1
    old = open_workspace(str(backups[0]), migrate=False)
    assert migrations.current_revision(old.engine) == head
    old.dispose()


def test_a_workspace_from_before_0007_upgrades_with_its_audit_chain_and_search(tmp_path: Path):
    """0007 rebuilds audit_log without the hash index: entries, chain and search survive."""
    from alembic import command

    from casedesk.services.demo import load_demo_case
    from casedesk.services.search import search_records
    from casedesk.services.verify import verify_workspace

    path = tmp_path / "demo.casedesk"
    ws = open_workspace(str(path))
    with ws.write() as s:
        case_id = load_demo_case(s).id
    with ws.engine.connect() as conn:
        entries = conn.execute(text("SELECT id, hash FROM audit_log ORDER BY id")).all()
    command.downgrade(migrations.alembic_config(ws.engine), "0006_search_bulk")
    assert any(ix["unique"] for ix in inspect(ws.engine).get_indexes("audit_log")) or \
        inspect(ws.engine).get_unique_constraints("audit_log")
    ws.dispose()
    ws = open_workspace(str(path))  # upgrades to head
    assert migrations.current_revision(ws.engine) == migrations.head_revision()
    assert not inspect(ws.engine).get_unique_constraints("audit_log")
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT id, hash FROM audit_log ORDER BY id")).all() == entries
    assert verify_workspace(ws).ok
    with ws.read() as s:
        assert search_records(s, case_id, "Brisbane")
    ws.dispose()
