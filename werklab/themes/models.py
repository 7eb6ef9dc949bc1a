"""Themes proposed for the coming meetings of a programme, the participants' votes on them,
and how many votes each participant has.

A vote counts against a participant's votes only while its theme is open: not hidden by a
trainer and not yet fixed to a session. So a theme that is chosen gives its voters their
votes back for the next round, and a hidden proposal takes none of them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.accounts.models import User
from werklab.catalog.models import Programme, ProgrammeKind, ProgrammeSession
from werklab.db import Base, utcnow
from werklab.registration.models import Registration

#: The programmes whose meetings are set with the participants (PRODUCT.md); a werklab has
#: its three fixed sessions.
SET_TOGETHER = (ProgrammeKind.COP, ProgrammeKind.LEARNING_COMMUNITY)

#: Votes per participant unless the trainer says otherwise, and the range a trainer can set.
DEFAULT_VOTES = 3
MAX_VOTES = 10

TITLE_MAX = 200
DESCRIPTION_MAX = 1000


class ThemeSettings(Base):
    """A programme's settings for the vote (a row only once a trainer changed them)."""

    __tablename__ = "theme_settings"
    __table_args__ = (
        sa.CheckConstraint(f"votes_per_person BETWEEN 1 AND {MAX_VOTES}", name="votes_range"),
    )

    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    votes_per_person: Mapped[int] = mapped_column(default=DEFAULT_VOTES)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Theme(Base):
    """A theme proposed for a coming meeting, by a trainer or by a participant."""

    __tablename__ = "themes"
    __table_args__ = (
        sa.CheckConstraint(
            "proposed_by_user_id IS NULL OR proposed_by_registration_id IS NULL",
            name="one_proposer",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.String(DESCRIPTION_MAX), default="")
    #: A trainer's (or coordinator's) proposal.
    proposed_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: A participant's proposal: shown to the other participants without a name.
    proposed_by_registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A trainer hid it (an inappropriate proposal): participants no longer see it.
    hidden_at: Mapped[datetime | None]
    hidden_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: The session whose theme it became; voting on it is closed. One theme per session.
    scheduled_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="SET NULL"), unique=True
    )
    scheduled_at: Mapped[datetime | None]

    programme: Mapped[Programme] = relationship()
    proposed_by_user: Mapped[User | None] = relationship(foreign_keys=[proposed_by_user_id])
    proposed_by_registration: Mapped[Registration | None] = relationship()
    scheduled_session: Mapped[ProgrammeSession | None] = relationship()

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_scheduled(self) -> bool:
        return self.scheduled_session_id is not None

    @property
    def is_open(self) -> bool:
        """Open for votes: neither hidden nor fixed to a session."""
        return not self.is_hidden and not self.is_scheduled


class ThemeVote(Base):
    """One participant's vote for one theme (at most one vote per theme per person)."""

    __tablename__ = "theme_votes"
    __table_args__ = (
        sa.UniqueConstraint("theme_id", "registration_id", name="uq_theme_votes_theme_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
