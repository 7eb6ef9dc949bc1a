"""programmes.completed_at: when a programme was completed (issue 15)

Revision ID: 5e71c0a9d3b2
Revises: f66331db030d
Create Date: 2026-12-02 16:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e71c0a9d3b2'
down_revision = 'f66331db030d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('completed_at')
