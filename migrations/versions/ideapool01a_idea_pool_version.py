"""idea_pool_version: a count of changes to a round's ideas, kept by a PostgreSQL trigger

Revision ID: ideapool01a
Revises: roomspeed01a
Create Date: 2026-12-02 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ideapool01a'
down_revision = 'roomspeed01a'
branch_labels = None
depends_on = None

# The same statements as deliberation/ideas/models.py (a migration keeps its own copy).
FUNCTION = (
    "CREATE OR REPLACE FUNCTION idea_pool_changed() RETURNS trigger AS $$ "
    "DECLARE r integer; "
    "BEGIN "
    "IF TG_OP = 'DELETE' THEN r := OLD.round_id; ELSE r := NEW.round_id; END IF; "
    "INSERT INTO idea_pool_version (round_id, n) VALUES (r, 1) "
    "ON CONFLICT (round_id) DO UPDATE SET n = idea_pool_version.n + 1; "
    "RETURN NULL; "
    "END $$ LANGUAGE plpgsql")
TRIGGER = ("CREATE TRIGGER idea_pool_changed AFTER INSERT OR DELETE OR UPDATE OF status, text, round_id "
           "ON idea FOR EACH ROW EXECUTE FUNCTION idea_pool_changed()")


def upgrade():
    op.create_table('idea_pool_version',
    sa.Column('round_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('round_id')
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCTION)
        op.execute(TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS idea_pool_changed ON idea")
        op.execute("DROP FUNCTION IF EXISTS idea_pool_changed()")
    op.drop_table('idea_pool_version')
