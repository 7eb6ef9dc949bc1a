"""Payments' answers to what the registration area announces (registration/signals.py)."""

from __future__ import annotations

from werklab.payments import services
from werklab.registration import signals
from werklab.registration.models import PaymentMethod


@signals.money_back.connect
def _refund_payment(registration, *, reason, now, **_):
    if registration.payment_method is not PaymentMethod.ONLINE:
        return None
    if services.payment_for(registration) is None:
        return None
    services.request_refund(registration, reason=reason, now=now)
    return "refund"
