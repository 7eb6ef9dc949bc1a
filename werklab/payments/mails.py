"""Mails to the payer and alerts to the coordinators about payments and refunds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from werklab.accounts.models import User
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.payments.models import Payment, RefundReason
from werklab.registration import services as registration_services
from werklab.registration.models import Registration
from werklab.translation import lazy_gettext as _l

REASON_LABELS = {
    RefundReason.LATE_PAYMENT: _l(
        "the payment came in after the held place had been released, and the programme is full"
    ),
    RefundReason.NOT_SEATED: _l(
        "the payment came in for a registration that no longer has a place "
        "(cancelled, or the programme does not go ahead)"
    ),
    RefundReason.MISMATCH: _l("the amount or currency paid does not match the programme's fee"),
    RefundReason.CANCELLED: _l("the participant cancelled before the cancellation deadline"),
    RefundReason.PROGRAMME_CANCELLED: _l("the programme does not go ahead"),
    RefundReason.EXTERNAL: _l("refunded in the Stripe dashboard"),
}


def mail_payer(registration: Registration, template: str, now: datetime, **context) -> None:
    programme = registration.programme
    subjects = {
        "not_seated": _l("We are refunding your payment for %(title)s", title=programme.title),
        "payment_failed": _l(
            "Your payment for %(title)s did not go through", title=programme.title
        ),
    }
    queue_mail(
        registration.email,
        subjects[template],
        f"payments/{template}",
        to_name=registration.full_name,
        locale=registration.locale,
        kind=f"payments.{template}",
        now=now,
        registration=registration,
        programme=programme,
        manage_url=registration_services.manage_url(registration),
        programme_url=external_url(
            "catalog.programme", slug=programme.slug, uitnodiging=programme.invitation_token
        ),
        **context,
    )


def alert_coordinators(
    registration: Registration, payment: Payment, reason: str, now: datetime
) -> None:
    """Tell every active coordinator about money that needs a look (or was sent back)."""
    programme = registration.programme
    coordinators = db.session.execute(
        select(User).where(User.is_coordinator.is_(True), User.active.is_(True))
    ).scalars()
    for user in coordinators:
        queue_mail(
            user.email,
            _l(
                "Payment refunded automatically: %(name)s, %(title)s",
                name=registration.full_name,
                title=programme.title,
            )
            if reason != "refund_failed"
            else _l(
                "A refund did not go through: %(name)s, %(title)s",
                name=registration.full_name,
                title=programme.title,
            ),
            "payments/coordinator_alert",
            to_name=user.name,
            kind="payments.coordinator_alert",
            now=now,
            user=user,
            registration=registration,
            programme=programme,
            payment=payment,
            reason=reason,
            reason_label=REASON_LABELS.get(reason),
            programme_url=external_url("manage.programme", programme_id=programme.id),
        )
