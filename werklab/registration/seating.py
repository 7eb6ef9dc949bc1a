"""A seat becomes held (while paying online) or final (then invoiced and confirmed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from werklab import audit
from werklab.catalog.models import Programme
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration import signals
from werklab.registration.mails import mail_confirmation
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l

S = RegistrationStatus


def hold_seat(registration: Registration, now: datetime) -> None:
    """Hold a seat while an online payment is under way (the caller starts Checkout after
    the commit)."""
    registration.status = S.HELD
    registration.hold_expires_at = now + timedelta(minutes=current_app.config["HOLD_MINUTES"])


def on_seated(registration: Registration, now: datetime) -> None:
    """A seat is final: invoice it if paid by invoice, and send the confirmation."""
    signals.seated.send(registration, now=now)
    mail_confirmation(registration, now)


def confirm_payment(registration: Registration, *, now: datetime) -> Registration:
    """An online payment for a held seat succeeded: the seat is final.

    MUST be called with the programme row locked.
    """
    registration.status = S.CONFIRMED
    registration.confirmed_at = now
    registration.hold_expires_at = None
    audit.record("registration.paid", registration, actor="system", now=now)
    mail_confirmation(registration, now)
    db.session.flush()
    return registration


def checked_payment_method(programme: Programme, data) -> PaymentMethod:
    """Check the chosen way of paying (`data`: a RegistrationData) against the programme.

    The public form always asks online or invoice for a programme with a fee; NONE is left
    for registrations made by hand (demo data, a coordinator), where payment is arranged
    outside werklab.
    """
    if not programme.fee_cents:
        return PaymentMethod.NONE
    method = data.payment_method
    if method is PaymentMethod.NONE:
        return method
    if method is PaymentMethod.ONLINE:
        if not current_app.config.get("STRIPE_SECRET_KEY"):
            raise DomainError(str(_l("Online payment is not available; choose the invoice.")))
        return method
    if method is PaymentMethod.INVOICE:
        if data.billing is None:
            raise DomainError(str(_l("Please fill in the billing details for the invoice.")))
        return method
    raise DomainError(str(_l("Please choose how you want to pay.")))
