"""raati statement approval rule and the approval record frozen at the lock

Raati.approval_rule (what locking needs: a majority of members on every section, or all),
Raati.allow_override (the chair may lock without it, recording a reason), Raati.lock_record
(per section approvals / members, rule, override and reason, as they were at the lock).

Revision ID: raa1c0ffee01
Revises: standing0a1b
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'raa1c0ffee01'
down_revision = 'standing0a1b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('raati', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_rule', sa.String(length=16), server_default='majority', nullable=False))
        batch_op.add_column(sa.Column('allow_override', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('lock_record', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('raati', schema=None) as batch_op:
        batch_op.drop_column('lock_record')
        batch_op.drop_column('allow_override')
        batch_op.drop_column('approval_rule')
