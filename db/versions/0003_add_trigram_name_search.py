"""Add a trigram name index for type-ahead search (SQLite only): record labels and aliases.

Revision ID: 0003_trigram_name_search
Revises: 0002
Create Date: 2026-11-25

On SQLite an FTS5 table with the trigram tokenizer holds every record label and alias name, kept
in sync by triggers so that every writer (services, bulk Core inserts, cascading deletes) keeps it
current without knowing it exists. Row ids: a label row has the record's id, an alias row the
negated alias id, so each trigger touches exactly one index row by rowid. PostgreSQL gets nothing
here: search falls back to ILIKE there (services/search.py).
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_trigram_name_search'  # was '0003_view': see storage.migrations.RENAMED_REVISIONS
down_revision = '0002'
branch_labels = None
depends_on = None

# Statements run in order; each trigger is one statement for the DB-API driver.
_SQLITE_UP = [
    "CREATE VIRTUAL TABLE record_search USING fts5("
    "name, record_id UNINDEXED, case_id UNINDEXED, tokenize='trigram')",
    "CREATE TRIGGER record_search_record_ai AFTER INSERT ON record BEGIN "
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "VALUES (new.id, new.label, new.id, new.case_id); END",
    "CREATE TRIGGER record_search_record_au AFTER UPDATE OF label ON record BEGIN "
    "UPDATE record_search SET name = new.label WHERE rowid = new.id; END",
    "CREATE TRIGGER record_search_record_ad AFTER DELETE ON record BEGIN "
    "DELETE FROM record_search WHERE rowid = old.id; END",
    "CREATE TRIGGER record_search_alias_ai AFTER INSERT ON alias BEGIN "
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "SELECT -new.id, new.name, new.record_id, record.case_id FROM record "
    "WHERE record.id = new.record_id; END",
    "CREATE TRIGGER record_search_alias_au AFTER UPDATE OF name, record_id ON alias BEGIN "
    "DELETE FROM record_search WHERE rowid = -old.id; "
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "SELECT -new.id, new.name, new.record_id, record.case_id FROM record "
    "WHERE record.id = new.record_id; END",
    "CREATE TRIGGER record_search_alias_ad AFTER DELETE ON alias BEGIN "
    "DELETE FROM record_search WHERE rowid = -old.id; END",
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "SELECT id, label, id, case_id FROM record",
    "INSERT INTO record_search(rowid, name, record_id, case_id) "
    "SELECT -alias.id, alias.name, alias.record_id, record.case_id FROM alias "
    "JOIN record ON record.id = alias.record_id",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS record_search_alias_ad",
    "DROP TRIGGER IF EXISTS record_search_alias_au",
    "DROP TRIGGER IF EXISTS record_search_alias_ai",
    "DROP TRIGGER IF EXISTS record_search_record_ad",
    "DROP TRIGGER IF EXISTS record_search_record_au",
    "DROP TRIGGER IF EXISTS record_search_record_ai",
    "DROP TABLE IF EXISTS record_search",
]


def _has_trigram(bind) -> bool:
    # FTS5's trigram tokenizer arrived in SQLite 3.34; an older library simply gets no index and
    # search scans names instead.
    try:
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')")
        bind.exec_driver_sql("DROP TABLE temp.trigram_probe")
        return True
    except sa.exc.DBAPIError:
        return False


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite' or not _has_trigram(bind):
        return
    for statement in _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for statement in _SQLITE_DOWN:
        op.execute(statement)
