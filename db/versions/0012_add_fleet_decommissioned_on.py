"""Add server.decommissioned_on: the day a fleet stopped being usable compute (as-of analysis).

Revision ID: 0012_fleet_decommissioned_on
Revises: 0009_link_transfer_facts
Create Date: 2026-12-07

A new nullable column: existing fleets have no decommissioning date, nothing to back-fill.
"""

import sqlalchemy as sa
from alembic import op


revision = '0012_fleet_decommissioned_on'
down_revision = '0011_case_properties'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('server') as batch:
        batch.add_column(sa.Column('decommissioned_on', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('server') as batch:
        batch.drop_column('decommissioned_on')
