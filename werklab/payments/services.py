"""Online payment with Stripe Checkout: start a payment, act on Stripe's events, refunds.

Two rules shape this module:

* Stripe is never called while a database transaction is open (and so never with the
  programme lock held). The operations that talk to Stripe therefore run their own short
  transactions: ask Stripe, then lock, change and commit; a refund goes out after the
  commit. These are the exceptions to "services flush, views commit" and say so.
* Nothing Stripe sends is trusted as it comes: an event only says *that* something
  happened; the Checkout Session (or the refunds) are fetched again from Stripe with our
  secret key, and state changes only from the states that allow it. Each event id is stored
  once, in the same transaction as its effect, so a redelivery changes nothing.
"""

from __future__ import annotations

import calendar
import dataclasses
import hmac
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import stripe
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from werklab import audit
from werklab.accounts.models import User
from werklab.catalog.models import ProgrammeStatus
from werklab.catalog.pricing import seat_price
from werklab.db import begin_write, utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.i18n import money, vat_rate
from werklab.invoicing.online import invoice_paid_online
from werklab.invoicing.services import credit_registration
from werklab.links import external_url
from werklab.mail import backoff, queue_mail
from werklab.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundStatus,
    StripeEvent,
)
from werklab.registration import services as registration_services
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus

log = logging.getLogger("werklab.payments")
S = RegistrationStatus

#: Stripe wants a Checkout Session to live 30 minutes to 24 hours; the margin absorbs the
#: time between our clock reading and Stripe's.
STRIPE_MIN_LIFETIME = timedelta(minutes=30)
STRIPE_MAX_LIFETIME = timedelta(hours=24)
CLOCK_MARGIN = timedelta(minutes=1)
#: Connect and read timeouts (seconds) and retries for calls to Stripe.
STRIPE_TIMEOUT = (5, 20)
STRIPE_RETRIES = 2
#: What a Checkout Session id looks like; anything else is not sent to Stripe at all.
SESSION_ID_RE = re.compile(r"^cs_[A-Za-z0-9_]{1,250}$")
#: PaymentIntent states that mean an (asynchronous) payment has failed for good.
FAILED_INTENT_STATES = frozenset({"requires_payment_method", "canceled"})

PAID_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})
FAILED_EVENT = "checkout.session.async_payment_failed"
EXPIRED_EVENT = "checkout.session.expired"
REFUND_EVENTS = frozenset(
    {
        "charge.refunded",
        "charge.refund.updated",
        "refund.created",
        "refund.updated",
        "refund.failed",
    }
)

REASON_LABELS = {
    RefundReason.LATE_PAYMENT: _l(
        "the payment came in after the held place had been released, and the programme is full"
    ),
    RefundReason.NOT_SEATED: _l(
        "the payment came in for a registration that no longer has a place "
        "(cancelled, or the programme does not go ahead)"
    ),
    RefundReason.MISMATCH: _l("the amount or currency paid does not match the programme's fee"),
    RefundReason.CANCELLED: _l("the participant cancelled before the cancellation deadline"),
    RefundReason.PROGRAMME_CANCELLED: _l("the programme does not go ahead"),
    RefundReason.EXTERNAL: _l("refunded in the Stripe dashboard"),
}


class PaymentUnavailable(DomainError):
    """Stripe could not be reached or refused the request."""

    status_code = 503


class NothingToPay(DomainError):
    status_code = 409


class InvalidWebhook(Exception):
    """The request to the webhook is not a correctly signed, recent Stripe event."""


# --- Stripe client ---------------------------------------------------------------------------

_clients: dict[tuple[str, str | None], stripe.StripeClient] = {}
_clients_lock = threading.Lock()


