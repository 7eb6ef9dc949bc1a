"""programme_sessions.sequence: the iCalendar SEQUENCE, raised when a session's time or place
changes, so calendars replace the event (same UID) instead of keeping the old one

Revision ID: 8b3f5c2e7a14
Revises: 4d7e1a9c2b36
Create Date: 2026-12-02 13:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8b3f5c2e7a14"
down_revision = "4d7e1a9c2b36"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("programme_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("programme_sessions", schema=None) as batch_op:
        batch_op.drop_column("sequence")
