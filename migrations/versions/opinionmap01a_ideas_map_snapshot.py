"""ideas: the published opinion map of an open round (aggregates only)

Revision ID: opinionmap01a
Revises: surveys01a
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'opinionmap01a'
down_revision = 'privacy01a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idea_map_snapshot',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('counts_published_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['idea_round.id'], name=op.f('fk_idea_map_snapshot_round_id_idea_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_idea_map_snapshot')),
    )


def downgrade():
    op.drop_table('idea_map_snapshot')