def online_payment_enabled() -> bool:
    """Online payment is offered only when a Stripe secret key is configured."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _client() -> stripe.StripeClient:
    """One client per key and address (its HTTP sessions are per thread)."""
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        raise PaymentUnavailable(str(_l("Online payment is not available.")))
    base = current_app.config.get("STRIPE_API_BASE") or None
    client = _clients.get((key, base))
    if client is None:
        with _clients_lock:
            client = _clients.get((key, base))
            if client is None:
                client = stripe.StripeClient(
                    key,
                    base_addresses={"api": base} if base else None,
                    max_network_retries=STRIPE_RETRIES,
                    http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT),
                )
                _clients[(key, base)] = client
    return client


def _unavailable(exc: Exception) -> PaymentUnavailable:
    log.warning("Stripe request failed: %s: %s", type(exc).__name__, exc)
    return PaymentUnavailable(
        str(
            _l(
                "The payment service cannot be reached right now. Your place stays reserved "
                "for a while: please try again in a few minutes from your registration page."
            )
        )
    )


def _outside_transaction() -> None:
    """End the session's transaction before talking to Stripe.

    Callers have committed their work already (that is the contract); committing here
    rather than rolling back means a forgotten commit still cannot lose anything.
    """
    db.session.commit()


# --- Checkout Sessions -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutInfo:
    """What werklab uses of a Checkout Session, as fetched from Stripe."""

    id: str
    status: str | None  # open, complete, expired
    payment_status: str | None  # paid, unpaid, no_payment_required
    mode: str | None
    currency: str | None
    amount_total: int | None
    client_reference_id: str | None
    metadata_registration_id: str | None
    payment_intent_id: str | None
    url: str | None
    payment_intent_status: str | None = None


def _session_info(session) -> CheckoutInfo:
    data = session.to_dict()
    intent = data.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return CheckoutInfo(
        id=data["id"],
        status=data.get("status"),
        payment_status=data.get("payment_status"),
        mode=data.get("mode"),
        currency=data.get("currency"),
        amount_total=data.get("amount_total"),
        client_reference_id=data.get("client_reference_id"),
        metadata_registration_id=(data.get("metadata") or {}).get("registration_id"),
        payment_intent_id=intent,
        url=data.get("url"),
    )


def fetch_session(session_id: str, *, with_intent: bool = False) -> CheckoutInfo | None:
    """Fetch a Checkout Session from Stripe; None if there is no such session.

    With `with_intent`, the PaymentIntent's status is fetched too. Raises PaymentUnavailable
    when Stripe cannot be asked.
    """
    if not isinstance(session_id, str) or not SESSION_ID_RE.match(session_id):
        return None
    client = _client()
    try:
        info = _session_info(client.v1.checkout.sessions.retrieve(session_id))
        if with_intent and info.payment_intent_id:
            intent = client.v1.payment_intents.retrieve(info.payment_intent_id)
            info = dataclasses.replace(info, payment_intent_status=intent.status)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return None
        raise _unavailable(exc) from exc
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return info


def _timestamp(moment: datetime) -> int:
    """A naive UTC datetime as Unix seconds, rounded up."""
    return calendar.timegm(moment.utctimetuple()) + (1 if moment.microsecond else 0)


def _checkout_expiry(hold_expires_at: datetime, now: datetime) -> datetime:
    """The hold's end, moved into the window Stripe accepts (whole seconds)."""
    low = now + STRIPE_MIN_LIFETIME + CLOCK_MARGIN
    high = now + STRIPE_MAX_LIFETIME - CLOCK_MARGIN
    expires = min(max(hold_expires_at, low), high)
    if expires.microsecond:
        expires = expires.replace(microsecond=0) + timedelta(seconds=1)
    return expires


def _success_url(token: str) -> str:
    return external_url("payments.success", token=token) + "?session_id={CHECKOUT_SESSION_ID}"


def _hold_is_open(registration: Registration, now: datetime) -> bool:
    return (
        registration.status is S.HELD
        and registration.hold_expires_at is not None
        and registration.hold_expires_at > now
    )


def _hold_over() -> NothingToPay:
    return NothingToPay(
        str(
            _l(
                "There is nothing to pay for this registration (any more): the place is "
                "already confirmed, or it is no longer being held for you."
            )
        )
    )


