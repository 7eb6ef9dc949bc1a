"""Offers to host a meeting, and the practical questions a group asks its host."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import Programme, ProgrammeSession
from werklab.db import Base, enum_type, utcnow
from werklab.registration.models import Registration

ORGANISATION_MAX_LENGTH = 200  # as the session's location_name
ADDRESS_MAX_LENGTH = 300  # as the session's location_address
NOTES_MAX_LENGTH = 2000
PERIOD_MAX_LENGTH = 100
QUESTION_MAX_LENGTH = 1000
#: More than any meeting room a programme of at most 15 people could need, and a bound that
#: keeps a typo ("10000") out of the rota.
MAX_CAPACITY = 500


class OfferStatus(enum.Enum):
    OPEN = "open"  # waiting for a trainer; may be withdrawn
    ACCEPTED = "accepted"  # hosts `session_id`
    WITHDRAWN = "withdrawn"


class HostOffer(Base):
    """A participant offers to host a meeting of their programme at their organisation."""

    __tablename__ = "hosting_offers"
    __table_args__ = (
        # One host per session: a second acceptance fails here whatever the requests raced.
        sa.UniqueConstraint("session_id", name="uq_hosting_offers_session"),
        sa.CheckConstraint(f"capacity >= 1 AND capacity <= {MAX_CAPACITY}", name="capacity_range"),
        sa.CheckConstraint(f"length(notes) <= {NOTES_MAX_LENGTH}", name="notes_length"),
        sa.Index("ix_hosting_offers_programme_status", "programme_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(sa.String(ORGANISATION_MAX_LENGTH))
    address: Mapped[str] = mapped_column(sa.String(ADDRESS_MAX_LENGTH))
    #: How many people the place seats.
    capacity: Mapped[int]
    #: Accessibility, parking, public transport, anything the group should know.
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: The meeting the volunteer would like to host (a wish; the trainer decides).
    preferred_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="SET NULL")
    )
    #: A period in the volunteer's words ("na de zomer") when no session is chosen.
    preferred_period: Mapped[str] = mapped_column(sa.String(PERIOD_MAX_LENGTH), default="")
    status: Mapped[OfferStatus] = mapped_column(
        enum_type(OfferStatus, "host_offer_status"), default=OfferStatus.OPEN
    )
    #: The session hosted (set when accepted).
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="SET NULL")
    )
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None]
    #: When `tick` sent the reminder a few days before the hosted session (once).
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    registration: Mapped[Registration] = relationship()
    session: Mapped[ProgrammeSession | None] = relationship(foreign_keys=[session_id])
    preferred_session: Mapped[ProgrammeSession | None] = relationship(
        foreign_keys=[preferred_session_id]
    )

    def __repr__(self) -> str:
        return f"<HostOffer {self.id} {self.status.value}>"

    @property
    def is_open(self) -> bool:
        return self.status is OfferStatus.OPEN

    @property
    def is_accepted(self) -> bool:
        return self.status is OfferStatus.ACCEPTED

    def too_small_for(self, seats_taken: int) -> bool:
        return self.capacity < seats_taken


class HostQuestion(Base):
    """A practical question a participant sent the host of a meeting."""

    __tablename__ = "hosting_questions"
    __table_args__ = (
        sa.CheckConstraint(f"length(body) <= {QUESTION_MAX_LENGTH}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hosting_offers.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(sa.Text)
    #: The asker agreed that the host sees their name and e-mail address and replies
    #: directly; otherwise answers go through the trainers.
    share_contact: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The mail to the host (queued in the same transaction as the question: once).
    mail_id: Mapped[int | None]

    offer: Mapped[HostOffer] = relationship()
    registration: Mapped[Registration] = relationship()
