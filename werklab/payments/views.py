"""Stripe Checkout: the webhook, the page Stripe sends the payer back to, and (re)starting
a payment from the manage link.

Without a Stripe secret key (the demo default) the pages answer 404 and the webhook 400:
nothing of online payment is reachable.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import csrf, db
from werklab.payments import services
from werklab.payments.models import RefundStatus
from werklab.registration.lookup import find_by_token

bp = Blueprint("payments", __name__)


def _load(token: str):
    if not services.online_payment_enabled():
        abort(404)
    return find_by_token(token) or abort(404)


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    """Receive an event from Stripe: check its signature on the raw body, then act once."""
    # The write transaction opened for every POST (on SQLite: the database's write lock)
    # must not stay open while we ask Stripe; the services open their own.
    db.session.rollback()
    try:
        event = services.verify_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except services.InvalidWebhook:
        abort(400)
    try:
        outcome = services.handle_event(event, now=utcnow())
    except services.PaymentUnavailable:
        # Stripe could not be asked for the session: answer so that it delivers again.
        return jsonify(received=False), 503
    return jsonify(received=True, outcome=outcome)


@bp.get("/inschrijving/<token>/betaald")
def success(token: str):
    """Where Stripe sends the payer back: confirm the payment (once) and say how it stands."""
    registration = _load(token)
    session_id = request.args.get("session_id", "")
    unreachable = False
    # Only the registration's own, current payment attempt is looked at: a forged or
    # someone else's session id fulfils nothing here.
    if services.session_belongs_to(registration, session_id):
        try:
            services.fulfil_checkout(session_id, now=utcnow())
        except services.PaymentUnavailable:
            unreachable = True
        db.session.refresh(registration)
    payment = services.payment_for(registration)
    refund = payment.refund if payment is not None else None
    return render_template(
        "payments/success.html",
        registration=registration,
        programme=registration.programme,
        payment=payment,
        refund=refund,
        refund_done=refund is not None and refund.status is RefundStatus.SUCCEEDED,
        can_pay=registration.status.value == "held"
        and registration.hold_expires_at is not None
        and registration.hold_expires_at > utcnow(),
        unreachable=unreachable,
        token=token,
    )


@bp.post("/inschrijving/<token>/betalen")
def pay(token: str):
    """Go (back) to Stripe Checkout to pay for a held place."""
    registration = _load(token)
    try:
        url = services.start_checkout(registration, now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("registration.manage", token=token))
    return redirect(url, code=303)
