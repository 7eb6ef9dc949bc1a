"""Online payment (issue 4): the Stripe webhook, the page Stripe sends the payer back to,
and (re)starting a payment from the manage link.

The webhook is for Stripe only: without a valid Stripe-Signature everyone gets 400, signed
in or not (and it is the one route without a CSRF token). The payment pages go by the
manage link, whose token is the key, like the manage page itself. In this matrix online
payment is off (no Stripe keys, the demo default), so they do not exist: 404 for everyone.
tests/payments/test_access_online.py walks the same roles with online payment on.
"""

from tests.access import Case, everyone

CASES = [
    Case(
        "payments.webhook",
        lambda w: "/stripe/webhook",
        everyone(400),
        method="POST",
        data=lambda w: {"id": "evt_forged", "type": "checkout.session.completed"},
        note="no valid signature",
    ),
    Case(
        "payments.success",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/betaald?session_id=cs_test_x",
        everyone(404),
        note="online payment off",
    ),
    Case(
        "payments.pay",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/betalen",
        everyone(404),
        method="POST",
        data=lambda w: {},
        note="online payment off",
    ),
]
