"""Booking requests (intake), quotes and their lines, municipality contacts, e-mail domains."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.db import Base, enum_type, utcnow
from werklab.invoicing.models import vat_of

#: The group size a werklab is made for; outside it the intake form explains why.
MIN_EXPECTED, MAX_EXPECTED = 10, 15


class RequestStatus(enum.Enum):
    NEW = "new"  # nieuw
    IN_PROGRESS = "in_progress"  # in behandeling
    QUOTE_SENT = "quote_sent"  # offerte verstuurd
    ACCEPTED = "accepted"  # geaccepteerd
    DECLINED = "declined"  # afgewezen
    EXPIRED = "expired"  # verlopen


class PolicyArea(enum.Enum):
    SOCIAL = "social"  # sociaal domein
    SPATIAL = "spatial"  # ruimte / Omgevingswet
    ENERGY = "energy"  # energietransitie
    PARTICIPATION = "participation"
    OTHER = "other"


class QuoteStatus(enum.Enum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"


#: Municipality contacts: the accounts that see a booking request's dashboard.
municipality_contacts = sa.Table(
    "municipality_contacts",
    Base.metadata,
    sa.Column(
        "booking_request_id",
        sa.ForeignKey("booking_requests.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class BookingRequest(Base):
    """A municipality's request for a werklab (the intake form), and what came of it."""

    __tablename__ = "booking_requests"
    __table_args__ = (sa.CheckConstraint("expected_participants >= 1", name="expected_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, "booking_request_status"), default=RequestStatus.NEW, index=True
    )
    municipality: Mapped[str] = mapped_column(sa.String(200))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_role: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    expected_participants: Mapped[int]
    #: PolicyArea values.
    policy_areas: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    policy_other: Mapped[str] = mapped_column(sa.String(200), default="")
    question: Mapped[str] = mapped_column(sa.Text)
    current_practice: Mapped[str] = mapped_column(sa.Text, default="")
    known_initiatives: Mapped[str] = mapped_column(sa.Text, default="")
    preferred_period: Mapped[str] = mapped_column(sa.String(200), default="")
    practical_wishes: Mapped[str] = mapped_column(sa.Text, default="")
    locale: Mapped[str] = mapped_column(sa.String(8), default="nl")
    #: The coordinator's notes from the intake conversation.
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: The werklab created when the quote was accepted.
    programme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme | None] = relationship()
    contacts: Mapped[list[User]] = relationship(secondary=municipality_contacts)
    quote: Mapped[Quote | None] = relationship(back_populates="booking_request", uselist=False)

    def __repr__(self) -> str:
        return f"<BookingRequest {self.id} {self.status.value}>"


class Quote(Base):
    """The offer (offerte) for a booking request: lines, VAT, valid until; one per request."""

    __tablename__ = "quotes"
    __table_args__ = (
        sa.CheckConstraint("vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name="vat_rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("booking_requests.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[QuoteStatus] = mapped_column(
        enum_type(QuoteStatus, "quote_status"), default=QuoteStatus.DRAFT
    )
    #: VAT in basis points: 2100 = 21%.
    vat_rate_bp: Mapped[int] = mapped_column(default=2100)
    #: Last day (Dutch date) on which the quote can be accepted.
    valid_until: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    #: The answer: when, by whom (as they typed it), with which purchase-order number.
    answered_at: Mapped[datetime | None]
    answered_name: Mapped[str] = mapped_column(sa.String(200), default="")
    answered_role: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The purchase-order number (inkoopordernummer).
    purchase_reference: Mapped[str] = mapped_column(sa.String(100), default="")
    #: The municipality's own reference (kenmerk); this or the order number is required.
    buyer_reference: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    #: The printed address: street, postcode and place on separate lines.
    billing_address: Mapped[str] = mapped_column(sa.String(500), default="")
    billing_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # The address in parts and the identifiers an e-invoice (UBL) to a government needs.
    billing_street: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    billing_postcode: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    billing_city: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    billing_country: Mapped[str] = mapped_column(sa.String(2), default="NL", server_default="NL")
    #: "0190" (OIN) or "0106" (KvK number), and the number.
    buyer_legal_scheme: Mapped[str] = mapped_column(sa.String(4), default="", server_default="")
    buyer_legal_id: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    buyer_peppol_id: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    #: The municipality wants the invoice as an e-invoice (UBL) too.
    e_invoice: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The terms the municipality agrees to, copied from QUOTE_TERMS when the quote is sent
    #: (a later change of the setting does not change what was offered).
    terms: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    terms_agreed_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"))

    booking_request: Mapped[BookingRequest] = relationship(back_populates="quote")
    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote", order_by="QuoteLine.position", cascade="all, delete-orphan"
    )

    @property
    def total_excl_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def vat_cents(self) -> int:
        # On the total, as on the invoice (invoicing.models.vat_groups): the same amount.
        return vat_of(self.total_excl_cents, self.vat_rate_bp)

    @property
    def total_incl_cents(self) -> int:
        return self.total_excl_cents + self.vat_cents

    def is_expired(self, today: date) -> bool:
        return today > self.valid_until

    def can_be_answered(self, today: date) -> bool:
        return self.status is QuoteStatus.SENT and not self.is_expired(today)


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    __table_args__ = (
        sa.UniqueConstraint("quote_id", "position", name="uq_quote_lines_position"),
        sa.CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quotes.id", ondelete="CASCADE"))
    position: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(300))
    #: Excluding VAT.
    amount_cents: Mapped[int]

    quote: Mapped[Quote] = relationship(back_populates="lines")


class ProgrammeEmailDomain(Base):
    """An e-mail domain allowed to register for an invitation-only programme. A programme
    without rows accepts every address that holds the invitation."""

    __tablename__ = "programme_email_domains"

    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    #: Lower-cased, without "@": "arnhem.nl".
    domain: Mapped[str] = mapped_column(sa.String(253), primary_key=True)
