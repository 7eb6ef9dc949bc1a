"""Shared steps for the payment tests: a held seat, a Checkout Session, a signed delivery."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tests.conftest import with_bodies
from tests.payments.fake_stripe import FakeStripe, signature
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import OutboxMail
from werklab.payments import services as payments
from werklab.payments.models import Payment, Refund, StripeEvent
from werklab.registration.models import PaymentMethod, Registration
from werklab.registration.models import RegistrationStatus as S

WEBHOOK_SECRET = "whsec_test_werklab_secret"


def held(factories, programme, *, now: datetime | None = None, minutes: int = 30, **kw):
    """A registration holding a seat while it pays online (what register() makes for an
    online payer): status HELD, hold_expires_at `minutes` ahead. Committed."""
    now = now or utcnow()
    registration = factories.registration(programme, now=now, **kw)
    assert registration.status is S.CONFIRMED, "the programme has no free seat"
    registration.status = S.HELD
    registration.confirmed_at = None
    registration.payment_method = PaymentMethod.ONLINE
    registration.hold_expires_at = now + timedelta(minutes=minutes)
    # The factory's confirmation mail belongs to the seat it gave; a held seat has none yet.
    for mail in db.session.execute(
        select(OutboxMail).where(OutboxMail.to_addr == registration.email)
    ).scalars():
        db.session.delete(mail)
    db.session.commit()
    return registration


def checkout(registration, *, now: datetime | None = None) -> str:
    """Start Checkout for a held registration; return the session id."""
    payments.start_checkout(registration, now=now or utcnow())
    db.session.refresh(registration)
    assert registration.checkout_session_id
    return registration.checkout_session_id


def coordinator(email: str = "coordinator@example.nl"):
    user = accounts.create_user(email, "Cora Coördinator", coordinator=True, actor="test")
    db.session.commit()
    return user


def deliver(
    client,
    payload: str,
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    header: str | None = None,
    body: bytes | None = None,
):
    """POST a webhook delivery signed with Stripe's scheme (or with `header` as given)."""
    sig = header if header is not None else signature(payload, secret, timestamp)
    headers = {"Stripe-Signature": sig} if sig else {}
    return client.post(
        "/stripe/webhook",
        data=body if body is not None else payload.encode(),
        headers=headers,
        content_type="application/json",
    )


def send_event(client, fake: FakeStripe, event_type: str, obj: dict, **kw):
    return deliver(client, fake.event(event_type, obj, event_id=kw.pop("event_id", None)), **kw)


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def mails(kind: str, to: str | None = None) -> list[OutboxMail]:
    query = select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)
    if to is not None:
        query = query.where(OutboxMail.to_addr == to)
    return with_bodies(db.session.execute(query).scalars())


def payments_of(registration: Registration) -> list[Payment]:
    return list(
        db.session.execute(
            select(Payment).where(Payment.registration_id == registration.id)
        ).scalars()
    )


def refunds() -> list[Refund]:
    return list(db.session.execute(select(Refund).order_by(Refund.id)).scalars())


def events() -> list[str]:
    return list(db.session.execute(select(StripeEvent.event_id)).scalars())


def audit_actions(prefix: str) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEntry.action).where(AuditEntry.action.startswith(prefix))
        ).scalars()
    )


def fresh(obj):
    db.session.refresh(obj)
    return obj


def old_timestamp(seconds: int) -> int:
    return int(time.time()) - seconds
