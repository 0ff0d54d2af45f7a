"""A migration that copies a table (SQLite batch mode) keeps the rows referring to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from casedesk.services.demo import load_demo_case
from casedesk.services.verify import verify_workspace
from casedesk.storage import migrations
from casedesk.storage.workspace import open_workspace


def _citations(path: Path) -> tuple[int, int]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*), count(link_id) FROM citation").fetchone()
    finally:
        con.close()


def test_down_and_up_across_the_link_table_copy_keeps_every_link_citation(tmp_path: Path):
    path = tmp_path / "w.casedesk"
    ws = open_workspace(str(path))
    with ws.write() as s:
        load_demo_case(s)
    ws.dispose()
    before = _citations(path)
    assert before[1] > 0
    ws = open_workspace(str(path))
    command.downgrade(migrations.alembic_config(ws.engine), "0008_case_origin")  # 0009 copies link
    ws.dispose()
    assert _citations(path) == before
    ws = open_workspace(str(path))  # upgrades to head
    assert _citations(path) == before
    report = verify_workspace(ws)
    assert [str(p) for p in report.problems if p.check in ("state", "database")] == []
    ws.dispose()
