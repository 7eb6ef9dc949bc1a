"""Online payment with Stripe Checkout: the payments area's public names.

The work is done in one module per workflow: client (the Stripe client), checkout (start a
payment), fulfilment (act on a paid, failed or expired session), webhooks, refunds, events
(each Stripe event acted on once) and mails. Two rules shape them all:

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

from werklab.payments.checkout import (
    CLOCK_MARGIN,
    SESSION_ID_RE,
    STRIPE_MAX_LIFETIME,
    STRIPE_MIN_LIFETIME,
    CheckoutInfo,
    NothingToPay,
    expire_checkout,
    fetch_session,
    session_belongs_to,
    start_checkout,
)
from werklab.payments.client import (
    STRIPE_RETRIES,
    STRIPE_TIMEOUT,
    PaymentUnavailable,
    online_payment_enabled,
)
from werklab.payments.events import (
    EventRef,
)
from werklab.payments.fulfilment import (
    FAILED_INTENT_STATES,
    Effect,
    fulfil_checkout,
)
from werklab.payments.mails import (
    REASON_LABELS,
)
from werklab.payments.refunds import (
    payment_for,
    process_refunds,
    request_refund,
)
from werklab.payments.webhooks import (
    EXPIRED_EVENT,
    FAILED_EVENT,
    PAID_EVENTS,
    REFUND_EVENTS,
    InvalidWebhook,
    handle_event,
    verify_webhook,
)

__all__ = [
    "CLOCK_MARGIN",
    "CheckoutInfo",
    "EXPIRED_EVENT",
    "Effect",
    "EventRef",
    "FAILED_EVENT",
    "FAILED_INTENT_STATES",
    "InvalidWebhook",
    "NothingToPay",
    "PAID_EVENTS",
    "PaymentUnavailable",
    "REASON_LABELS",
    "REFUND_EVENTS",
    "SESSION_ID_RE",
    "STRIPE_MAX_LIFETIME",
    "STRIPE_MIN_LIFETIME",
    "STRIPE_RETRIES",
    "STRIPE_TIMEOUT",
    "expire_checkout",
    "fetch_session",
    "fulfil_checkout",
    "handle_event",
    "online_payment_enabled",
    "payment_for",
    "process_refunds",
    "request_refund",
    "session_belongs_to",
    "start_checkout",
    "verify_webhook",
]
