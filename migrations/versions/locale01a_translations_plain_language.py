"""languages: decision and impact translations; easy-to-read Finnish (selkokieli) summaries

Revision ID: locale01a
Revises: surveys01a
Create Date: 2026-12-02 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'locale01a'
down_revision = 'auditlog01a'
branch_labels = None
depends_on = None

PLAIN = ('outcome', 'idea_round', 'raati')


def upgrade():
    with op.batch_alter_table('outcome_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('outcome_impact_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))
    for table in PLAIN:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('plain_summary', sa.Text(), server_default='', nullable=False))


def downgrade():
    for table in reversed(PLAIN):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('plain_summary')
    with op.batch_alter_table('outcome_impact_revision', schema=None) as batch_op:
        batch_op.drop_column('translations')
    with op.batch_alter_table('outcome_decision', schema=None) as batch_op:
        batch_op.drop_column('translations')
