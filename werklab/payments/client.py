"""The Stripe client, and the rule that Stripe is never called inside a transaction."""

from __future__ import annotations

import logging
import threading

import stripe
from flask import current_app

from werklab import testmode
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.translation import lazy_gettext as _l

log = logging.getLogger("werklab.payments")


#: Connect and read timeouts (seconds) and retries for calls to Stripe.
STRIPE_TIMEOUT = (5, 20)


STRIPE_RETRIES = 2


class PaymentUnavailable(DomainError):
    """Stripe could not be reached or refused the request."""

    status_code = 503


_clients: dict[tuple[str, str | None], stripe.StripeClient] = {}


_clients_lock = threading.Lock()


def online_payment_enabled() -> bool:
    """Online payment is offered only when a Stripe secret key is configured."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def stripe_client() -> stripe.StripeClient:
    """One client per key and address (its HTTP sessions are per thread)."""
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        raise PaymentUnavailable(str(_l("Online payment is not available.")))
    base = testmode.stripe_api_base() or None
    client = _clients.get((key, base))
    if client is None:
        with _clients_lock:
            client = _clients.get((key, base))
            if client is None:
                client = stripe.StripeClient(
                    key,
                    base_addresses={"api": base} if base else None,
                    max_network_retries=STRIPE_RETRIES,
                    http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT),
                )
                _clients[(key, base)] = client
    return client


def unavailable(exc: Exception) -> PaymentUnavailable:
    log.warning("Stripe request failed: %s: %s", type(exc).__name__, exc)
    return PaymentUnavailable(
        str(
            _l(
                "The payment service cannot be reached right now. Your place stays reserved "
                "for a while: please try again in a few minutes from your registration page."
            )
        )
    )


def outside_transaction() -> None:
    """End the session's transaction before talking to Stripe.

    Callers have committed their work already (that is the contract); committing here
    rather than rolling back means a forgotten commit still cannot lose anything.
    """
    db.session.commit()
