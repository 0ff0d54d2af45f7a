"""Add audit_key and audit_seal: signed seals on the audit chain, keys' public halves.

Revision ID: 0010_audit_seals
Revises: 0009_link_transfer_facts
Create Date: 2026-12-07

Each write transaction from now on ends with a seal: the head it left (entry count, id, hash)
signed with the writing install's Ed25519 key, whose private half lives outside the workspace.
Entries written before this revision stay as they are, unsigned: `verify` reports them as
"unsigned before entry N" and still checks their hash chain. New tables only, nothing to back-fill.
"""

import sqlalchemy as sa
from alembic import op


revision = '0010_audit_seals'
down_revision = '0009_link_transfer_facts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_key',
        sa.Column('key_id', sa.String(length=40), nullable=False),
        sa.Column('public_key', sa.String(length=200), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('first_used_at', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('key_id', name=op.f('pk_audit_key')),
    )
    op.create_table(
        'audit_seal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('first_entry_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('entry_hash', sa.String(length=200), nullable=False),
        sa.Column('key_id', sa.String(length=40), nullable=False),
        sa.Column('signature', sa.String(length=200), nullable=False),
        sa.Column('at', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_seal')),
    )
    op.create_index('ix_audit_seal_entry', 'audit_seal', ['entry_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_seal_entry', table_name='audit_seal')
    op.drop_table('audit_seal')
    op.drop_table('audit_key')