def start_checkout(registration: Registration, *, now: datetime) -> str:
    """Start (or resume) the online payment of a held seat; return the address to send the
    payer to.

    MUST be called after the commit that put the registration on HELD, never inside a
    transaction that holds the programme lock. It asks Stripe with no transaction open and
    then commits ITS OWN short write transaction, which stores the session id on the
    registration and, where Stripe's 30-minute minimum requires it, moves the end of the
    hold to the session's end (hold and session always end together, so Stripe takes no
    money after the seat has been released).

    An open session of this registration is reused, so a payer who comes back (or two tabs)
    never gets two payable sessions. Raises NothingToPay when the hold is over and
    PaymentUnavailable when Stripe cannot be reached (the hold stays; the person can try
    again from the manage page).
    """
    if not online_payment_enabled():
        raise PaymentUnavailable(str(_l("Online payment is not available.")))
    _outside_transaction()
    if not _hold_is_open(registration, now):
        raise _hold_over()
    registration_id = registration.id
    previous = registration.checkout_session_id
    token = registration_services.manage_token(registration)
    expires = _checkout_expiry(registration.hold_expires_at, now)
    params = _checkout_params(registration, token, expires)
    db.session.rollback()  # end the read transaction: nothing is open while Stripe answers
    if previous:
        info = fetch_session(previous)
        if info is not None and info.status == "open" and info.url:
            return info.url
        if info is not None and info.status == "complete":
            return _success_url(token).replace("{CHECKOUT_SESSION_ID}", info.id)
    try:
        session = _client().v1.checkout.sessions.create(params)
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    try:
        stored = _store_session(registration_id, session.id, previous, expires, now)
    except BaseException:
        db.session.rollback()
        expire_checkout(session.id)
        raise
    if stored is True:
        return session.url
    # The hold ended meanwhile, or another request stored its session first.
    expire_checkout(session.id)
    if stored is None:
        raise _hold_over()
    info = fetch_session(stored)
    if info is not None and info.status == "open" and info.url:
        return info.url
    raise _hold_over()


def _checkout_line_name(programme) -> str:
    """The product on the Checkout page: the title and what the amount is made of."""
    price = seat_price(programme)
    if not price.has_vat:
        return programme.title
    return str(
        _l(
            "%(title)s (%(excl)s excl. VAT + %(rate)s VAT)",
            title=programme.title,
            excl=money(price.excl_cents),
            rate=vat_rate(price.vat_rate_bp),
        )
    )


def _checkout_params(registration: Registration, token: str, expires: datetime) -> dict:
    programme = registration.programme
    with force_locale(registration.locale):
        name = _checkout_line_name(programme)
    return {
        "mode": "payment",
        "payment_method_types": ["ideal", "card"],
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "eur",
                    # The same total an invoice payer pays: the fee plus VAT.
                    "unit_amount": seat_price(programme).incl_cents,
                    "product_data": {"name": name},
                },
            }
        ],
        "client_reference_id": str(registration.id),
        "metadata": {"registration_id": str(registration.id)},
        "payment_intent_data": {"metadata": {"registration_id": str(registration.id)}},
        "customer_email": registration.email,
        "locale": registration.locale if registration.locale in ("nl", "en") else "auto",
        "expires_at": _timestamp(expires),
        "success_url": _success_url(token),
        "cancel_url": registration_services.manage_url(registration),
    }


def _store_session(
    registration_id: int, session_id: str, previous: str | None, expires: datetime, now: datetime
) -> bool | str | None:
    """Store a new session on a registration still held (own transaction, committed).

    Returns True when stored, the other session's id when another request stored one
    first, None when the hold is over.
    """
    begin_write(db.session)
    registration = db.session.get(Registration, registration_id)
    registration_services.lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if not _hold_is_open(registration, now):
        db.session.rollback()
        return None
    if registration.checkout_session_id != previous:
        current = registration.checkout_session_id
        db.session.rollback()
        return current
    registration.checkout_session_id = session_id
    registration.payment_method = PaymentMethod.ONLINE
    if expires != registration.hold_expires_at:
        registration.hold_expires_at = expires
    audit.record(
        "payment.checkout_started",
        registration,
        actor="system",
        now=now,
        session=session_id,
        expires_at=expires.isoformat(),
    )
    db.session.commit()
    return True


