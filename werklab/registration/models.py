"""Registrations and the waiting list."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import Programme
from werklab.db import Base, enum_type, utcnow
from werklab.translation import lazy_gettext as _l


class RegistrationStatus(enum.Enum):
    CONFIRMED = "confirmed"  # has a seat
    HELD = "held"  # seat held while an online payment is under way
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed seat is offered, until offer_expires_at
    CANCELLED = "cancelled"
    DECLINED = "declined"  # turned down a waiting-list offer
    OFFER_EXPIRED = "offer_expired"
    HOLD_EXPIRED = "hold_expired"


#: Statuses in which a person still takes part (or waits to): one per e-mail per programme.
ACTIVE_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.HELD,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.OFFERED,
)
_ACTIVE_SQL = "status IN ('confirmed', 'held', 'waitlisted', 'offered')"


def active_status_clause() -> sa.TextClause:
    """`status IN (...active...)` written exactly as the partial unique index on (programme,
    e-mail) states it. A query that looks for a person's active registration with this
    condition lets SQLite use that index; with the statuses as bind parameters SQLite cannot
    tell the query matches the index, and walks every waiting registration of the programme
    instead (0.5 ms with a waiting list of 3,000)."""
    return sa.text("registrations." + _ACTIVE_SQL)


class PaymentMethod(enum.Enum):
    NONE = "none"  # no fee (a werklab is paid by the municipality)
    ONLINE = "online"  # Stripe Checkout (iDEAL, card)
    INVOICE = "invoice"  # an invoice to the employer


class Sector(enum.Enum):
    GOVERNMENT = "government"
    CIVIL_SOCIETY = "civil_society"
    BUSINESS = "business"
    RESIDENT = "resident"
    OTHER = "other"


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per person (e-mail) per programme.
        sa.Index(
            "uq_registrations_active_email",
            "programme_id",
            "email_normalized",
            unique=True,
            sqlite_where=sa.text(_ACTIVE_SQL),
            postgresql_where=sa.text(_ACTIVE_SQL),
        ),
        # Waiting-list numbers are handed out under the programme lock; never twice.
        sa.UniqueConstraint("programme_id", "waitlist_seq", name="uq_registrations_waitlist_seq"),
        # Seats taken and the waiting list by status; with waitlist_seq the waiting-list
        # position is counted in the index alone.
        sa.Index("ix_registrations_programme_status_seq", "programme_id", "status", "waitlist_seq"),
        # "My programmes", sign-in links and "my data" find a person's registrations by e-mail.
        sa.Index("ix_registrations_email_normalized", "email_normalized"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus, "registration_status")
    )
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254))
    #: Lower-cased e-mail, for the one-registration-per-person rule.
    email_normalized: Mapped[str] = mapped_column(sa.String(254))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[Sector] = mapped_column(enum_type(Sector, "sector"))
    job_title: Mapped[str] = mapped_column(sa.String(200))
    learning_question: Mapped[str | None] = mapped_column(sa.Text)
    #: Deleted once the programme has ended (AVG).
    dietary_wishes: Mapped[str | None] = mapped_column(sa.String(500))
    privacy_consent_at: Mapped[datetime]
    #: When the person agreed that the members of their homework group see their e-mail
    #: address (None: not shown). Given at registration or later under "Mijn traject".
    share_email_at: Mapped[datetime | None]
    #: Language the person used; their mails are written in it.
    locale: Mapped[str] = mapped_column(sa.String(8), default="nl")
    #: Random secret behind the signed manage link.
    manage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Order on the waiting list (ascending; the visible position is the rank).
    waitlist_seq: Mapped[int | None]
    offer_expires_at: Mapped[datetime | None]
    #: An online payment holds the seat until then (the Checkout Session expires with it).
    hold_expires_at: Mapped[datetime | None]
    payment_method: Mapped[PaymentMethod] = mapped_column(
        enum_type(PaymentMethod, "payment_method"), default=PaymentMethod.NONE
    )
    #: The Stripe Checkout Session of the current online payment attempt.
    checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    #: Set when the person had their data erased (AVG): names and contact details are gone,
    #: what remains only counts a seat (see werklab/participant/erasure.py).
    erased_at: Mapped[datetime | None]

    programme: Mapped[Programme] = relationship()

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status.value}>"

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return str(_l("Erased participant"))
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_seated(self) -> bool:
        return self.status is RegistrationStatus.CONFIRMED

    def has_open_offer(self, now: datetime) -> bool:
        return (
            self.status is RegistrationStatus.OFFERED
            and self.offer_expires_at is not None
            and self.offer_expires_at > now
        )

    def can_cancel(self) -> bool:
        return self.is_active
