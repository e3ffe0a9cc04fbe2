"""raati presence: index connections by member

Each connect counts the member's open sockets and a kick finds them by member; without an
index both scan every open socket of the site.

Revision ID: roomspeed01a
Revises: surveys01a
Create Date: 2026-12-02 10:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'roomspeed01a'
down_revision = 'follow01a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('raati_connection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_raati_connection_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('raati_connection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raati_connection_member_id'))