def expire_checkout(session_id: str | None) -> bool:
    """Expire an open Checkout Session at Stripe (best effort), so it can no longer be paid.

    For after the commit that ends a hold some other way (the person cancelled). A payment
    that slips through anyway is refunded by fulfil_checkout.
    """
    if not session_id or not online_payment_enabled():
        return False
    try:
        _client().v1.checkout.sessions.expire(session_id)
    except stripe.StripeError as exc:
        log.info("could not expire checkout session %s: %s", session_id, exc)
        return False
    return True


def session_belongs_to(registration: Registration, session_id: str | None) -> bool:
    """Tell whether `session_id` is the registration's current payment attempt."""
    current = registration.checkout_session_id
    return bool(session_id and current and hmac.compare_digest(current, session_id))


# --- acting on a session (success page and webhook) -----------------------------------------


@dataclass(frozen=True)
class EventRef:
    event_id: str
    type: str
    object_id: str | None


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
    _outside_transaction()
    info = fetch_session(session_id)
    if info is None:
        return None
    registration_id = _apply(info, None, _on_paid, now)[1]
    return db.session.get(Registration, registration_id) if registration_id else None


def _registration_id(info: CheckoutInfo) -> int | None:
    ref = info.client_reference_id
    if not ref or not ref.isdigit() or info.metadata_registration_id not in (None, ref):
        return None
    return int(ref)


