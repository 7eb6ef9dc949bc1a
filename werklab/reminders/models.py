"""How many days before a session participants are reminded, who switched reminders off,
which reminders went out, and the trainers' secret calendar addresses."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.accounts.models import User
from werklab.db import Base, utcnow

#: Without a setting of its own, a programme reminds its participants this many days ahead.
DEFAULT_DAYS_BEFORE = 2
#: The most a trainer can choose: a reminder weeks ahead is no longer a reminder.
MAX_DAYS_BEFORE = 14


class ReminderSetting(Base):
    """A programme's own choice; no row: DEFAULT_DAYS_BEFORE."""

    __tablename__ = "reminder_settings"
    __table_args__ = (
        sa.CheckConstraint(
            f"days_before >= 0 AND days_before <= {MAX_DAYS_BEFORE}", name="days_before_range"
        ),
    )

    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    #: 0: no reminders for this programme.
    days_before: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderOptOut(Base):
    """A participant who switched reminders off on their manage page (no row: on)."""

    __tablename__ = "reminder_opt_outs"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionReminder(Base):
    """A reminder mailed to one participant for one session at the start it announced.

    Inserting the row is the claim, in the transaction that queues the mail: the unique
    (session, registration, start) makes a second reminder impossible, however many `tick`
    machines run. A session moved to a later day can get a new row (see services.is_covered).
    """

    __tablename__ = "session_reminders"
    __table_args__ = (
        sa.UniqueConstraint(
            "session_id", "registration_id", "starts_at", name="uq_session_reminders_once"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (Indexed by the unique constraint, which begins with it.)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="CASCADE")
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: The session's start (naive UTC) as the reminder announced it.
    starts_at: Mapped[datetime]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainerFeed(Base):
    """A trainer's secret calendar address: every session of the programmes they run.
    Calendar apps subscribe without signing in, so the token is the only key; a new token
    replaces (and so revokes) the old one."""

    __tablename__ = "trainer_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: Random, 256 bits (secrets.token_urlsafe(32)). Stored as is: the trainer's page shows
    #: the address again whenever they add it to another calendar.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<TrainerFeed {self.id} user={self.user_id}>"
