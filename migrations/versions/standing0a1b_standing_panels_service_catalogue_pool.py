"""standing panels, service catalogue, pool mailings

Panel.standing/consent_months (membership period), Panel.parent_id/client_group (draw
groups drawn from a standing pool), Volunteer.consent_expires_at/renewal_sent_at/
source_volunteer_id; the service catalogue and service use (GDPR art. 9, kept apart);
invitations sent to a pool (counts and per-member "was invited" rows).

Revision ID: standing0a1b
Revises: b7c8d9e0f1a2
Create Date: 2026-12-02 06:26:52.575664

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'standing0a1b'
down_revision = 'b7c8d9e0f1a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('panel_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name_fi', sa.String(length=200), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_fi', sa.Text(), nullable=False),
    sa.Column('description_sv', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_service')),
    sa.UniqueConstraint('key', name=op.f('uq_panel_service_key'))
    )
    op.create_table('panel_pool_mailing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('client_group', sa.String(length=40), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=True),
    sa.Column('eligible', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['account.id'], name=op.f('fk_panel_pool_mailing_created_by_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_panel_pool_mailing_panel_id_panel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_pool_mailing'))
    )
    with op.batch_alter_table('panel_pool_mailing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_pool_mailing_panel_id'), ['panel_id'], unique=False)

    op.create_table('panel_pool_mailing_recipient',
    sa.Column('mailing_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mailing_id'], ['panel_pool_mailing.id'], name=op.f('fk_panel_pool_mailing_recipient_mailing_id_panel_pool_mailing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['panel_volunteer.id'], name=op.f('fk_panel_pool_mailing_recipient_volunteer_id_panel_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mailing_id', 'volunteer_id', name=op.f('pk_panel_pool_mailing_recipient'))
    )
    with op.batch_alter_table('panel_pool_mailing_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_pool_mailing_recipient_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('panel_service_use',
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['panel_service.id'], name=op.f('fk_panel_service_use_service_id_panel_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['panel_volunteer.id'], name=op.f('fk_panel_service_use_volunteer_id_panel_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', 'service_id', name=op.f('pk_panel_service_use'))
    )
    with op.batch_alter_table('panel_service_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_service_use_service_id'), ['service_id'], unique=False)

    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standing', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('consent_months', sa.Integer(), server_default='24', nullable=False))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('client_group', sa.String(length=40), server_default='', nullable=False))
        batch_op.alter_column('recruitment_closes_at',
               existing_type=sa.DateTime(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_panel_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_panel_parent_id_panel'), 'panel', ['parent_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('panel_volunteer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('renewal_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('source_volunteer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_panel_volunteer_consent_expires_at'), ['consent_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_volunteer_source_volunteer_id'), ['source_volunteer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_panel_volunteer_source_volunteer_id_panel_volunteer'), 'panel_volunteer', ['source_volunteer_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('panel_volunteer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_panel_volunteer_source_volunteer_id_panel_volunteer'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_panel_volunteer_source_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_panel_volunteer_consent_expires_at'))
        batch_op.drop_column('source_volunteer_id')
        batch_op.drop_column('renewal_sent_at')
        batch_op.drop_column('consent_expires_at')

    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_panel_parent_id_panel'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_panel_parent_id'))
        batch_op.alter_column('recruitment_closes_at',
               existing_type=sa.DateTime(),
               nullable=False)
        batch_op.drop_column('client_group')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('consent_months')
        batch_op.drop_column('standing')

    with op.batch_alter_table('panel_service_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_service_use_service_id'))

    op.drop_table('panel_service_use')
    with op.batch_alter_table('panel_pool_mailing_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_pool_mailing_recipient_volunteer_id'))

    op.drop_table('panel_pool_mailing_recipient')
    with op.batch_alter_table('panel_pool_mailing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_pool_mailing_panel_id'))

    op.drop_table('panel_pool_mailing')
    op.drop_table('panel_service')
