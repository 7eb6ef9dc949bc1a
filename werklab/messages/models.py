"""A message written to some of a programme's people, and who received it."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.db import Base, enum_type, utcnow
from werklab.registration.models import Registration


class Audience(enum.Enum):
    PARTICIPANTS = "participants"  # everyone with a confirmed seat
    WAITING = "waiting"  # everyone on the waiting list
    GROUP = "group"  # one homework group
    CHOSEN = "chosen"  # people picked one by one


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (sa.Index("ix_messages_programme_created", "programme_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The author's name and address as they were when writing (the Reply-To of the mails).
    author_name: Mapped[str] = mapped_column(sa.String(200))
    author_email: Mapped[str] = mapped_column(sa.String(254))
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "message_audience"))
    #: The homework group's name when written to one group (kept if the group goes).
    group_name: Mapped[str | None] = mapped_column(sa.String(100))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    author: Mapped[User | None] = relationship()
    recipients: Mapped[list[MessageRecipient]] = relationship(
        back_populates="message",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="MessageRecipient.id",
    )


class MessageRecipient(Base):
    """One person a message went to (the history shows who got what)."""

    __tablename__ = "message_recipients"
    __table_args__ = (
        sa.UniqueConstraint("message_id", "registration_id", name="uq_message_recipients_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: The outbox mail that carried it (0 when the person's data had been erased).
    mail_id: Mapped[int | None]

    message: Mapped[Message] = relationship(back_populates="recipients")
    registration: Mapped[Registration] = relationship()
