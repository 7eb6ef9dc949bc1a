"""Attendance: who was there at each session (aanwezig / afgemeld / afwezig)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import ProgrammeSession
from werklab.db import Base, enum_type, utcnow


class AttendanceStatus(enum.Enum):
    PRESENT = "present"  # aanwezig
    EXCUSED = "excused"  # afgemeld: let the trainers know in advance
    ABSENT = "absent"  # afwezig, without notice


class AttendanceRecord(Base):
    """One participant's attendance at one session; marking again updates this row."""

    __tablename__ = "attendance_records"
    __table_args__ = (
        sa.UniqueConstraint(
            "session_id", "registration_id", name="uq_attendance_records_session_registration"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="CASCADE")
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(
        enum_type(AttendanceStatus, "attendance_status")
    )
    #: The trainer or coordinator who marked it last (NULL once that account is deleted).
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When it was marked last (UTC).
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ProgrammeSession] = relationship()

    def __repr__(self) -> str:
        return f"<AttendanceRecord {self.session_id}/{self.registration_id} {self.status.value}>"
