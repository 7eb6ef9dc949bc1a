"""registrations index by programme, status and waiting-list number

The index on (programme_id, status) gains waitlist_seq: the manage page's waiting-list
position is then counted in the index alone, without reading each waiting registration.

Revision ID: 2c8ea90f83e1
Revises: 77797acac649
Create Date: 2026-12-02 19:48:34.203454

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2c8ea90f83e1'
down_revision = '77797acac649'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_programme_status'))
        batch_op.create_index('ix_registrations_programme_status_seq', ['programme_id', 'status', 'waitlist_seq'], unique=False)



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_programme_status_seq')
        batch_op.create_index(batch_op.f('ix_registrations_programme_status'), ['programme_id', 'status'], unique=False)

