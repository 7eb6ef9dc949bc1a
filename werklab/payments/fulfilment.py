"""Act on a Checkout Session (success page and webhook): the seat is final once paid.

Nothing Stripe sends is trusted as it comes: the session is fetched again, and state changes
only from the states that allow it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from werklab import audit
from werklab.catalog.models import ProgrammeStatus
from werklab.catalog.pricing import seat_price
from werklab.db import begin_write
from werklab.extensions import db
from werklab.payments.checkout import CheckoutInfo, fetch_session, hold_is_open
from werklab.payments.client import outside_transaction
from werklab.payments.events import EventRef, record_event
from werklab.payments.mails import alert_coordinators, mail_payer
from werklab.payments.models import Payment, RefundReason
from werklab.payments.refunds import new_refund, process_refunds
from werklab.registration import services as registration_services
from werklab.registration import signals
from werklab.registration.models import Registration, RegistrationStatus

S = RegistrationStatus


#: PaymentIntent states that mean an (asynchronous) payment has failed for good.
FAILED_INTENT_STATES = frozenset({"requires_payment_method", "canceled"})


#: An effect runs with the programme locked: (registration, session, now, refund ids to send).
Effect = Callable[[Registration, CheckoutInfo, datetime, list[int]], str]


def fulfil_checkout(session_id: str, *, now: datetime) -> Registration | None:
    """Act on a Checkout Session that Stripe says is paid; idempotent.

    Shared by the success page and the webhook. The session is fetched from Stripe (never
    taken from the request); only a paid session in euro, mode payment, for the programme's
    fee, whose client_reference_id names a registration with this session as its current
    payment attempt, seats anyone: a HELD registration becomes CONFIRMED (one payment row
    per session, one confirmation mail). A payment that arrives when no seat can be given
    is refunded automatically after the commit, and the coordinators are told.

    Runs its OWN transactions (Stripe is asked with none open). Returns the registration,
    or None when the session is unknown or names none of ours.
    """
    outside_transaction()
    info = fetch_session(session_id)
    if info is None:
        return None
    registration_id = apply_effect(info, None, on_paid, now)[1]
    return db.session.get(Registration, registration_id) if registration_id else None


def _registration_id(info: CheckoutInfo) -> int | None:
    ref = info.client_reference_id
    if not ref or not ref.isdigit() or info.metadata_registration_id not in (None, ref):
        return None
    return int(ref)


def apply_effect(
    info: CheckoutInfo, event: EventRef | None, effect: Effect, now: datetime
) -> tuple[str, int | None]:
    """Run `effect` in one write transaction with the programme locked and the event (if
    any) recorded; send the refunds it asks for after the commit."""
    refund_ids: list[int] = []
    registration_id = _registration_id(info)
    begin_write(db.session)
    try:
        registration = db.session.get(Registration, registration_id) if registration_id else None
        if registration is not None:
            registration_services.lock_programme(registration.programme_id)
            db.session.refresh(registration)
        if event is not None and not record_event(event, now):
            db.session.rollback()
            return "duplicate", registration_id
        if registration is None:
            outcome = "no registration"
        else:
            outcome = effect(registration, info, now, refund_ids)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if refund_ids:
        process_refunds(now=now, ids=refund_ids)
    return outcome, registration_id


def on_paid(registration: Registration, info: CheckoutInfo, now: datetime, refunds) -> str:
    if info.payment_status != "paid":
        return "not paid"
    if db.session.execute(select(Payment.id).where(Payment.checkout_session_id == info.id)).first():
        return "already handled"
    payment = Payment(
        registration_id=registration.id,
        checkout_session_id=info.id,
        payment_intent_id=info.payment_intent_id,
        amount_cents=info.amount_total or 0,
        currency=(info.currency or "")[:3],
        paid_at=now,
        seated=False,
    )
    db.session.add(payment)
    db.session.flush()
    audit.record(
        "payment.received",
        payment,
        actor="stripe",
        now=now,
        registration=registration.id,
        amount_cents=payment.amount_cents,
        session=info.id,
    )
    reason = _why_no_seat(registration, info, now)
    if reason is None:
        if registration.status is not S.CONFIRMED:
            registration_services.confirm_payment(registration, now=now)
        payment.seated = True
        db.session.flush()
        # Every payer gets a VAT document: invoicing issues an invoice, marked paid.
        signals.paid_online.send(
            registration, amount_cents=payment.amount_cents, payment_reference=info.id, now=now
        )
        return "confirmed"
    if payment.amount_cents > 0:
        refunds.append(new_refund(payment, reason, now).id)
    audit.record(
        "payment.not_seated",
        registration,
        actor="stripe",
        now=now,
        reason=reason,
        payment=payment.id,
    )
    mail_payer(registration, "not_seated", now, payment=payment, reason=reason)
    alert_coordinators(registration, payment, reason, now)
    return f"refund: {reason}"


def _why_no_seat(registration: Registration, info: CheckoutInfo, now: datetime) -> str | None:
    """None when the paid session gives (or already gave) the registration its seat;
    otherwise the reason the money goes back. MUST be called with the programme locked."""
    programme = registration.programme
    if (
        info.mode != "payment"
        or (info.currency or "").lower() != "eur"
        or programme.fee_cents is None
        or info.amount_total != seat_price(programme).incl_cents
    ):
        return RefundReason.MISMATCH
    if registration.checkout_session_id != info.id:
        return RefundReason.NOT_SEATED  # an attempt that was replaced: never seats anyone
    if registration.status is S.CONFIRMED:
        return None
    if programme.status in (ProgrammeStatus.CANCELLED, ProgrammeStatus.COMPLETED):
        return RefundReason.NOT_SEATED
    state = registration_services.seat_state
    if registration.status is S.HELD:
        # Stripe takes no money after the session (= hold) has ended, so this was paid in
        # time; only a seat given away since then (which the hold no longer counted) stops it.
        if hold_is_open(registration, now):
            return None
        if state(programme.id, now).taken < programme.max_participants:
            return None
        return RefundReason.LATE_PAYMENT
    if registration.status is S.HOLD_EXPIRED:
        # Released: the people waiting go first; a seat left after that is the late payer's.
        registration_services.advance_waiting_list(programme, now)
        seats = state(programme.id, now, registration.email_normalized)
        if seats.taken < programme.max_participants and not seats.waiting and not seats.duplicate:
            return None
        return RefundReason.LATE_PAYMENT
    return RefundReason.NOT_SEATED


def on_failed(registration: Registration, info: CheckoutInfo, now: datetime, refunds) -> str:
    if info.payment_status == "paid" or info.payment_intent_status not in FAILED_INTENT_STATES:
        return "not failed"
    return _release(registration, info, now, failed=True)


def on_expired(registration: Registration, info: CheckoutInfo, now: datetime, refunds) -> str:
    if info.status != "expired":
        return "not expired"
    return _release(registration, info, now, failed=False)


def _release(registration: Registration, info: CheckoutInfo, now: datetime, *, failed: bool) -> str:
    """Free a held seat whose payment failed or whose session expired, and offer it to the
    next person waiting. Only from HELD, and only for the current payment attempt."""
    if registration.status is not S.HELD or registration.checkout_session_id != info.id:
        return "nothing to release"
    registration.status = S.HOLD_EXPIRED
    audit.record(
        "registration.hold_released",
        registration,
        actor="stripe",
        now=now,
        reason="payment_failed" if failed else "session_expired",
        session=info.id,
    )
    if failed:
        mail_payer(registration, "payment_failed", now)
    db.session.flush()
    registration_services.advance_waiting_list(registration.programme, now)
    return "released"
