"""Contact notes that quiet signals, and the weekly digests sent to trainers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.accounts.models import User
from werklab.db import Base, utcnow

#: A contact note is a sentence or two ("called her, she is ill"), not a report.
CONTACT_NOTE_MAX_LENGTH = 1000


class ContactNote(Base):
    """A trainer got in touch with a participant about the signals they had at that moment.

    `quieted` records those signals as {kind: since (ISO)}: each stays quiet until the same
    kind comes back with a later `since`, and a kind not in it is new.
    """

    __tablename__ = "followup_contacts"
    __table_args__ = (
        sa.CheckConstraint(f"length(body) <= {CONTACT_NOTE_MAX_LENGTH}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: Who got in touch (NULL once that account is deleted).
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    quieted: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ContactNote {self.id} on registration {self.registration_id}>"


class Digest(Base):
    """One trainer's weekly check: which signals there were, and whether a mail went out.

    The unique (trainer, week) pair is the claim: however many `tick` machines run, a trainer
    is checked (and mailed) at most once a week.
    """

    __tablename__ = "followup_digests"
    __table_args__ = (
        sa.UniqueConstraint("trainer_id", "week_start", name="uq_followup_digests_trainer_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: Monday (Dutch local time) of the week this digest is for.
    week_start: Mapped[date] = mapped_column(sa.Date)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    mailed: Mapped[bool] = mapped_column(default=False)
    #: The open signals at the check, as "registration:kind:since" strings: next week's check
    #: mails only when there is one not in this list.
    signal_keys: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
