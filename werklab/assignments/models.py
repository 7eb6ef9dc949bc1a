"""Assignments, submissions (versioned, per homework group), their files and reminders."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import Programme, ProgrammeSession
from werklab.db import Base, utcnow


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    #: The session the assignment prepares for or follows up on (optional).
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Naive UTC, like every timestamp.
    due_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    session: Mapped[ProgrammeSession | None] = relationship()

    def is_overdue(self, now: datetime) -> bool:
        return now > self.due_at


class Submission(Base):
    """One version of a group's hand-in; a new hand-in is a new row, older ones stay."""

    __tablename__ = "assignment_submissions"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "group_id", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("homework_groups.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text, default="")
    #: Who handed in (a participant's user account), for the record.
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The trainer's feedback on this version.
    feedback: Mapped[str | None] = mapped_column(sa.Text)
    feedback_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    feedback_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship()
    files: Mapped[list[SubmissionFile]] = relationship(
        back_populates="submission", order_by="SubmissionFile.id"
    )


class SubmissionFile(Base):
    __tablename__ = "assignment_submission_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment_submissions.id", ondelete="CASCADE"), index=True
    )
    #: Random name in UPLOAD_FOLDER; never derived from anything the user sent.
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The sanitised original name: only shown and offered as download name.
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]

    submission: Mapped[Submission] = relationship(back_populates="files")


class AssignmentReminder(Base):
    """A reminder mailed to a group; the unique pair makes it go out once."""

    __tablename__ = "assignment_reminders"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("homework_groups.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
