"""Invoicing's answers to what the registration area announces (registration/signals.py)."""

from __future__ import annotations

from werklab.invoicing import online, services
from werklab.registration import signals
from werklab.registration.models import PaymentMethod


@signals.billing_given.connect
def _store_billing(registration, *, billing, now, replace=False, **_):
    if replace:
        services.save_billing(registration, billing, now=now)
    else:
        services.add_billing(registration, billing, now=now)


@signals.seated.connect
def _invoice_seat(registration, *, now, **_):
    if registration.payment_method is PaymentMethod.INVOICE:
        services.invoice_registration(registration, now=now)


@signals.money_back.connect
def _credit_invoice(registration, *, reason, now, **_):
    if registration.payment_method is not PaymentMethod.INVOICE:
        return None
    return "credit" if services.credit_registration(registration, reason=reason, now=now) else None


@signals.paid_online.connect
def _invoice_online_payment(registration, *, amount_cents, payment_reference, now, **_):
    online.invoice_paid_online(
        registration, amount_cents=amount_cents, payment_reference=payment_reference, now=now
    )


@signals.online_refunded.connect
def _credit_online_payment(registration, *, reason, now, **_):
    services.credit_registration(registration, reason=reason, now=now)
