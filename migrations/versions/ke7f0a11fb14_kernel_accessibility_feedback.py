"""kernel: accessibility feedback (306/2019 §18: replies within 14 days)

Revision ID: ke7f0a11fb14
Revises: paneltrust01
Create Date: 2026-12-02 07:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'ke7f0a11fb14'
down_revision = 'paneltrust01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accessibility_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('page', sa.String(length=500), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('replied_at', sa.DateTime(), nullable=True),
        sa.Column('reply', sa.Text(), nullable=True),
        sa.Column('replied_by_id', sa.Integer(), nullable=True),
        sa.Column('reminded_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['replied_by_id'], ['account.id'],
                                name=op.f('fk_accessibility_feedback_replied_by_id_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accessibility_feedback')),
    )
    with op.batch_alter_table('accessibility_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accessibility_feedback_due_at'), ['due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('accessibility_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accessibility_feedback_due_at'))
    op.drop_table('accessibility_feedback')
