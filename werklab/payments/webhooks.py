"""Stripe's webhook: verify the signature on the raw body, then act on the event."""

from __future__ import annotations

import logging
from datetime import datetime

import stripe
from flask import current_app

from werklab.payments.checkout import fetch_session
from werklab.payments.client import outside_transaction
from werklab.payments.events import EventRef
from werklab.payments.fulfilment import apply_effect, on_expired, on_failed, on_paid
from werklab.payments.refunds import sync_refunds

log = logging.getLogger("werklab.payments")


PAID_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})


FAILED_EVENT = "checkout.session.async_payment_failed"


EXPIRED_EVENT = "checkout.session.expired"


REFUND_EVENTS = frozenset(
    {
        "charge.refunded",
        "charge.refund.updated",
        "refund.created",
        "refund.updated",
        "refund.failed",
    }
)


class InvalidWebhook(Exception):
    """The request to the webhook is not a correctly signed, recent Stripe event."""


def verify_webhook(payload: bytes, signature: str | None) -> dict:
    """Check the Stripe-Signature header against the raw body with the webhook secret (and
    the library's default tolerance of five minutes); return the event as a dict."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise InvalidWebhook("no webhook secret configured")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret).to_dict()
    except (stripe.SignatureVerificationError, ValueError, TypeError, AttributeError) as exc:
        # A bad signature, or signed JSON that is no event (a list, say).
        raise InvalidWebhook(str(exc)) from exc
    obj = (event.get("data") or {}).get("object")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise InvalidWebhook("not an event")
    if not isinstance(obj, dict):
        raise InvalidWebhook("event without an object")
    return event


def handle_event(event: dict, *, now: datetime) -> str:
    """Act on a verified event, once. Returns what happened (for the log).

    Raises PaymentUnavailable when Stripe cannot be asked and Busy when the programme
    stays locked: the webhook then answers 503 and Stripe delivers the event again.
    """
    outside_transaction()
    etype, obj = event["type"], event["data"]["object"]
    ref = EventRef(event["id"], etype, obj.get("id"))
    if etype in PAID_EVENTS or etype in (FAILED_EVENT, EXPIRED_EVENT):
        info = fetch_session(obj.get("id"), with_intent=etype == FAILED_EVENT)
        if info is None:
            return "unknown session"
        effect = on_paid if etype in PAID_EVENTS else on_failed
        if etype == EXPIRED_EVENT:
            effect = on_expired
        outcome = apply_effect(info, ref, effect, now)[0]
    elif etype in REFUND_EVENTS:
        outcome = sync_refunds(obj.get("payment_intent"), ref, now)
    else:
        outcome = "ignored"
    log.info("stripe event %s (%s): %s", event["id"], etype, outcome)
    return outcome
