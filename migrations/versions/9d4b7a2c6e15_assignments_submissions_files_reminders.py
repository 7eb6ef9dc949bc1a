"""assignments, submissions (versioned), submission files, reminders

Revision ID: 9d4b7a2c6e15
Revises: 7d4b9e2c1f05
Create Date: 2026-11-21 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9d4b7a2c6e15"
# The lead chains this after the homework-groups migration (it references homework_groups).
down_revision = "6c3e2f1a8b40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], name=op.f("fk_assignments_programme_id_programmes"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["programme_sessions.id"], name=op.f("fk_assignments_session_id_programme_sessions"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_due_at"), ["due_at"], unique=False)

    op.create_table(
        "assignment_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("feedback_by_id", sa.Integer(), nullable=True),
        sa.Column("feedback_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_assignment_submissions_version_positive")),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"], name=op.f("fk_assignment_submissions_assignment_id_assignments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["homework_groups.id"], name=op.f("fk_assignment_submissions_group_id_homework_groups"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["users.id"], name=op.f("fk_assignment_submissions_submitted_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["feedback_by_id"], ["users.id"], name=op.f("fk_assignment_submissions_feedback_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_submissions")),
        sa.UniqueConstraint("assignment_id", "group_id", "version", name=op.f("uq_assignment_submissions_assignment_id")),
    )
    with op.batch_alter_table("assignment_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_submissions_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_submissions_group_id"), ["group_id"], unique=False)

    op.create_table(
        "assignment_submission_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["assignment_submissions.id"], name=op.f("fk_assignment_submission_files_submission_id_assignment_submissions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_submission_files")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_assignment_submission_files_stored_name")),
    )
    with op.batch_alter_table("assignment_submission_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_submission_files_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "assignment_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"], name=op.f("fk_assignment_reminders_assignment_id_assignments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["homework_groups.id"], name=op.f("fk_assignment_reminders_group_id_homework_groups"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_reminders")),
        sa.UniqueConstraint("assignment_id", "group_id", name=op.f("uq_assignment_reminders_assignment_id")),
    )


def downgrade():
    op.drop_table("assignment_reminders")
    op.drop_table("assignment_submission_files")
    op.drop_table("assignment_submissions")
    op.drop_table("assignments")
