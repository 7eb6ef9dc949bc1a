"""What the registration area announces, for the areas above it to act on.

Registration decides who holds a seat; invoicing, payments, groups and intake sit above it and
react to those decisions. Sending a signal keeps the dependency pointing upwards (indico's
way): registration never imports them. Receivers are connected in the higher areas'
`handlers.py` modules, which create_app imports.

Receivers run at once, inside the sender's transaction (blinker is synchronous): they write
with flush(), never commit(), and their writes commit or roll back with the registration.
Each signal has one receiver per area at most, so the order of receivers does not matter.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A registration to be paid by invoice was created, or someone who joined the waiting list
#: chose the invoice on accepting a place (then `replace=True`): `billing` (BillingDetails),
#: `now`. invoicing stores where the invoice goes.
billing_given = _signals.signal("billing-given")

#: A seat has become final (confirmed by registration or by accepting an offer, not by an
#: online payment): `now`. invoicing issues the invoice of a seat paid by invoice.
seated = _signals.signal("seated")

#: Give the money for a seat back: `reason`, `now`. A receiver returns "refund" or "credit"
#: when it did (payments for an online payment, invoicing for an invoice), else None.
money_back = _signals.signal("money-back")

#: An online payment seated the registration: `amount_cents` (what was paid, the seat's price
#: incl. VAT), `payment_reference` (the Checkout Session id), `now`. invoicing issues the
#: invoice, marked paid (every payer gets a VAT document). Sent by payments, which does not
#: know invoicing.
paid_online = _signals.signal("paid-online")

#: The online payment that seated the registration is being refunded (a cancellation, a
#: refund made in Stripe's dashboard): `reason` (a RefundReason code), `now`. invoicing
#: credits the paid invoice with a credit note. Sent by payments.
online_refunded = _signals.signal("online-refunded")

#: A confirmed registration was cancelled: `actor`, `now`. groups takes the person out of
#: their homework group.
seat_given_up = _signals.signal("seat-given-up")

#: Which e-mail domains may register for an invitation-only programme; the sender is the
#: programme id. A receiver (intake) returns a list of domains; an empty list: no limit.
allowed_domains = _signals.signal("allowed-domains")

#: The coordinator cancelled a programme (sender: the Programme; reason=, now=): the areas
#: that promised something to people outside it (the hosts of site visits) tell them.
programme_cancelled = _signals.signal("programme-cancelled")


def first_answer(results) -> object | None:
    """The first non-empty answer of the receivers of a signal, or None."""
    return next((value for _receiver, value in results if value), None)
