"""Screening: list import details, exact-only names, identifier and hit lookups, duplicate decisions,
stored list indexes.

Revision ID: 0005_screening_lookups
Revises: 0003_trigram_name_search
Create Date: 2026-11-25 04:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005_screening_lookups'  # was '0005_screening'
down_revision = '0003_trigram_name_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('watchlist', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('watchlist_name', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exact_only', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('watchlist_identifier', schema=None) as batch_op:
        batch_op.create_index('ix_watchlist_identifier_match_key', ['match_key'], unique=False)
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.create_index('ix_screening_hit_entry', ['entry_id'], unique=False)
    op.create_table('duplicate_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('record_a', sa.Integer(), nullable=False),
    sa.Column('record_b', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_duplicate_decision_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_a'], ['record.id'], name=op.f('fk_duplicate_decision_record_a_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_b'], ['record.id'], name=op.f('fk_duplicate_decision_record_b_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_decision')),
    sa.UniqueConstraint('record_a', 'record_b', name='pair')
    )
    with op.batch_alter_table('duplicate_decision', schema=None) as batch_op:
        batch_op.create_index('ix_duplicate_decision_case', ['case_id'], unique=False)
    # Derived data (a list's blocking index), rebuilt at each import; safe to drop.
    op.create_table('watchlist_index',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['watchlist.id'], name=op.f('fk_watchlist_index_list_id_watchlist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('list_id', name=op.f('pk_watchlist_index'))
    )


def downgrade() -> None:
    op.drop_table('watchlist_index')
    with op.batch_alter_table('duplicate_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_duplicate_decision_case')
    op.drop_table('duplicate_decision')
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_hit_entry')
    with op.batch_alter_table('watchlist_identifier', schema=None) as batch_op:
        batch_op.drop_index('ix_watchlist_identifier_match_key')
    with op.batch_alter_table('watchlist_name', schema=None) as batch_op:
        batch_op.drop_column('exact_only')
    with op.batch_alter_table('watchlist', schema=None) as batch_op:
        batch_op.drop_column('details')
