"""A second year of a Community of Practice: the renewal and each participant's invitation."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import Programme, Visibility
from werklab.db import Base, enum_type, utcnow
from werklab.registration.models import Registration


def new_token() -> str:
    """The secret of a personal renewal link (256 bits: unguessable)."""
    return secrets.token_urlsafe(32)


class Renewal(Base):
    """The coordinator invited the participants of `programme` to continue in
    `next_programme` until `deadline`; until then the next year is not open to the public."""

    __tablename__ = "renewals"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), unique=True
    )
    next_programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), unique=True
    )
    #: Last moment (UTC) of the personal links; after it the next year opens to everyone.
    deadline: Mapped[datetime] = mapped_column(sa.DateTime)
    #: What the next year becomes at the deadline (it is invitation-only until then).
    opens_as: Mapped[Visibility] = mapped_column(enum_type(Visibility, "renewal_opens_as"))
    opened_by: Mapped[str] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When tick mailed the reminder to who had not answered (once).
    reminded_at: Mapped[datetime | None]
    #: When the deadline was handled: unanswered invitations expired, the next year opened.
    closed_at: Mapped[datetime | None]

    programme: Mapped[Programme] = relationship(foreign_keys=[programme_id])
    next_programme: Mapped[Programme] = relationship(foreign_keys=[next_programme_id])
    invitations: Mapped[list[RenewalInvitation]] = relationship(
        back_populates="renewal", order_by="RenewalInvitation.id", cascade="all, delete-orphan"
    )

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and now <= self.deadline


class InvitationStatus(enum.Enum):
    WAITING = "waiting"  # no answer yet
    RENEWED = "renewed"  # took a seat in the next year
    DECLINED = "declined"  # does not continue
    EXPIRED = "expired"  # the deadline passed without an answer


class RenewalInvitation(Base):
    """One seated participant's personal link to continue next year."""

    __tablename__ = "renewal_invitations"
    __table_args__ = (
        sa.UniqueConstraint("renewal_id", "registration_id", name="uq_renewal_invitations_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    renewal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("renewals.id", ondelete="CASCADE"), index=True
    )
    #: This year's registration.
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    status: Mapped[InvitationStatus] = mapped_column(
        enum_type(InvitationStatus, "renewal_invitation_status"), default=InvitationStatus.WAITING
    )
    answered_at: Mapped[datetime | None]
    #: The registration in next year's programme (renewed).
    new_registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )

    renewal: Mapped[Renewal] = relationship(back_populates="invitations")
    registration: Mapped[Registration] = relationship(foreign_keys=[registration_id])
    new_registration: Mapped[Registration | None] = relationship(foreign_keys=[new_registration_id])
