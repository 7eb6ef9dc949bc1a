"""Erasure on request (AVG, right to erasure): a participant wipes what werklab holds about them.

What goes: the account (with its calendar address and sign-in links), on every registration
of the address the names, e-mail address, organisation, job title, learning question and
dietary wishes, the trainers' notes, the certificates, the details in the history of those
registrations and of the account, and the mails sent to the address.

What stays, without a name: that a seat was taken (sector, status, dates, attendance,
homework-group history), so that a programme's numbers stay right; and invoices, payments and
the employer's billing details, which the law makes us keep for seven years.

A registration in a programme that is still running blocks erasure: the person cancels it
first (their seat goes to the waiting list and any refund is settled the usual way).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, func, select, update

from werklab import audit
from werklab.accounts.models import User
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeStatus
from werklab.certificates.models import Certificate
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.followup.models import ContactNote
from werklab.hosting.models import HostOffer, HostQuestion
from werklab.mail import ERASED_DOMAIN, OutboxMail
from werklab.registration.models import Registration
from werklab.translation import gettext as _
from werklab.workspace.models import TrainerNote

_OVER = (ProgrammeStatus.COMPLETED, ProgrammeStatus.CANCELLED)


def _registrations(email: str) -> list[Registration]:
    return list(
        db.session.execute(
            select(Registration)
            .where(Registration.email_normalized == email.strip().lower())
            .order_by(Registration.id)
        ).scalars()
    )


def _still_running(registration: Registration, now: datetime) -> bool:
    programme = registration.programme
    if not registration.is_active or programme.status in _OVER:
        return False
    return not programme.sessions or max(s.ends_at for s in programme.sessions) >= now


def blockers(user: User, now: datetime) -> list[Registration]:
    """The person's registrations that still count on them: cancel these first."""
    return [r for r in _registrations(user.email) if _still_running(r, now)]


def anonymise_registrations(registrations: list[Registration], *, now: datetime) -> list[int]:
    """Wipe the names, contact details, learning question and dietary wishes of these
    registrations, stop their manage links, delete the trainers' notes about them and their
    offers to host (with the questions asked or received), and empty the details in their
    history. What remains counts a seat without a name. Also used by
    the retention job (werklab/privacy/). Returns the ids."""
    ids = [r.id for r in registrations]
    for r in registrations:
        r.first_name = r.last_name = r.organisation = r.job_title = ""
        r.email = r.email_normalized = f"{r.id}@{ERASED_DOMAIN}"
        r.learning_question = r.dietary_wishes = None
        r.manage_key = secrets.token_urlsafe(32)  # every manage link stops working
        r.checkout_session_id = None  # the payment keeps its own copy for the bookkeeping
        r.erased_at = now
    if ids:
        db.session.execute(delete(TrainerNote).where(TrainerNote.registration_id.in_(ids)))
        db.session.execute(delete(ContactNote).where(ContactNote.registration_id.in_(ids)))
        # Offers to host (address, notes) and practical questions, asked or received.
        offers = select(HostOffer.id).where(HostOffer.registration_id.in_(ids))
        db.session.execute(
            delete(HostQuestion).where(
                HostQuestion.registration_id.in_(ids) | HostQuestion.offer_id.in_(offers)
            )
        )
        db.session.execute(delete(HostOffer).where(HostOffer.registration_id.in_(ids)))
        db.session.execute(
            update(AuditEntry)
            .where(
                AuditEntry.object_type == Registration.__tablename__,
                AuditEntry.object_id.in_(ids),
            )
            .values(data={})
        )
    db.session.flush()
    return ids


def delete_account(user: User) -> None:
    """Delete a participant's account (with its sign-in links and calendar address), the
    details in its history and the mails sent to its address."""
    email = user.email.strip().lower()
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.object_type == User.__tablename__, AuditEntry.object_id == user.id)
        .values(data={})
    )
    db.session.execute(delete(OutboxMail).where(func.lower(OutboxMail.to_addr) == email))
    db.session.delete(user)
    db.session.flush()


def erase(user: User, *, now: datetime) -> int:
    """Erase everything about this person that the law lets us erase; returns how many
    registrations were made anonymous. Raises DomainError (nothing changed) when a
    registration still runs or the account is a staff account."""
    if user.is_staff:
        # Their name is on attendance records, notes and feedback that others rely on.
        raise DomainError(_("A staff account cannot be erased here: ask a coordinator."))
    running = blockers(user, now)
    if running:
        raise DomainError(
            _(
                "You are still registered for %(titles)s. Cancel that registration first, "
                "or wait until the programme is over; then you can have your data erased.",
                titles=", ".join(r.programme.title for r in running),
            )
        )
    registrations = _registrations(user.email)
    ids = anonymise_registrations(registrations, now=now)
    if ids:
        db.session.execute(delete(Certificate).where(Certificate.registration_id.in_(ids)))
    user_id = user.id
    delete_account(user)
    audit.record("person.erased", Registration, actor=f"user:{user_id}", now=now, registrations=ids)
    return len(ids)
