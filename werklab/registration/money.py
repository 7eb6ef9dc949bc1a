"""What happens to the money when a registration is cancelled now: one rule, used by
cancel_registration (cancellation.py, which acts on it) and by every cancel page (which
announces it), so that a page never promises what the cancellation does not do."""

from __future__ import annotations

import enum
from datetime import datetime

from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus


class MoneyOutcome(enum.Enum):
    REFUND = "refund"  # before the deadline, paid online: the payment is refunded
    CREDIT = "credit"  # before the deadline, invoiced: a credit note cancels the invoice
    NO_REFUND = "no_refund"  # after the deadline, paid online: the fee is not refunded
    INVOICE_STANDS = "invoice_stands"  # after the deadline, invoiced: the invoice stays due
    NOTHING = "nothing"  # nothing paid or invoiced (no fee, waiting list, unpaid hold)


def money_back_due(registration: Registration, now: datetime) -> bool | None:
    """None when no money is at stake (not a confirmed seat, or no fee); else whether
    cancelling at `now` gives it back (before the programme's cancellation deadline)."""
    programme = registration.programme
    if registration.status is not RegistrationStatus.CONFIRMED or not programme.fee_cents:
        return None
    return programme.free_cancellation(now)


def money_outcome(
    registration: Registration, now: datetime, *, paid_online: bool, invoiced: bool
) -> MoneyOutcome:
    """The outcome of cancelling at `now`: `paid_online` (an online payment was received)
    and `invoiced` (an invoice not yet credited exists) are what settle_payment acts on."""
    due = money_back_due(registration, now)
    method = registration.payment_method
    online = method is PaymentMethod.ONLINE and paid_online
    invoice = method is PaymentMethod.INVOICE and invoiced
    if due is None or not (online or invoice):
        return MoneyOutcome.NOTHING
    if due:
        return MoneyOutcome.REFUND if online else MoneyOutcome.CREDIT
    return MoneyOutcome.NO_REFUND if online else MoneyOutcome.INVOICE_STANDS
