"""Homework groups: small mixed groups of a programme's participants, per round."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import Programme
from werklab.db import Base, utcnow
from werklab.registration.models import Registration


class HomeworkGroup(Base):
    """One homework group of a programme in one round of composition."""

    __tablename__ = "homework_groups"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "round", "name", name="uq_homework_groups_name"),
        sa.CheckConstraint("round >= 1", name="round_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    #: 1 for the first composition; a reshuffle "for a new year" starts round + 1 and keeps
    #: the earlier rounds, so the pairs who already worked together are known.
    round: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(sa.String(100))
    #: A locked group survives (re)composition unchanged and nobody is moved in or out.
    locked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    memberships: Mapped[list[HomeworkGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def members(self) -> list[Registration]:
        return sorted(
            (m.registration for m in self.memberships),
            key=lambda r: (r.last_name.lower(), r.first_name.lower(), r.id),
        )


class HomeworkGroupMember(Base):
    """A participant (registration) in a group; one group per participant per round."""

    __tablename__ = "homework_group_members"
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "round", name="uq_homework_group_members_round"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("homework_groups.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE")
    )
    #: Copy of the group's round, so the database itself allows one group per round.
    round: Mapped[int]

    group: Mapped[HomeworkGroup] = relationship(back_populates="memberships")
    registration: Mapped[Registration] = relationship()
