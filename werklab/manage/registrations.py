"""Registrations in the coordinator's hands: the list of a programme's people with their
payment, invoice and attendance, and what a coordinator does for someone (a sign-up by
phone, a correction, a cancellation on their behalf, the waiting list, a resent mail, a
bank transfer that arrived).

Seats, the waiting list, cancellation and money go through the registration, payments and
invoicing services: the cap, the lock and the policy are theirs; this module adds the
coordinator's choices, the audit rows that say who decided, and the mails that tell the
person what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from werklab import audit
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.catalog.models import Programme, ProgrammeSession
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.invoicing import services as invoicing
from werklab.invoicing.models import DocumentKind, Invoice, InvoiceStatus
from werklab.mail import queue_mail
from werklab.payments import services as payments
from werklab.payments.models import Payment
from werklab.registration import services as registration_services
from werklab.registration.models import (
    PaymentMethod,
    Registration,
    RegistrationStatus,
    Sector,
    active_status_clause,
)
from werklab.registration.signup import RegistrationData
from werklab.translation import lazy_gettext as _l

S = RegistrationStatus

#: What may happen to the money when a coordinator cancels for someone.
MONEY_BACK = "back"
MONEY_NONE = "none"


class ManageError(DomainError):
    status_code = 409


# --- the list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    registration: Registration
    position: int | None  # place on the waiting list
    invoice: Invoice | None
    payment: Payment | None
    present: int  # sessions attended so far
    recorded: int  # sessions with attendance taken for this person


@dataclass(frozen=True)
class RegistrationList:
    participants: list[Row]  # confirmed, held for payment, offered a seat
    waiting: list[Row]  # in order
    ended: list[Row]  # cancelled, declined, expired
    search: str
    sessions_held: int


def registration_list(programme: Programme, *, search: str = "", now: datetime) -> RegistrationList:
    """Everyone who registered for the programme, with payment, invoice and attendance so
    far, optionally only those whose name, e-mail or organisation contains `search`.
    A fixed number of queries, however many people registered."""
    search = " ".join((search or "").split())[:100]
    R = Registration
    query = select(R).where(R.programme_id == programme.id)
    if search:
        needle = f"%{search.lower()}%"
        query = query.where(
            or_(
                func.lower(R.first_name + " " + R.last_name).like(needle),
                R.email_normalized.like(needle),
                func.lower(R.organisation).like(needle),
            )
        )
    registrations = list(db.session.execute(query.order_by(R.id)).scalars())
    ids = [r.id for r in registrations]
    invoices = _latest_by_registration(Invoice, ids, Invoice.kind == DocumentKind.INVOICE)
    paid = _latest_by_registration(Payment, ids)
    attendance = _attendance(ids)
    # Waiting-list positions count everyone waiting, also those the search leaves out.
    waiting_seqs = list(
        db.session.execute(
            select(R.waitlist_seq)
            .where(R.programme_id == programme.id, R.status == S.WAITLISTED)
            .order_by(R.waitlist_seq)
        ).scalars()
    )
    rank = {seq: i + 1 for i, seq in enumerate(waiting_seqs)}
    participants, waiting, ended = [], [], []
    for r in registrations:
        present, recorded = attendance.get(r.id, (0, 0))
        row = Row(
            r, rank.get(r.waitlist_seq), invoices.get(r.id), paid.get(r.id), present, recorded
        )
        if r.status is S.WAITLISTED:
            waiting.append(row)
        elif r.is_active:
            participants.append(row)
        else:
            ended.append(row)
    participants.sort(key=lambda row: _name_key(row.registration))
    waiting.sort(key=lambda row: row.position or 0)
    ended.sort(key=lambda row: row.registration.cancelled_at or row.registration.created_at)
    held = db.session.execute(
        select(func.count())
        .select_from(ProgrammeSession)
        .where(ProgrammeSession.programme_id == programme.id, ProgrammeSession.starts_at <= now)
    ).scalar_one()
    return RegistrationList(participants, waiting, ended, search, held)


def _name_key(r: Registration):
    return (r.last_name.lower(), r.first_name.lower(), r.id)


def _latest_by_registration(model, ids: list[int], *conditions) -> dict:
    if not ids:
        return {}
    rows = db.session.execute(
        select(model).where(model.registration_id.in_(ids), *conditions).order_by(model.id)
    ).scalars()
    return {row.registration_id: row for row in rows}  # the latest wins


def _attendance(ids: list[int]) -> dict[int, tuple[int, int]]:
    if not ids:
        return {}
    present = func.sum(func.cast(AttendanceRecord.status == AttendanceStatus.PRESENT, db.Integer))
    rows = db.session.execute(
        select(AttendanceRecord.registration_id, present, func.count())
        .where(AttendanceRecord.registration_id.in_(ids))
        .group_by(AttendanceRecord.registration_id)
    )
    return {rid: (int(p or 0), n) for rid, p, n in rows}


def load_registration(registration_id: int) -> Registration | None:
    return db.session.get(Registration, registration_id)


# --- add by hand ---------------------------------------------------------------------------


def add_registration(
    programme_id: int,
    data: RegistrationData,
    *,
    place: str,
    actor: str,
    now: datetime | None = None,
) -> Registration:
    """Register someone who signed up by phone or e-mail: on a free seat ("seat") or on the
    waiting list ("waitlist"), under the same programme lock and cap as the public form.
    The person gets the same confirmation (or waiting-list) mail as when registering
    themselves, with their manage link."""
    if place not in ("seat", "waitlist"):
        raise ValidationError(str(_l("Choose a seat or the waiting list.")))
    return registration_services.register(
        programme_id, data, actor=actor, place=place, now=now or utcnow()
    )


# --- edit details --------------------------------------------------------------------------


@dataclass(frozen=True)
class DetailsData:
    first_name: str
    last_name: str
    email: str
    organisation: str
    sector: Sector
    job_title: str
    dietary_wishes: str | None
    learning_question: str | None
    locale: str
    share_email: bool


#: The fields a coordinator can correct, as the audit row names them.
_EDITABLE = (
    "first_name",
    "last_name",
    "email",
    "organisation",
    "sector",
    "job_title",
    "dietary_wishes",
    "learning_question",
    "locale",
)


def edit_details(
    registration: Registration, data: DetailsData, *, actor: str, now: datetime | None = None
) -> list[str]:
    """Correct a participant's details; the person is mailed what changed (at the new
    address, and at the old one when the address changed). Returns the fields changed."""
    now = now or utcnow()
    if registration.erased_at is not None:
        raise ManageError(str(_l("This person's data has been erased.")))
    values = {
        "first_name": data.first_name.strip(),
        "last_name": data.last_name.strip(),
        "email": data.email.strip(),
        "organisation": data.organisation.strip(),
        "sector": data.sector,
        "job_title": data.job_title.strip(),
        "dietary_wishes": (data.dietary_wishes or "").strip() or None,
        "learning_question": (data.learning_question or "").strip() or None
        if registration.programme.kind.asks_learning_question
        else registration.learning_question,
        "locale": data.locale if data.locale in ("nl", "en") else registration.locale,
    }
    changed = [name for name in _EDITABLE if getattr(registration, name) != values[name]]
    old_email = registration.email
    email_normalized = values["email"].lower()
    if "email" in changed and registration.is_active:
        duplicate = db.session.execute(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.programme_id == registration.programme_id,
                Registration.email_normalized == email_normalized,
                Registration.id != registration.id,
                active_status_clause(),
            )
        ).scalar_one()
        if duplicate:
            raise ManageError(
                str(_l("Someone else is already registered for this programme with that address."))
            )
    if data.share_email != (registration.share_email_at is not None):
        changed.append("share_email")
        registration.share_email_at = now if data.share_email else None
    if not changed:
        return []
    for name in _EDITABLE:
        setattr(registration, name, values[name])
    registration.email_normalized = email_normalized
    db.session.flush()
    audit.record("registration.edited", registration, actor=actor, now=now, fields=changed)
    addresses = [registration.email]
    if "email" in changed:
        addresses.append(old_email)
    for address in addresses:
        _mail(
            registration,
            "details_changed",
            _l("Your details for %(title)s have been changed", title=registration.programme.title),
            now,
            to=address,
            fields=[str(FIELD_LABELS[name]) for name in changed],
        )
    return changed


FIELD_LABELS = {
    "first_name": _l("first name"),
    "last_name": _l("last name"),
    "email": _l("e-mail address"),
    "organisation": _l("organisation"),
    "sector": _l("sector"),
    "job_title": _l("job title"),
    "dietary_wishes": _l("dietary wishes"),
    "learning_question": _l("learning question"),
    "locale": _l("language of the e-mails"),
    "share_email": _l("showing your e-mail address to your homework group"),
}


# --- cancel on someone's behalf ------------------------------------------------------------


@dataclass(frozen=True)
class MoneyChoice:
    """What a cancellation can do with the money, and what the policy says."""

    options: tuple[str, ...]  # MONEY_BACK and/or MONEY_NONE
    back_means: str | None  # "refund" (paid online) or "credit" (invoice), None: nothing paid
    policy: str  # the option the cancellation policy gives


def money_choice(registration: Registration, now: datetime) -> MoneyChoice:
    """The choices for the money when cancelling this registration: a refund of an online
    payment or a credit note for an invoice, or nothing back. The policy's answer
    (back before the cancellation deadline) is the default."""
    programme = registration.programme
    back_means = None
    if registration.status is S.CONFIRMED and programme.fee_cents:
        if registration.payment_method is PaymentMethod.ONLINE:
            payment = payments.payment_for(registration)
            if payment is not None and payment.refund is None:
                back_means = "refund"
        elif registration.payment_method is PaymentMethod.INVOICE:
            invoice = invoicing.invoice_for(registration)
            if invoice is not None and invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.PAID):
                back_means = "credit"
    if back_means is None:
        return MoneyChoice((MONEY_NONE,), None, MONEY_NONE)
    policy = MONEY_BACK if programme.free_cancellation(now) else MONEY_NONE
    return MoneyChoice((MONEY_BACK, MONEY_NONE), back_means, policy)


def cancel_for(
    registration: Registration,
    *,
    money: str,
    reason: str,
    actor: str,
    now: datetime | None = None,
) -> Registration:
    """Cancel a registration on the person's behalf, with the coordinator's choice for the
    money (a refund or credit note, or nothing) and the reason; the freed seat is offered to
    the next person waiting. Refunds go to Stripe after the commit (process_refunds)."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(str(_l("Please give the reason for the cancellation.")))
    if len(reason) > 500:
        raise ValidationError(str(_l("The reason can be at most 500 characters.")))
    if not registration.is_active:
        raise ManageError(str(_l("This registration has already been cancelled or has ended.")))
    choice = money_choice(registration, now)
    if money not in choice.options:
        raise ValidationError(str(_l("Choose what happens to the money.")))
    return registration_services.cancel_registration(
        registration, actor=actor, now=now, money=money, reason=reason
    )


