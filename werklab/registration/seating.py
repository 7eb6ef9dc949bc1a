"""A seat becomes held (while paying online) or final (then invoiced and confirmed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from werklab import audit
from werklab.extensions import db
from werklab.registration import signals
from werklab.registration.mails import mail_confirmation
from werklab.registration.models import Registration, RegistrationStatus

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
