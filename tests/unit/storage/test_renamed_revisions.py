"""A workspace stamped with a revision id from before a rename upgrades to head and keeps its data."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from casedesk.storage import migrations
from casedesk.storage.workspace import open_workspace

# every id a workspace may hold in alembic_version that is not a current revision id
OLD_IDS = [old for old, _ in migrations.RENAMED_REVISIONS]


def _counts(ws) -> tuple[int, int, int]:  # noqa: ANN001
    with ws.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                     for table in ("record", "link", "audit_log"))


def test_every_renamed_id_points_at_a_known_revision():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations.alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    for old, new in migrations.RENAMED_REVISIONS:
        assert new in known and old not in known, (old, new)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("old_id", OLD_IDS)
def test_a_workspace_at_an_old_revision_id_upgrades_and_keeps_its_data(
        old_id: str, backend: str, tmp_path: Path, request: pytest.FixtureRequest):
    from casedesk.services.demo import load_demo_case
    from casedesk.services.search import search_records
    from casedesk.services.verify import verify_workspace

    target = str(tmp_path / "old.casedesk") if backend == "sqlite" else request.getfixturevalue("pg_url")
    ws = open_workspace(target)
    with ws.write() as s:
        case_id = load_demo_case(s).id
    before = _counts(ws)
    # take the schema back to that revision, then store the id it had before the rename
    command.downgrade(migrations.alembic_config(ws.engine), dict(migrations.RENAMED_REVISIONS)[old_id])
    with ws.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :old"), {"old": old_id})
    ws.dispose()

    ws = open_workspace(target)  # maps the old id, then upgrades to head
    assert migrations.current_revision(ws.engine) == migrations.head_revision()
    assert _counts(ws) == before
    assert verify_workspace(ws).ok
    with ws.read() as s:
        assert search_records(s, case_id, "Brisbane")
    ws.dispose()
    if backend == "sqlite":  # the backup is the workspace as it was, old id included
        (backup,) = tmp_path.glob("old.backup-*.casedesk")
        old = open_workspace(str(backup), migrate=False)
        assert migrations.current_revision(old.engine) == old_id
        old.dispose()
