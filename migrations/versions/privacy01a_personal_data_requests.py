"""personal data: data_request table; a raati member row can outlive its account

Revision ID: privacy01a
Revises: surveys01a
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'privacy01a'
down_revision = 'surveys01a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('subject_hash', sa.String(length=64), nullable=False),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.Column('basis', sa.String(length=500), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['handled_by_id'], ['account.id'],
                                name=op.f('fk_data_request_handled_by_id_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_request')),
    )
    with op.batch_alter_table('data_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_request_subject_hash'), ['subject_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_request_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('raati_member', schema=None) as batch_op:
        batch_op.alter_column('account_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table('raati_member', schema=None) as batch_op:
        batch_op.alter_column('account_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('data_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_request_created_at'))
        batch_op.drop_index(batch_op.f('ix_data_request_subject_hash'))
    op.drop_table('data_request')
