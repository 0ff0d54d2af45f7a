"""Let bulk inserts index names in one statement instead of one trigger call per row (SQLite only).

Revision ID: 0006_search_bulk
Revises: 0005_screening_lookups
Create Date: 2026-11-25

The search index's insert triggers now stand aside while a row exists in record_search_pause.
The bulk path adds that row inside its own transaction, inserts records and aliases, removes it
and indexes the new rows with one INSERT … SELECT each: about five times cheaper than a trigger
call per row, and nothing changes for other writers (the row is never committed).
"""

from alembic import op

revision = '0006_search_bulk'
down_revision = '0005_screening_lookups'
branch_labels = None
depends_on = None

_PAUSED = "WHEN NOT EXISTS (SELECT 1 FROM record_search_pause)"

_UP = [
    "CREATE TABLE record_search_pause (id INTEGER PRIMARY KEY)",
    "DROP TRIGGER IF EXISTS record_search_record_ai",
    "DROP TRIGGER IF EXISTS record_search_alias_ai",
    f"CREATE TRIGGER record_search_record_ai AFTER INSERT ON record {_PAUSED} BEGIN "
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "VALUES (new.id, new.label, new.id, new.case_id); END",
    f"CREATE TRIGGER record_search_alias_ai AFTER INSERT ON alias {_PAUSED} BEGIN "
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "SELECT -new.id, new.name, new.record_id, record.case_id FROM record "
    "WHERE record.id = new.record_id; END",
]

_DOWN = [
    "DROP TRIGGER IF EXISTS record_search_record_ai",
    "DROP TRIGGER IF EXISTS record_search_alias_ai",
    "CREATE TRIGGER record_search_record_ai AFTER INSERT ON record BEGIN "
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "VALUES (new.id, new.label, new.id, new.case_id); END",
    "CREATE TRIGGER record_search_alias_ai AFTER INSERT ON alias BEGIN "
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "SELECT -new.id, new.name, new.record_id, record.case_id FROM record "
    "WHERE record.id = new.record_id; END",
    "DROP TABLE IF EXISTS record_search_pause",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _DOWN:
        op.execute(statement)
