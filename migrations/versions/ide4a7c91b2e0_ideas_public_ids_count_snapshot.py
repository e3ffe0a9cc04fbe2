"""ideas: random public ids for ideas and comments; the published vote-count snapshot

Revision ID: ide4a7c91b2e0
Revises: f1e2d3c4b5a6
Create Date: 2026-12-02 07:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'ide4a7c91b2e0'
down_revision = 'f1e2d3c4b5a6'
branch_labels = None
depends_on = None


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _backfill(table: str) -> None:
    # Existing rows get random ids one by one (no order, nothing derived from the integer id).
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT id FROM {table}")).scalars().all()
    for row_id in rows:
        conn.execute(sa.text(f"UPDATE {table} SET public_id = :p WHERE id = :i"),
                     {"p": "".join(secrets.choice(ALPHABET) for _ in range(12)), "i": row_id})


def upgrade():
    for table in ('idea', 'idea_comment'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('public_id', sa.String(length=16), nullable=True))
        _backfill(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('public_id', existing_type=sa.String(length=16), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_public_id'), ['public_id'])
    op.create_table(
        'idea_count_snapshot',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('pending_since', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['idea_round.id'], name=op.f('fk_idea_count_snapshot_round_id_idea_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_idea_count_snapshot')),
    )


def downgrade():
    op.drop_table('idea_count_snapshot')
    for table in ('idea_comment', 'idea'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_public_id'), type_='unique')
            batch_op.drop_column('public_id')
