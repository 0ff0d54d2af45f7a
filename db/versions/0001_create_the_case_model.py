"""Create the case model: workspace, cases, records by kind, links, evidence, audit chain.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 02:57:55.981676
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=200), nullable=False),
    sa.Column('hash', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_log_hash'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_case', ['case_id'], unique=False)
        batch_op.create_index('ix_audit_log_record', ['record_id'], unique=False)

    op.create_table('blob',
    sa.Column('sha256', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blob'))
    )
    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case'))
    )
    op.create_table('workspace',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=40), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace')),
    sa.UniqueConstraint('uuid', name=op.f('uq_workspace_uuid'))
    )
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=200), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('evidence_kind', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('author', sa.Text(), nullable=False),
    sa.Column('source_date', sa.String(length=40), nullable=True),
    sa.Column('filename', sa.Text(), nullable=False),
    sa.Column('media_type', sa.String(length=200), nullable=False),
    sa.Column('reliability', sa.String(length=40), nullable=False),
    sa.Column('credibility', sa.String(length=40), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.CheckConstraint("credibility IN ('1','2','3','4','5','6')", name=op.f('ck_evidence_credibility')),
    sa.CheckConstraint("reliability IN ('A','B','C','D','E','F')", name=op.f('ck_evidence_reliability')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_evidence_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['blob.sha256'], name=op.f('fk_evidence_sha256_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_case', ['case_id'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('subject_key', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('record_ids', sa.JSON(), nullable=False),
    sa.Column('link_ids', sa.JSON(), nullable=False),
    sa.Column('path_hash', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_finding_case_id_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding')),
    sa.UniqueConstraint('case_id', 'rule', 'subject_key', name='rule_subject')
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_case', ['case_id'], unique=False)

    op.create_table('record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('party','wallet','datacenter','server','contract')", name=op.f('ck_record_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_record_case_id_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record'))
    )
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.create_index('ix_record_case_kind', ['case_id', 'kind'], unique=False)

    op.create_table('address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('full', sa.Text(), nullable=False),
    sa.Column('city', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=40), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_address_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address'))
    )
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.create_index('ix_address_record', ['record_id'], unique=False)

    op.create_table('alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('script', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=40), nullable=False),
    sa.Column('alias_kind', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_alias_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alias'))
    )
    with op.batch_alter_table('alias', schema=None) as batch_op:
        batch_op.create_index('ix_alias_record', ['record_id'], unique=False)

    op.create_table('chart_position',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_chart_position_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_chart_position_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'record_id', name=op.f('pk_chart_position'))
    )
    op.create_table('contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_type', sa.String(length=40), nullable=False),
    sa.Column('value_amount', sa.String(length=40), nullable=True),
    sa.Column('currency', sa.String(length=40), nullable=False),
    sa.Column('start_on', sa.String(length=40), nullable=True),
    sa.Column('end_on', sa.String(length=40), nullable=True),
    sa.Column('chain', sa.String(length=40), nullable=True),
    sa.Column('contract_address', sa.Text(), nullable=False),
    sa.Column('tx_hashes', sa.JSON(), nullable=False),
    sa.Column('accelerator_count', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['record.id'], name=op.f('fk_contract_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract'))
    )
    op.create_table('datacenter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_name', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('city', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=40), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('tier', sa.Text(), nullable=False),
    sa.Column('power_mw', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['record.id'], name=op.f('fk_datacenter_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_datacenter'))
    )
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('on', sa.String(length=40), nullable=False),
    sa.Column('until', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_event_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_event_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_case', ['case_id'], unique=False)
        batch_op.create_index('ix_event_record', ['record_id'], unique=False)

    op.create_table('identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_identifier_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identifier'))
    )
    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.create_index('ix_identifier_record', ['record_id'], unique=False)
        batch_op.create_index('ix_identifier_scheme_value', ['scheme', 'value'], unique=False)

    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=200), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_import_batch_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_import_batch_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index('ix_import_batch_case', ['case_id'], unique=False)

    op.create_table('link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('link_type', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('share_pct', sa.Float(), nullable=True),
    sa.Column('start_on', sa.String(length=40), nullable=True),
    sa.Column('end_on', sa.String(length=40), nullable=True),
    sa.Column('grade', sa.String(length=40), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_link_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['record.id'], name=op.f('fk_link_source_id_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['record.id'], name=op.f('fk_link_target_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link'))
    )
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.create_index('ix_link_case', ['case_id'], unique=False)
        batch_op.create_index('ix_link_source', ['source_id'], unique=False)
        batch_op.create_index('ix_link_target', ['target_id'], unique=False)

    op.create_table('party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_kind', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=40), nullable=True),
    sa.Column('hq_country', sa.String(length=40), nullable=True),
    sa.Column('website', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['record.id'], name=op.f('fk_party_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party'))
    )
    op.create_table('server',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_model', sa.Text(), nullable=False),
    sa.Column('accelerator_model', sa.Text(), nullable=False),
    sa.Column('accelerators_per_server', sa.Integer(), nullable=True),
    sa.Column('server_count', sa.Integer(), nullable=True),
    sa.Column('count_qualifier', sa.String(length=40), nullable=False),
    sa.Column('serials', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('installed_on', sa.String(length=40), nullable=True),
    sa.Column('in_service_on', sa.String(length=40), nullable=True),
    sa.Column('days_to_service', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['record.id'], name=op.f('fk_server_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_server'))
    )
    op.create_table('wallet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain', sa.String(length=40), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('match_key', sa.Text(), nullable=False),
    sa.Column('custodian', sa.Text(), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['record.id'], name=op.f('fk_wallet_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet'))
    )
    with op.batch_alter_table('wallet', schema=None) as batch_op:
        batch_op.create_index('ix_wallet_match_key', ['match_key'], unique=False)

    op.create_table('citation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('locator', sa.Text(), nullable=False),
    sa.Column('claim', sa.Text(), nullable=False),
    sa.CheckConstraint('(record_id IS NULL) <> (link_id IS NULL)', name=op.f('ck_citation_one_subject')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_citation_evidence_id_evidence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['link.id'], name=op.f('fk_citation_link_id_link'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_citation_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citation'))
    )
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.create_index('ix_citation_evidence', ['evidence_id'], unique=False)
        batch_op.create_index('ix_citation_link', ['link_id'], unique=False)
        batch_op.create_index('ix_citation_record', ['record_id'], unique=False)

    op.create_table('contract_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_party_contract_id_contract'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['record.id'], name=op.f('fk_contract_party_party_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_party'))
    )
    with op.batch_alter_table('contract_party', schema=None) as batch_op:
        batch_op.create_index('ix_contract_party_party', ['party_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contract_party', schema=None) as batch_op:
        batch_op.drop_index('ix_contract_party_party')

    op.drop_table('contract_party')
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.drop_index('ix_citation_record')
        batch_op.drop_index('ix_citation_link')
        batch_op.drop_index('ix_citation_evidence')

    op.drop_table('citation')
    with op.batch_alter_table('wallet', schema=None) as batch_op:
        batch_op.drop_index('ix_wallet_match_key')

    op.drop_table('wallet')
    op.drop_table('server')
    op.drop_table('party')
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.drop_index('ix_link_target')
        batch_op.drop_index('ix_link_source')
        batch_op.drop_index('ix_link_case')

    op.drop_table('link')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_import_batch_case')

    op.drop_table('import_batch')
    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.drop_index('ix_identifier_scheme_value')
        batch_op.drop_index('ix_identifier_record')

    op.drop_table('identifier')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_record')
        batch_op.drop_index('ix_event_case')

    op.drop_table('event')
    op.drop_table('datacenter')
    op.drop_table('contract')
    op.drop_table('chart_position')
    with op.batch_alter_table('alias', schema=None) as batch_op:
        batch_op.drop_index('ix_alias_record')

    op.drop_table('alias')
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.drop_index('ix_address_record')

    op.drop_table('address')
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index('ix_record_case_kind')

    op.drop_table('record')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_case')

    op.drop_table('finding')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_case')

    op.drop_table('evidence')
    op.drop_table('workspace')
    op.drop_table('case')
    op.drop_table('blob')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_record')
        batch_op.drop_index('ix_audit_log_case')

    op.drop_table('audit_log')