# --- the waiting list ----------------------------------------------------------------------


def offer_free_seats(programme_id: int, *, actor: str, now: datetime | None = None) -> list:
    """Offer the seats that are free now to the first people waiting (each gets the offer
    mail with accept and decline links), instead of waiting for the next tick."""
    now = now or utcnow()
    programme = registration_services.lock_programme(programme_id)
    if programme is None:
        raise ManageError(str(_l("This programme does not exist.")))
    offers = registration_services.advance_waiting_list(programme, now)
    if not offers:
        raise ManageError(
            str(_l("There is no free seat, or nobody is waiting: no offer has been made."))
        )
    audit.record(
        "waiting_list.offered",
        programme,
        actor=actor,
        now=now,
        registrations=[r.id for r in offers],
    )
    return offers


def move_to_front(
    registration: Registration, *, reason: str, actor: str, now: datetime | None = None
) -> int:
    """Put someone at the front of the waiting list (for a reason that is recorded); they
    are mailed their new place. Returns that place (1)."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(str(_l("Please give the reason for moving this person up.")))
    if len(reason) > 500:
        raise ValidationError(str(_l("The reason can be at most 500 characters.")))
    registration_services.lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if registration.status is not S.WAITLISTED:
        raise ManageError(str(_l("This person is not on the waiting list (any more).")))
    before = registration_services.waitlist_position(registration)
    if before == 1:
        raise ManageError(str(_l("This person is already first on the waiting list.")))
    first = db.session.execute(
        select(func.min(Registration.waitlist_seq)).where(
            Registration.programme_id == registration.programme_id,
            Registration.status == S.WAITLISTED,
        )
    ).scalar_one()
    registration.waitlist_seq = first - 1
    db.session.flush()
    audit.record(
        "registration.moved_up",
        registration,
        actor=actor,
        now=now,
        reason=reason,
        before=before,
        after=1,
    )
    _mail(
        registration,
        "moved_up",
        _l(
            "You are now first on the waiting list for %(title)s",
            title=registration.programme.title,
        ),
        now,
    )
    return 1


# --- resend, and a bank transfer that arrived ----------------------------------------------


def resend_confirmation(
    registration: Registration, *, actor: str, now: datetime | None = None
) -> None:
    """Send the confirmation of a seat (with the calendar file) again."""
    now = now or utcnow()
    if registration.status is not S.CONFIRMED:
        raise ManageError(str(_l("Only a confirmed place has a confirmation to send again.")))
    registration_services.send_confirmation(registration, now)
    audit.record("registration.confirmation_resent", registration, actor=actor, now=now)


def resend_manage_link(
    registration: Registration, *, actor: str, now: datetime | None = None
) -> None:
    """Send the person the link to view, pay or cancel their registration again."""
    now = now or utcnow()
    if registration.erased_at is not None:
        raise ManageError(str(_l("This person's data has been erased.")))
    _mail(
        registration,
        "manage_link",
        _l("Your registration for %(title)s", title=registration.programme.title),
        now,
    )
    audit.record("registration.manage_link_resent", registration, actor=actor, now=now)


def mark_invoice_paid(
    registration: Registration,
    *,
    paid_on: date | None,
    actor: str,
    now: datetime | None = None,
) -> Invoice:
    """Record that the bank transfer for the registration's invoice has arrived, and tell
    the person (and the invoice address, when it is another one)."""
    now = now or utcnow()
    invoice = invoicing.invoice_for(registration)
    if invoice is None:
        raise ManageError(str(_l("This registration has no invoice.")))
    invoicing.mark_paid(invoice, actor=actor, now=now, paid_on=paid_on)
    addresses = [registration.email]
    if invoice.buyer_email.strip().lower() != registration.email_normalized:
        addresses.append(invoice.buyer_email)
    for address in addresses:
        _mail(
            registration,
            "invoice_paid",
            _l("Payment received: invoice %(number)s", number=invoice.number),
            now,
            to=address,
            number=invoice.number,
            amount_cents=invoice.total_incl_cents,
            paid_on=invoice.paid_on,
        )
    return invoice


# --- mails ---------------------------------------------------------------------------------


def _mail(registration: Registration, template: str, subject, now: datetime, *, to=None, **ctx):
    """A mail about what a coordinator did with a registration (mail/manage/<template>)."""
    queue_mail(
        to or registration.email,
        subject,
        f"manage/{template}",
        to_name=registration.full_name,
        locale=registration.locale,
        kind=f"manage.{template}",
        now=now,
        first_name=registration.first_name,
        programme=registration.programme,
        registration=registration,
        manage_url=registration_services.manage_url(registration),
        position=registration_services.waitlist_position(registration),
        **ctx,
    )
