"""mail rendered when sent

Revision ID: c0cbf3965028
Revises: 9d4b7a2c6e15
Create Date: 2026-11-21 08:13:58.456176

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0cbf3965028'
down_revision = '9d4b7a2c6e15'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('locale', sa.String(length=10), server_default='nl', nullable=False))
        batch_op.alter_column('body_text',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('body_html',
               existing_type=sa.TEXT(),
               nullable=True)



def downgrade():
    # Mails still waiting to be rendered get empty bodies (they can no longer be rendered).
    op.execute("UPDATE mail_outbox SET body_text = '' WHERE body_text IS NULL")
    op.execute("UPDATE mail_outbox SET body_html = '' WHERE body_html IS NULL")
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.alter_column('body_html',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('body_text',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('locale')
        batch_op.drop_column('render')

