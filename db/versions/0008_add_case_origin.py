"""Add case_origin: where a case imported from a case pack came from (workspace, exporter, time).

Revision ID: 0008_case_origin
Revises: 0007_audit_hash_unindexed
Create Date: 2026-11-26

One row per imported case. pack_sha256 (the hash of the pack's manifest) tells a second import of
the same pack; manifest keeps the manifest's exact text so `verify` can re-hash it; audit_sha256
names the blob holding the source case's own audit entries (the pack's audit part, kept verbatim).
A new table only: no existing row changes, nothing to back-fill.
"""

import sqlalchemy as sa
from alembic import op


revision = '0008_case_origin'
down_revision = '0007_audit_hash_unindexed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_origin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('pack_sha256', sa.String(length=200), nullable=False),
        sa.Column('source_workspace_uuid', sa.String(length=40), nullable=False),
        sa.Column('source_workspace_name', sa.Text(), nullable=False),
        sa.Column('source_case_id', sa.Integer(), nullable=False),
        sa.Column('source_case_title', sa.Text(), nullable=False),
        sa.Column('source_audit_head', sa.String(length=200), nullable=False),
        sa.Column('exporter', sa.String(length=200), nullable=False),
        sa.Column('exported_at', sa.String(length=40), nullable=False),
        sa.Column('schema_revision', sa.String(length=200), nullable=False),
        sa.Column('manifest', sa.Text(), nullable=False),
        sa.Column('audit_sha256', sa.String(length=200), nullable=True),
        sa.Column('imported_at', sa.String(length=40), nullable=False),
        sa.Column('imported_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_origin_case_id_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['audit_sha256'], ['blob.sha256'],
                                name=op.f('fk_case_origin_audit_sha256_blob')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_origin')),
        sa.UniqueConstraint('case_id', name=op.f('uq_case_origin_case_id')),
    )
    op.create_index('ix_case_origin_pack', 'case_origin', ['pack_sha256'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_origin_pack', table_name='case_origin')
    op.drop_table('case_origin')
