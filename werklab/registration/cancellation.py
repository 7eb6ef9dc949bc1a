"""Give up a seat: cancel (money back before the deadline) or pass it to a colleague."""

from __future__ import annotations

import secrets
from datetime import datetime

from werklab import audit
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration import signals
from werklab.registration.mails import mail_confirmation, queue_registration_mail
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus
from werklab.registration.money import money_back_due
from werklab.registration.seats import lock_programme, seat_state
from werklab.registration.signup import AlreadyRegistered, RegistrationData, check_email_domain
from werklab.registration.waitlist import advance_waiting_list
from werklab.translation import lazy_gettext as _l

S = RegistrationStatus


class NotActive(DomainError):
    status_code = 409


def cancel_registration(
    registration: Registration,
    *,
    actor: str,
    now: datetime | None = None,
    money: str | None = None,
    reason: str | None = None,
) -> Registration:
    """Cancel a registration and offer a freed seat to the next person waiting.

    The money follows the policy (back before the cancellation deadline), unless a
    coordinator decides: `money` "back" (refund or credit note) or "none", with `reason`.
    """
    now = now or utcnow()
    programme = lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if not registration.is_active:
        raise NotActive(str(_l("This registration has already been cancelled or has ended.")))
    previous = registration.status
    due = money_back_due(registration, now)  # the rule the cancel pages announce
    registration.status = S.CANCELLED
    registration.cancelled_at = now
    money_back = None
    if due is not None:
        # The policy (back before the deadline), unless a coordinator decided otherwise.
        back = due if money is None else money == "back"
        if back:
            money_back = settle_payment(registration, reason="cancelled", now=now)
        elif registration.payment_method is PaymentMethod.INVOICE:
            money_back = "invoice_stands"  # the invoice stays due
        else:
            money_back = "none"
    audit.record(
        "registration.cancelled",
        registration,
        actor=actor,
        now=now,
        previous=previous.value,
        money_back=money_back,
        **({"reason": reason} if reason else {}),
    )
    queue_registration_mail(
        registration,
        "cancelled",
        _l("Your registration for %(title)s has been cancelled", title=programme.title),
        now,
        money_back=money_back,
        by_coordinator=money is not None,
        reason=reason,
    )
    if previous is S.CONFIRMED:
        signals.seat_given_up.send(registration, actor=actor, now=now)
    db.session.flush()
    advance_waiting_list(programme, now)
    return registration


def settle_payment(registration: Registration, *, reason: str, now: datetime) -> str | None:
    """Give the money back for a seat: a refund for an online payment, a credit note for an
    invoice. Returns "refund", "credit" or None (nothing was paid or invoiced)."""
    return signals.first_answer(signals.money_back.send(registration, reason=reason, now=now))


def transfer_registration(
    registration: Registration,
    colleague: RegistrationData,
    *,
    actor: str,
    now: datetime | None = None,
) -> Registration:
    """Pass a seat to a colleague (after the cancellation deadline there is no refund, but
    the seat need not go to waste), on the same rules as registering. The old manage link
    stops working; both are mailed, each in their own language."""
    now = now or utcnow()
    programme = lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if registration.status is not S.CONFIRMED:
        raise NotActive(str(_l("Only a confirmed place can be passed on.")))
    check_email_domain(programme, colleague.email)
    if not colleague.privacy_consent:
        raise DomainError(str(_l("Please agree to the privacy statement.")))
    email_normalized = colleague.email.strip().lower()
    if email_normalized == registration.email_normalized:
        raise DomainError(str(_l("Fill in the details of the colleague who takes over.")))
    if seat_state(programme.id, now, email_normalized).duplicate:
        raise AlreadyRegistered(str(_l("This colleague is already registered for this programme.")))
    old = {"name": registration.full_name, "email": registration.email}
    first_name, last_name = colleague.first_name.strip(), colleague.last_name.strip()
    queue_registration_mail(
        registration,
        "transferred_from",
        _l("Your place in %(title)s has been passed on", title=programme.title),
        now,
        colleague=f"{first_name} {last_name}",
    )
    registration.first_name, registration.last_name = first_name, last_name
    registration.email, registration.email_normalized = colleague.email.strip(), email_normalized
    registration.organisation = colleague.organisation.strip()
    registration.job_title = colleague.job_title.strip()
    registration.sector = colleague.sector
    registration.learning_question = (
        (colleague.learning_question or "").strip() or None
        if programme.kind.asks_learning_question
        else None
    )
    registration.dietary_wishes = (colleague.dietary_wishes or "").strip() or None
    registration.privacy_consent_at = now
    registration.locale = colleague.locale
    registration.manage_key = secrets.token_urlsafe(32)
    audit.record(
        "registration.transferred",
        registration,
        actor=actor,
        now=now,
        old=old,
        new={"name": registration.full_name, "email": registration.email},
    )
    db.session.flush()
    mail_confirmation(registration, now)
    return registration
