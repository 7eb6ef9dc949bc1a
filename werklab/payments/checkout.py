"""Start an online payment: a Stripe Checkout Session for a held seat.

Stripe is called outside any transaction: ask Stripe, then lock, change and commit.
"""

from __future__ import annotations

import calendar
import dataclasses
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import stripe
from flask_babel import force_locale

from werklab import audit
from werklab.catalog.pricing import seat_price
from werklab.db import begin_write
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.i18n import money, vat_rate
from werklab.links import external_url
from werklab.payments.client import (
    PaymentUnavailable,
    online_payment_enabled,
    outside_transaction,
    stripe_client,
    unavailable,
)
from werklab.registration import services as registration_services
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l

log = logging.getLogger("werklab.payments")


S = RegistrationStatus


#: Stripe wants a Checkout Session to live 30 minutes to 24 hours; the margin absorbs the
#: time between our clock reading and Stripe's.
STRIPE_MIN_LIFETIME = timedelta(minutes=30)


STRIPE_MAX_LIFETIME = timedelta(hours=24)


CLOCK_MARGIN = timedelta(minutes=1)


#: What a Checkout Session id looks like; anything else is not sent to Stripe at all.
SESSION_ID_RE = re.compile(r"^cs_[A-Za-z0-9_]{1,250}$")


class NothingToPay(DomainError):
    status_code = 409


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
    client = stripe_client()
    try:
        info = _session_info(client.v1.checkout.sessions.retrieve(session_id))
        if with_intent and info.payment_intent_id:
            intent = client.v1.payment_intents.retrieve(info.payment_intent_id)
            info = dataclasses.replace(info, payment_intent_status=intent.status)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return None
        raise unavailable(exc) from exc
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc
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


def hold_is_open(registration: Registration, now: datetime) -> bool:
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
    outside_transaction()
    if not hold_is_open(registration, now):
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
        session = stripe_client().v1.checkout.sessions.create(params)
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc
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
    if not hold_is_open(registration, now):
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
        stripe_client().v1.checkout.sessions.expire(session_id)
    except stripe.StripeError as exc:
        log.info("could not expire checkout session %s: %s", session_id, exc)
        return False
    return True


def session_belongs_to(registration: Registration, session_id: str | None) -> bool:
    """Tell whether `session_id` is the registration's current payment attempt."""
    current = registration.checkout_session_id
    return bool(session_id and current and hmac.compare_digest(current, session_id))
