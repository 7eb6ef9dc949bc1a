"""Refunds of online payments: recorded in the caller's transaction, sent to Stripe after
the commit (and by `tick` when Stripe could not be reached), kept in step with Stripe.
"""

from __future__ import annotations

import logging
from datetime import datetime

import stripe
from sqlalchemy import select

from werklab import audit
from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.mail import backoff
from werklab.payments.client import (
    online_payment_enabled,
    outside_transaction,
    stripe_client,
    unavailable,
)
from werklab.payments.events import EventRef, record_event
from werklab.payments.mails import alert_coordinators
from werklab.payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from werklab.registration import signals
from werklab.registration.models import Registration

log = logging.getLogger("werklab.payments")


def payment_for(registration: Registration) -> Payment | None:
    """The (latest) online payment received for a registration."""
    return db.session.execute(
        select(Payment)
        .where(Payment.registration_id == registration.id)
        .order_by(Payment.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def new_refund(payment: Payment, reason: str, now: datetime) -> Refund:
    refund = Refund(
        payment_id=payment.id,
        amount_cents=payment.amount_cents,
        reason=reason,
        status=RefundStatus.PENDING,
        # Derived from the payment: whoever sends it, however often, Stripe refunds once.
        idempotency_key=f"werklab-refund-{payment.checkout_session_id}",
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(refund)
    db.session.flush()
    audit.record("payment.refund_requested", payment, actor="system", now=now, reason=reason)
    _credit_refunded(payment, reason, now)
    return refund


def _credit_refunded(payment: Payment, reason: str, now: datetime) -> None:
    """A refund of a payment that seated someone credits its paid invoice (a credit note,
    as for an invoice payer): invoicing does it on registration's signal."""
    if payment.seated:
        signals.online_refunded.send(payment.registration, reason=reason, now=now)


def request_refund(registration: Registration, *, reason: str, now: datetime) -> Refund | None:
    """Record that the online payment of a registration is to be refunded in full.

    For use inside the caller's transaction (a cancellation); Stripe is asked after the
    commit by process_refunds() (and by tick, should that fail). Returns the refund, the
    existing one if it was requested before, or None when nothing was paid online.
    """
    payment = payment_for(registration)
    if payment is None or payment.amount_cents <= 0:
        return None
    existing = db.session.execute(
        select(Refund).where(Refund.payment_id == payment.id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    return new_refund(payment, reason, now)


_STRIPE_REFUND_STATES = {
    "pending": RefundStatus.PROCESSING,
    "requires_action": RefundStatus.PROCESSING,
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.CANCELED,
}


def process_refunds(*, now: datetime | None = None, ids: list[int] | None = None) -> int:
    """Send pending refunds to Stripe, each with its idempotency key; return how many
    Stripe accepted.

    MUST be called outside a transaction (after the commit that recorded the refunds).
    Each refund is claimed in its own short transaction (SKIP LOCKED: several machines
    never send one twice at once) and pushed back if Stripe cannot be reached.
    """
    if not online_payment_enabled():
        return 0
    now = now or utcnow()
    outside_transaction()
    query = (
        select(Refund.id)
        .where(Refund.status == RefundStatus.PENDING, Refund.next_attempt_at <= now)
        .order_by(Refund.id)
        .limit(100)
    )
    if ids is not None:
        query = query.where(Refund.id.in_(ids))
    candidates = list(db.session.execute(query).scalars())
    db.session.rollback()
    sent = 0
    for refund_id in candidates:
        claimed = _claim_refund(refund_id, now)
        if claimed is None:
            continue
        intent, amount, key, registration_id = claimed
        error: Exception | None = None
        result = None
        try:
            result = stripe_client().v1.refunds.create(
                {
                    "payment_intent": intent,
                    "amount": amount,
                    "reason": "requested_by_customer",
                    "metadata": {
                        "werklab_refund_id": str(refund_id),
                        "registration_id": str(registration_id),
                    },
                },
                {"idempotency_key": key},
            )
        except stripe.StripeError as exc:
            error = exc
        # Refused for good (refunded in the dashboard already, say): see what Stripe has.
        existing = _stripe_refunds(intent, quiet=True) if _refused(error) else []
        begin_write(db.session)
        refund = db.session.get(Refund, refund_id, populate_existing=True, with_for_update=True)
        if result is not None:
            refund.stripe_refund_id = result.id
            refund.last_error = None
            _set_refund_state(refund, result.status, now)
            sent += 1
        else:
            log.warning("refund %s not sent (attempt %s): %s", refund_id, refund.attempts, error)
            refund.last_error = f"{type(error).__name__}: {error}"[:500]
            if existing:
                _adopt(refund.payment, existing, now)
            elif _refused(error):
                _set_refund_state(refund, "failed", now)  # the coordinator is told
        db.session.commit()
    return sent


def _refused(error: Exception | None) -> bool:
    """Stripe said no to the request itself (400, 402, 404): trying again will not help.
    Connection trouble, rate limits, a wrong key and Stripe's own errors are retried."""
    return isinstance(error, stripe.InvalidRequestError | stripe.CardError)


def _claim_refund(refund_id: int, now: datetime) -> tuple[str, int, str, int] | None:
    begin_write(db.session)
    refund = db.session.execute(
        select(Refund)
        .where(
            Refund.id == refund_id,
            Refund.status == RefundStatus.PENDING,
            Refund.next_attempt_at <= now,
        )
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if refund is None or not refund.payment.payment_intent_id:
        db.session.rollback()
        return None
    refund.attempts += 1
    # Should this process die before Stripe answers, the next try waits a little (and the
    # idempotency key makes it harmless anyway).
    refund.next_attempt_at = now + backoff(refund.attempts)
    claimed = (
        refund.payment.payment_intent_id,
        refund.amount_cents,
        refund.idempotency_key,
        refund.payment.registration_id,
    )
    db.session.commit()
    return claimed


def _set_refund_state(refund: Refund, stripe_status: str | None, now: datetime) -> None:
    """Move a refund to the state Stripe reports, only forwards."""
    new = _STRIPE_REFUND_STATES.get(stripe_status or "", RefundStatus.PROCESSING)
    old = refund.status
    allowed = {
        RefundStatus.PENDING: set(RefundStatus),
        RefundStatus.PROCESSING: {
            RefundStatus.SUCCEEDED,
            RefundStatus.FAILED,
            RefundStatus.CANCELED,
        },
        RefundStatus.SUCCEEDED: {RefundStatus.FAILED},  # a refund can still bounce
    }
    if new is old or new not in allowed.get(old, set()):
        return
    refund.status = new
    payment = refund.payment
    if new is RefundStatus.SUCCEEDED:
        refund.completed_at = now
        payment.status = PaymentStatus.REFUNDED
        payment.refunded_at = now
        audit.record("payment.refunded", payment, actor="stripe", now=now, refund=refund.id)
    elif new in (RefundStatus.FAILED, RefundStatus.CANCELED):
        refund.completed_at = now
        payment.status = PaymentStatus.PAID
        payment.refunded_at = None
        audit.record("payment.refund_failed", payment, actor="stripe", now=now, status=new.value)
        alert_coordinators(payment.registration, payment, "refund_failed", now)
    db.session.flush()


def _stripe_refunds(payment_intent_id: str | None, *, quiet: bool = False) -> list[dict]:
    if not payment_intent_id:
        return []
    try:
        listing = stripe_client().v1.refunds.list(
            {"payment_intent": payment_intent_id, "limit": 10}
        )
    except stripe.StripeError as exc:
        if quiet:
            return []
        raise unavailable(exc) from exc
    return [r.to_dict() for r in listing.data]


def _adopt(payment: Payment, stripe_refunds: list[dict], now: datetime) -> None:
    """Record Stripe's refunds of a payment on it (ours, or made in the dashboard)."""
    for data in stripe_refunds:
        refund = payment.refund
        if refund is None:
            refund = Refund(
                payment=payment,
                amount_cents=data.get("amount") or payment.amount_cents,
                reason=RefundReason.EXTERNAL,
                status=RefundStatus.PENDING,
                idempotency_key=f"stripe-{data['id']}",
                stripe_refund_id=data["id"],
                created_at=now,
                next_attempt_at=now,
            )
            db.session.add(refund)
            db.session.flush()
            _credit_refunded(payment, RefundReason.EXTERNAL, now)
        elif refund.stripe_refund_id is None:
            refund.stripe_refund_id = data["id"]
        elif refund.stripe_refund_id != data["id"]:
            log.warning("payment %s has a second refund %s at Stripe", payment.id, data["id"])
            continue
        _set_refund_state(refund, data.get("status"), now)


def sync_refunds(payment_intent_id: str | None, event: EventRef, now: datetime) -> str:
    """A refund event: fetch the payment's refunds from Stripe and record them."""
    if not isinstance(payment_intent_id, str):
        return "no payment intent"
    stripe_refunds = _stripe_refunds(payment_intent_id)
    begin_write(db.session)
    try:
        if not record_event(event, now):
            db.session.rollback()
            return "duplicate"
        payment = db.session.execute(
            select(Payment).where(Payment.payment_intent_id == payment_intent_id).with_for_update()
        ).scalar_one_or_none()
        if payment is not None:
            _adopt(payment, stripe_refunds, now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return "refunds recorded" if payment is not None else "unknown payment"