def _apply(
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
        if event is not None and not _record_event(event, now):
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


def _record_event(event: EventRef, now: datetime) -> bool:
    """Store the event id; False if it was stored before (then nothing may happen again)."""
    try:
        with db.session.begin_nested():
            db.session.add(
                StripeEvent(
                    event_id=event.event_id,
                    type=event.type,
                    object_id=event.object_id,
                    received_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def _on_paid(registration: Registration, info: CheckoutInfo, now: datetime, refunds) -> str:
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
        # Every payer gets a VAT document: an invoice, marked paid.
        invoice_paid_online(
            registration, amount_cents=payment.amount_cents, payment_reference=info.id, now=now
        )
        return "confirmed"
    if payment.amount_cents > 0:
        refunds.append(_new_refund(payment, reason, now).id)
    audit.record(
        "payment.not_seated",
        registration,
        actor="stripe",
        now=now,
        reason=reason,
        payment=payment.id,
    )
    _mail_payer(registration, "not_seated", now, payment=payment, reason=reason)
    _alert_coordinators(registration, payment, reason, now)
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
        if _hold_is_open(registration, now):
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


def _on_failed(registration: Registration, info: CheckoutInfo, now: datetime, refunds) -> str:
    if info.payment_status == "paid" or info.payment_intent_status not in FAILED_INTENT_STATES:
        return "not failed"
    return _release(registration, info, now, failed=True)


def _on_expired(registration: Registration, info: CheckoutInfo, now: datetime, refunds) -> str:
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
        _mail_payer(registration, "payment_failed", now)
    db.session.flush()
    registration_services.advance_waiting_list(registration.programme, now)
    return "released"


# --- webhook ---------------------------------------------------------------------------------


def verify_webhook(payload: bytes, signature: str | None) -> dict:
    """Check the Stripe-Signature header against the raw body with the webhook secret (and
    the library's default tolerance of five minutes); return the event as a dict."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise InvalidWebhook("no webhook secret configured")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret).to_dict()
    except (stripe.SignatureVerificationError, ValueError, TypeError, AttributeError) as exc:
        # A bad signature, or signed JSON that is no event (a list, say).
        raise InvalidWebhook(str(exc)) from exc
    obj = (event.get("data") or {}).get("object")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise InvalidWebhook("not an event")
    if not isinstance(obj, dict):
        raise InvalidWebhook("event without an object")
    return event


def handle_event(event: dict, *, now: datetime) -> str:
    """Act on a verified event, once. Returns what happened (for the log).

    Raises PaymentUnavailable when Stripe cannot be asked and Busy when the programme
    stays locked: the webhook then answers 503 and Stripe delivers the event again.
    """
    _outside_transaction()
    etype, obj = event["type"], event["data"]["object"]
    ref = EventRef(event["id"], etype, obj.get("id"))
    if etype in PAID_EVENTS or etype in (FAILED_EVENT, EXPIRED_EVENT):
        info = fetch_session(obj.get("id"), with_intent=etype == FAILED_EVENT)
        if info is None:
            return "unknown session"
        effect = _on_paid if etype in PAID_EVENTS else _on_failed
        if etype == EXPIRED_EVENT:
            effect = _on_expired
        outcome = _apply(info, ref, effect, now)[0]
    elif etype in REFUND_EVENTS:
        outcome = _sync_refunds(obj.get("payment_intent"), ref, now)
    else:
        outcome = "ignored"
    log.info("stripe event %s (%s): %s", event["id"], etype, outcome)
    return outcome


# --- refunds ---------------------------------------------------------------------------------


def payment_for(registration: Registration) -> Payment | None:
    """The (latest) online payment received for a registration."""
    return db.session.execute(
        select(Payment)
        .where(Payment.registration_id == registration.id)
        .order_by(Payment.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _new_refund(payment: Payment, reason: str, now: datetime) -> Refund:
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
    as for an invoice payer)."""
    if payment.seated:
        credit_registration(payment.registration, reason=reason, now=now)


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
    return _new_refund(payment, reason, now)


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
    _outside_transaction()
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
            result = _client().v1.refunds.create(
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
        _alert_coordinators(payment.registration, payment, "refund_failed", now)
    db.session.flush()


def _stripe_refunds(payment_intent_id: str | None, *, quiet: bool = False) -> list[dict]:
    if not payment_intent_id:
        return []
    try:
        listing = _client().v1.refunds.list({"payment_intent": payment_intent_id, "limit": 10})
    except stripe.StripeError as exc:
        if quiet:
            return []
        raise _unavailable(exc) from exc
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


def _sync_refunds(payment_intent_id: str | None, event: EventRef, now: datetime) -> str:
    """A refund event: fetch the payment's refunds from Stripe and record them."""
    if not isinstance(payment_intent_id, str):
        return "no payment intent"
    stripe_refunds = _stripe_refunds(payment_intent_id)
    begin_write(db.session)
    try:
        if not _record_event(event, now):
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


# --- mails -----------------------------------------------------------------------------------


def _mail_payer(registration: Registration, template: str, now: datetime, **context) -> None:
    programme = registration.programme
    subjects = {
        "not_seated": _l("We are refunding your payment for %(title)s", title=programme.title),
        "payment_failed": _l(
            "Your payment for %(title)s did not go through", title=programme.title
        ),
    }
    queue_mail(
        registration.email,
        subjects[template],
        f"payments/{template}",
        to_name=registration.full_name,
        locale=registration.locale,
        kind=f"payments.{template}",
        now=now,
        registration=registration,
        programme=programme,
        manage_url=registration_services.manage_url(registration),
        programme_url=external_url(
            "catalog.programme", slug=programme.slug, uitnodiging=programme.invitation_token
        ),
        **context,
    )


def _alert_coordinators(
    registration: Registration, payment: Payment, reason: str, now: datetime
) -> None:
    """Tell every active coordinator about money that needs a look (or was sent back)."""
    programme = registration.programme
    coordinators = db.session.execute(
        select(User).where(User.is_coordinator.is_(True), User.active.is_(True))
    ).scalars()
    for user in coordinators:
        queue_mail(
            user.email,
            _l(
                "Payment refunded automatically: %(name)s, %(title)s",
                name=registration.full_name,
                title=programme.title,
            )
            if reason != "refund_failed"
            else _l(
                "A refund did not go through: %(name)s, %(title)s",
                name=registration.full_name,
                title=programme.title,
            ),
            "payments/coordinator_alert",
            to_name=user.name,
            kind="payments.coordinator_alert",
            now=now,
            user=user,
            registration=registration,
            programme=programme,
            payment=payment,
            reason=reason,
            reason_label=REASON_LABELS.get(reason),
            programme_url=external_url("manage.programme", programme_id=programme.id),
        )
