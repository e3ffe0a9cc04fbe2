"""outcome language and translations, raati presence heartbeat

Outcome.language (what the preparer wrote in) and Outcome.translations (sv/en versions of
the own texts); RaatiConnection.seen_at, refreshed by each process for its open sockets.

Revision ID: 1cdd6c29deb0
Revises: 7b78ad8633bb
Create Date: 2026-11-23 22:22:37.905901

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1cdd6c29deb0'
down_revision = '7b78ad8633bb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), server_default='fi', nullable=False))
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('raati_connection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_raati_connection_seen_at'), ['seen_at'], unique=False)



def downgrade():
    with op.batch_alter_table('raati_connection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raati_connection_seen_at'))
        batch_op.drop_column('seen_at')

    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.drop_column('translations')
        batch_op.drop_column('language')

