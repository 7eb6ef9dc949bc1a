"""The rest of "everything stored about me" for gegevens.json (AVG art. 15 and 20).

participant.services.personal_data_export gives the account, the registrations (with their
history, attendance and trainers' notes) and a list of the mails. This adds what hangs off a
registration in other areas: certificates, billing details, invoices and credit notes,
online payments and refunds, homework groups and the group's hand-ins (with the files, in
base64), the intake requests the person is the contact of, and the mails in full (as sent:
subject, text and the names of attachments).
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from werklab.accounts.models import User
from werklab.assignments.models import Submission
from werklab.assignments.services import read_file
from werklab.certificates.models import Certificate
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.intake.models import BookingRequest
from werklab.invoicing.models import Invoice, RegistrationBilling
from werklab.mail import OutboxMail, render_bodies
from werklab.payments.models import Payment
from werklab.themes.services import personal_data as theme_data


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat()
    return value.isoformat()


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def from_iso(value: str | None) -> datetime | date | None:
    """A time or date of the export back as a value, for the page (filters date_time etc.)."""
    if not value:
        return None
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def _certificates(ids: list[int]) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Certificate).where(Certificate.registration_id.in_(ids)).order_by(Certificate.id)
    ).scalars()
    return [
        {
            "registration": c.registration_id,
            "name": c.name,
            "organisation": c.organisation,
            "programme_title": c.programme_title,
            "sessions": c.sessions,
            "trainers": c.trainers,
            "issued_at": _when(c.issued_at),
            "verification_code": c.code,
            "revoked_at": _when(c.revoked_at),
        }
        for c in rows
    ]


def _billing(ids: list[int]) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(RegistrationBilling)
        .where(RegistrationBilling.registration_id.in_(ids))
        .order_by(RegistrationBilling.id)
    ).scalars()
    return [
        {
            "registration": b.registration_id,
            "organisation": b.organisation,
            "address": b.address,
            "email": b.email,
            "reference": b.reference,
            "vat_number": b.vat_number,
            "created_at": _when(b.created_at),
            "updated_at": _when(b.updated_at),
        }
        for b in rows
    ]


def _invoices(ids: list[int]) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Invoice)
        .where(Invoice.registration_id.in_(ids))
        .options(selectinload(Invoice.lines))
        .order_by(Invoice.id)
    ).scalars()
    return [
        {
            "registration": i.registration_id,
            "kind": _value(i.kind),
            "number": i.number,
            "status": _value(i.status),
            "issue_date": _when(i.issue_date),
            "due_date": _when(i.due_date),
            "buyer_organisation": i.buyer_organisation,
            "buyer_address": i.buyer_address,
            "buyer_email": i.buyer_email,
            "buyer_reference": i.buyer_reference,
            "participant_name": i.participant_name,
            "programme_title": i.programme_title,
            "lines": [
                {
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price_cents": line.unit_price_cents,
                    "vat_rate_bp": line.vat_rate_bp,
                    "amount_excl_cents": line.amount_excl_cents,
                    "vat_cents": line.vat_cents,
                }
                for line in i.lines
            ],
            "total_excl_cents": i.total_excl_cents,
            "vat_cents": i.vat_cents,
            "total_incl_cents": i.total_incl_cents,
            "reason": i.reason,
            "paid_on": _when(i.paid_on),
            "credited_at": _when(i.credited_at),
        }
        for i in rows
    ]


def _payments(ids: list[int]) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Payment)
        .where(Payment.registration_id.in_(ids))
        .options(selectinload(Payment.refund))
        .order_by(Payment.id)
    ).scalars()
    return [
        {
            "registration": p.registration_id,
            "by": "Stripe",
            "amount_cents": p.amount_cents,
            "currency": p.currency,
            "status": _value(p.status),
            "paid_at": _when(p.paid_at),
            "refunded_at": _when(p.refunded_at),
            "refund": {
                "amount_cents": p.refund.amount_cents,
                "reason": p.refund.reason,
                "status": _value(p.refund.status),
                "created_at": _when(p.refund.created_at),
                "completed_at": _when(p.refund.completed_at),
            }
            if p.refund
            else None,
        }
        for p in rows
    ]


def _groups(ids: list[int], user: User, file_contents: bool) -> list[dict[str, Any]]:
    """Each homework group with its members' names and the group's hand-ins, files included."""
    memberships = db.session.execute(
        select(HomeworkGroupMember)
        .where(HomeworkGroupMember.registration_id.in_(ids))
        .options(
            selectinload(HomeworkGroupMember.group)
            .selectinload(HomeworkGroup.memberships)
            .selectinload(HomeworkGroupMember.registration)
        )
        .order_by(HomeworkGroupMember.id)
    ).scalars()
    groups = []
    for membership in memberships:
        group = membership.group
        submissions = db.session.execute(
            select(Submission)
            .where(Submission.group_id == group.id)
            .options(selectinload(Submission.files), selectinload(Submission.assignment))
            .order_by(Submission.assignment_id, Submission.version)
        ).scalars()
        groups.append(
            {
                "registration": membership.registration_id,
                "programme": group.programme.title,
                "group": group.name,
                "round": group.round,
                "members": [r.full_name for r in group.members],
                "hand_ins": [_hand_in(s, user, file_contents) for s in submissions],
            }
        )
    return groups


def _hand_in(submission: Submission, user: User, file_contents: bool) -> dict[str, Any]:
    files = []
    for stored in submission.files:
        file = {"name": stored.original_name, "content_type": stored.content_type}
        file["size"] = stored.size
        if file_contents:
            data = read_file(stored)
            file["content_base64"] = base64.b64encode(data).decode("ascii") if data else None
        files.append(file)
    return {
        "assignment": submission.assignment.title,
        "version": submission.version,
        "handed_in_at": _when(submission.created_at),
        "handed_in_by_me": submission.submitted_by_id == user.id,
        "text": submission.text,
        "files": files,
        "feedback": submission.feedback,
        "feedback_at": _when(submission.feedback_at),
    }


def _intake_requests(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(BookingRequest)
        .where(
            or_(
                func.lower(BookingRequest.contact_email) == user.email.lower(),
                BookingRequest.contacts.any(User.id == user.id),
            )
        )
        .order_by(BookingRequest.id)
    ).scalars()
    return [
        {
            "municipality": b.municipality,
            "status": _value(b.status),
            "contact_name": b.contact_name,
            "contact_role": b.contact_role,
            "contact_email": b.contact_email,
            "contact_phone": b.contact_phone,
            "question": b.question,
            "created_at": _when(b.created_at),
        }
        for b in rows
    ]


def _text(mail: OutboxMail) -> str | None:
    """The plain-text body; one queued to be made when sent is made now, as it will read."""
    try:
        return render_bodies(mail)[0]
    except (LookupError, ValueError):  # what the mail was about is gone
        return None


def _mails(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(OutboxMail)
        .where(func.lower(OutboxMail.to_addr) == user.email.strip().lower())
        .order_by(OutboxMail.created_at, OutboxMail.id)
    ).scalars()
    return [
        {
            "created_at": _when(m.created_at),
            "to": m.to_addr,
            "to_name": m.to_name,
            "subject": m.subject,
            "kind": m.kind,
            "status": _value(m.status),
            "sent_at": _when(m.sent_at),
            "text": _text(m),
            "attachments": [a.get("filename") for a in m.attachments or [] if "filename" in a],
        }
        for m in rows
    ]


def more_personal_data(
    user: User, registration_ids: list[int], *, file_contents: bool = True
) -> dict[str, Any]:
    """What gegevens.json holds besides personal_data_export (see the module's docstring);
    without `file_contents` (for the page), hand-in files by name only."""
    ids = registration_ids or [-1]
    return {
        "certificates": _certificates(ids),
        "billing_details": _billing(ids),
        "invoices": _invoices(ids),
        "online_payments": _payments(ids),
        "homework_groups": _groups(ids, user, file_contents),
        "intake_requests": _intake_requests(user),
        "themes": theme_data(ids),
        "mails": _mails(user),
    }
