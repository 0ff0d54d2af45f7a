"""Add screening lists and hits: watchlists, entries, names, identifiers, screening hits.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:08:28.882263
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('watchlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('source_filename', sa.Text(), nullable=False),
    sa.Column('source_sha256', sa.String(length=200), nullable=False),
    sa.Column('snapshot_date', sa.String(length=40), nullable=True),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.String(length=40), nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watchlist')),
    sa.UniqueConstraint('name', name=op.f('uq_watchlist_name'))
    )
    op.create_table('watchlist_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('entry_key', sa.Text(), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('programs', sa.JSON(), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('source_list', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['watchlist.id'], name=op.f('fk_watchlist_entry_list_id_watchlist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watchlist_entry')),
    sa.UniqueConstraint('list_id', 'entry_key', name='list_key')
    )
    op.create_table('screening_hit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('list_name', sa.Text(), nullable=False),
    sa.Column('entry_key', sa.Text(), nullable=False),
    sa.Column('entry_name', sa.Text(), nullable=False),
    sa.Column('entry_hash', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.String(length=40), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_screening_hit_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['watchlist_entry.id'], name=op.f('fk_screening_hit_entry_id_watchlist_entry'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_screening_hit_finding_id_finding'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['watchlist.id'], name=op.f('fk_screening_hit_list_id_watchlist'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_screening_hit_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_hit')),
    sa.UniqueConstraint('record_id', 'list_name', 'entry_key', name='record_entry')
    )
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.create_index('ix_screening_hit_case', ['case_id'], unique=False)

    op.create_table('watchlist_identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('match_key', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['watchlist_entry.id'], name=op.f('fk_watchlist_identifier_entry_id_watchlist_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watchlist_identifier'))
    )
    with op.batch_alter_table('watchlist_identifier', schema=None) as batch_op:
        batch_op.create_index('ix_watchlist_identifier_entry', ['entry_id'], unique=False)
        batch_op.create_index('ix_watchlist_identifier_key', ['scheme', 'match_key'], unique=False)

    op.create_table('watchlist_name',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_kind', sa.String(length=40), nullable=False),
    sa.Column('normalized', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['watchlist_entry.id'], name=op.f('fk_watchlist_name_entry_id_watchlist_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watchlist_name'))
    )
    with op.batch_alter_table('watchlist_name', schema=None) as batch_op:
        batch_op.create_index('ix_watchlist_name_entry', ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('watchlist_name', schema=None) as batch_op:
        batch_op.drop_index('ix_watchlist_name_entry')

    op.drop_table('watchlist_name')
    with op.batch_alter_table('watchlist_identifier', schema=None) as batch_op:
        batch_op.drop_index('ix_watchlist_identifier_key')
        batch_op.drop_index('ix_watchlist_identifier_entry')

    op.drop_table('watchlist_identifier')
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_hit_case')

    op.drop_table('screening_hit')
    op.drop_table('watchlist_entry')
    op.drop_table('watchlist')
