"""Migration 0011 adds case.properties: existing cases get {} and keep every row that refers to them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from casedesk.services.demo import load_demo_case
from casedesk.storage import migrations
from casedesk.storage.workspace import open_workspace


def test_a_workspace_at_0009_upgrades_with_empty_properties_and_downgrades_again(tmp_path: Path):
    path = tmp_path / "old.casedesk"
    ws = open_workspace(str(path))
    with ws.write() as s:
        case_id = load_demo_case(s).id
    with ws.engine.connect() as conn:
        records = conn.execute(text("SELECT count(*) FROM record")).scalar()
    command.downgrade(migrations.alembic_config(ws.engine), "0009_link_transfer_facts")
    with ws.engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info('case')"))]
        assert "properties" not in columns
        assert conn.execute(text("SELECT count(*) FROM record")).scalar() == records  # nothing cascaded
    ws.dispose()
    ws = open_workspace(str(path))  # upgrades to head
    assert migrations.current_revision(ws.engine) == migrations.head_revision()
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT properties FROM \"case\" WHERE id = :i"), {"i": case_id}).scalar() == "{}"
        assert conn.execute(text("SELECT count(*) FROM record")).scalar() == records
    ws.dispose()
