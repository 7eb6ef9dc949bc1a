"""The waiting list: offer freed seats in turn; accept or decline an offer."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from werklab import audit
from werklab.catalog.models import Programme, ProgrammeStatus
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.links import external_url
from werklab.registration import signals
from werklab.registration.lookup import manage_token
from werklab.registration.mails import queue_registration_mail
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus
from werklab.registration.seating import checked_payment_method, hold_seat, on_seated
from werklab.registration.seats import lock_programme, overdue_filter, seats_taken
from werklab.translation import lazy_gettext as _l

S = RegistrationStatus


class OfferNotOpen(DomainError):
    status_code = 409


def advance_waiting_list(programme: Programme, now: datetime) -> list[Registration]:
    """Expire overdue offers and holds, then offer free seats to the first people waiting.

    MUST be called with the programme row locked. Returns the new offers.
    """
    overdue = db.session.execute(
        select(Registration).where(Registration.programme_id == programme.id, overdue_filter(now))
    ).scalars()
    for registration in overdue:
        if registration.status is S.OFFERED:
            registration.status = S.OFFER_EXPIRED
            audit.record("registration.offer_expired", registration, actor="system", now=now)
            queue_registration_mail(
                registration,
                "offer_expired",
                _l("The place we offered you in %(title)s has expired", title=programme.title),
                now,
            )
        else:
            registration.status = S.HOLD_EXPIRED
            audit.record("registration.hold_expired", registration, actor="system", now=now)
    db.session.flush()

    free = programme.max_participants - seats_taken(programme.id, now)
    if free <= 0 or programme.status is ProgrammeStatus.COMPLETED:
        return []
    waiting = db.session.execute(
        select(Registration)
        .where(Registration.programme_id == programme.id, Registration.status == S.WAITLISTED)
        .order_by(Registration.waitlist_seq)
        .limit(free)
    ).scalars()
    hours = current_app.config["WAITLIST_OFFER_HOURS"]
    offers = []
    for registration in waiting:
        registration.status = S.OFFERED
        registration.offer_expires_at = now + timedelta(hours=hours)
        audit.record("registration.offered", registration, actor="system", now=now)
        token = manage_token(registration)
        queue_registration_mail(
            registration,
            "offer",
            _l("A place has become free in %(title)s", title=programme.title),
            now,
            accept_url=external_url("registration.offer", token=token, keuze="accept"),
            decline_url=external_url("registration.offer", token=token, keuze="decline"),
        )
        offers.append(registration)
    db.session.flush()
    return offers


def accept_offer(
    registration: Registration, *, now: datetime | None = None, payment=None
) -> Registration:
    """Take the offered seat; `payment` (a RegistrationData: its payment_method and billing)
    says how someone who joined the waiting list without choosing pays."""
    now = now or utcnow()
    programme = lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if programme.status is ProgrammeStatus.COMPLETED:
        raise OfferNotOpen(
            str(_l("This programme has been completed: registration is no longer possible."))
        )
    if not registration.has_open_offer(now):
        raise OfferNotOpen(str(_l("This offer has expired or has already been answered.")))
    if payment is not None and programme.fee_cents:
        registration.payment_method = checked_payment_method(programme, payment)
        if registration.payment_method is PaymentMethod.INVOICE:
            signals.billing_given.send(registration, billing=payment.billing, now=now, replace=True)
    registration.offer_expires_at = None
    audit.record("registration.offer_accepted", registration, actor=_actor(registration), now=now)
    if registration.payment_method is PaymentMethod.ONLINE:
        hold_seat(registration, now)  # the seat is final once paid
    else:
        registration.status = S.CONFIRMED
        registration.confirmed_at = now
        on_seated(registration, now)
    db.session.flush()
    return registration


def decline_offer(registration: Registration, *, now: datetime | None = None) -> Registration:
    """Turn down the offered seat; it goes to the next person waiting."""
    now = now or utcnow()
    programme = lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if not registration.has_open_offer(now):
        raise OfferNotOpen(str(_l("This offer has expired or has already been answered.")))
    registration.status = S.DECLINED
    registration.offer_expires_at = None
    audit.record("registration.offer_declined", registration, actor=_actor(registration), now=now)
    db.session.flush()
    advance_waiting_list(programme, now)
    return registration


def _actor(registration: Registration) -> str:
    return f"participant:{registration.id}"
