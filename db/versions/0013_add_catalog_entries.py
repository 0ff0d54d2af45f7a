"""Add catalog_entry: accelerator models an analyst added to the workspace's own catalog.

Revision ID: 0013_catalog_entries
Revises: 0012_fleet_decommissioned_on
Create Date: 2026-12-07

A model the shipped catalog lacks (a new chip, a Chinese part the data misses) gets its 3A090
figures and a source here, and every case's analysis uses it at once. A new table only: no
existing row changes, nothing to back-fill.
"""

import sqlalchemy as sa
from alembic import op


revision = '0013_catalog_entries'
down_revision = '0012_fleet_decommissioned_on'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'catalog_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('vendor', sa.Text(), nullable=False),
        sa.Column('aliases', sa.JSON(), nullable=False),
        sa.Column('tpp', sa.Float(), nullable=False),
        sa.Column('die_area_mm2', sa.Float(), nullable=True),
        sa.Column('io_gbps', sa.Float(), nullable=True),
        sa.Column('memory', sa.Text(), nullable=True),
        sa.Column('datacenter', sa.Boolean(), nullable=False),
        sa.Column('prc_made', sa.Boolean(), nullable=False),
        sa.Column('announced', sa.Integer(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=200), nullable=True),
        sa.Column('evidence_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['sha256'], ['blob.sha256'], name=op.f('fk_catalog_entry_sha256_blob')),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'],
                                name=op.f('fk_catalog_entry_evidence_id_evidence'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_entry')),
        sa.UniqueConstraint('code', name=op.f('uq_catalog_entry_code')),
    )


def downgrade() -> None:
    op.drop_table('catalog_entry')
