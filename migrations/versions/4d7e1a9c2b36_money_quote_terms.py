"""quotes.terms: the terms a municipality agrees to, as they were when the quote was sent

Revision ID: 4d7e1a9c2b36
Revises: a7c31e9d5b20
Create Date: 2026-12-02 13:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4d7e1a9c2b36"
# Main has two heads (hardening and einvoice, both after 1e6c7c1db3e5): this revision joins
# them, so the chain has one head again.
down_revision = "a7c31e9d5b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_column("terms")
