"""groups: homework groups and their members

Revision ID: 7d4b9e2c1f05
Revises: 5a1c0e7b9d21
Create Date: 2026-11-21 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7d4b9e2c1f05"
down_revision = "5a1c0e7b9d21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "homework_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("round >= 1", name=op.f("ck_homework_groups_round_positive")),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_homework_groups_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework_groups")),
        sa.UniqueConstraint("programme_id", "round", "name", name="uq_homework_groups_name"),
    )
    with op.batch_alter_table("homework_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_homework_groups_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "homework_group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["homework_groups.id"],
            name=op.f("fk_homework_group_members_group_id_homework_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_homework_group_members_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework_group_members")),
        sa.UniqueConstraint(
            "registration_id", "round", name="uq_homework_group_members_round"
        ),
    )
    with op.batch_alter_table("homework_group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_homework_group_members_group_id"), ["group_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("homework_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homework_group_members_group_id"))
    op.drop_table("homework_group_members")
    with op.batch_alter_table("homework_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homework_groups_programme_id"))
    op.drop_table("homework_groups")
