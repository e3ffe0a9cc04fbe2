"""Panel trust: the secret key of a draw's public commitments

Revision ID: paneltrust01
Revises: raa1c0ffee01
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'paneltrust01'
down_revision = 'raa1c0ffee01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commit_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.drop_column('commit_key')
