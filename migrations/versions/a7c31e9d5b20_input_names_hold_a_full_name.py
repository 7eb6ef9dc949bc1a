"""input: names hold a registration's full name (first + last name, 100 each)

mail_outbox.to_name, users.name and certificates.name were 200 characters, while a
registration's full name can be 201: PostgreSQL refused such a registration with a 500.

Revision ID: a7c31e9d5b20
Revises: 04e9edc50c9d
Create Date: 2026-12-02 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c31e9d5b20"
down_revision = "04e9edc50c9d"
branch_labels = None
depends_on = None

COLUMNS = [("mail_outbox", "to_name"), ("users", "name"), ("certificates", "name")]


def upgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.String(length=200), type_=sa.String(length=300)
            )


def downgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.String(length=300), type_=sa.String(length=200)
            )
