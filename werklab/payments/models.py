"""Online payments (Stripe Checkout), their refunds, and the Stripe events already handled.

A payment is money that Stripe has taken for a registration; it is kept for the bookkeeping
and never deleted. A refund gives it back in full: at most one per payment (the unique
constraint is what makes "exactly one refund" hold, however often a webhook is delivered).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.db import Base, enum_type, utcnow
from werklab.registration.models import Registration


class PaymentStatus(enum.Enum):
    PAID = "paid"
    REFUNDED = "refunded"  # the refund has gone through at Stripe


class RefundStatus(enum.Enum):
    PENDING = "pending"  # recorded; werklab still has to ask Stripe (after commit, or tick)
    PROCESSING = "processing"  # Stripe accepted it and is still paying it out
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # Stripe could not pay it back: the coordinator has to look at it
    CANCELED = "canceled"


class RefundReason:
    """Why money goes back (stored as a short string; these are the values werklab uses)."""

    LATE_PAYMENT = "late_payment"  # paid after the held seat was released, programme full
    NOT_SEATED = "not_seated"  # paid for a registration that no longer wanted a seat
    MISMATCH = "mismatch"  # amount or currency did not match the programme's fee
    CANCELLED = "cancelled"  # the participant cancelled before the deadline
    PROGRAMME_CANCELLED = "programme_cancelled"  # the programme did not go ahead
    EXTERNAL = "external"  # refunded in Stripe's dashboard, not by werklab


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: No cascade: a payment is a bookkeeping record and outlives what it paid for.
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"), index=True)
    #: One payment per Checkout Session: this is what makes fulfilment idempotent.
    checkout_session_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[PaymentStatus] = mapped_column(
        enum_type(PaymentStatus, "payment_status"), default=PaymentStatus.PAID
    )
    #: False when the money came in but no seat could be given for it (it is refunded).
    seated: Mapped[bool] = mapped_column(default=True)
    paid_at: Mapped[datetime] = mapped_column(default=utcnow)
    refunded_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship()
    refund: Mapped[Refund | None] = relationship(back_populates="payment", uselist=False)

    def __repr__(self) -> str:
        return f"<Payment {self.id} {self.status.value}>"


class Refund(Base):
    __tablename__ = "payment_refunds"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.Index("ix_payment_refunds_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Full refunds only, so never two for one payment.
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), unique=True)
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(50))
    status: Mapped[RefundStatus] = mapped_column(
        enum_type(RefundStatus, "refund_status"), default=RefundStatus.PENDING
    )
    #: Sent with the request, so that a retry after a lost answer never refunds twice.
    idempotency_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    #: When Stripe reported the final outcome (succeeded, failed, canceled).
    completed_at: Mapped[datetime | None]

    payment: Mapped[Payment] = relationship(back_populates="refund")

    def __repr__(self) -> str:
        return f"<Refund {self.id} {self.status.value}>"


class StripeEvent(Base):
    """A webhook event that has been handled: stored in the same transaction as its effect,
    so that a redelivery (Stripe delivers at least once) changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    #: The Checkout Session, charge or refund the event was about.
    object_id: Mapped[str | None] = mapped_column(sa.String(255))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
