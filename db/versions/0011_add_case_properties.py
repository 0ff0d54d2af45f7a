"""Add case.properties: the case's reference, client and classification marking (JSON, {} when none).

Revision ID: 0011_case_properties
Revises: 0009_link_transfer_facts
Create Date: 2026-12-07

What the properties are is data (resources/vocab/case_properties.yaml), so a new one needs no
migration. A plain ADD COLUMN with a constant default (no table rebuild: rebuilding `case` on
SQLite would cascade into every table that refers to it); existing cases get {}.
"""

import sqlalchemy as sa
from alembic import op


revision = '0011_case_properties'
down_revision = '0010_audit_seals'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('case', sa.Column('properties', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('properties')
