"""The retention job (AVG): what is no longer needed goes, as the declaration says.

RETENTION_MONTHS after the last session of a completed (or cancelled) programme, each step of
`register.RETENTION_STEPS` runs for that programme, in one transaction with the programme
row locked (FOR UPDATE SKIP LOCKED), and a `ProgrammeRetention` row marks it done, with the
counts (also in the audit row). Registrations are anonymised the way an erasure on request
does it (`participant.erasure.anonymise_registrations`). Invoices and credit notes stay; seven
years after the end of their year the declared buyer columns are wiped (`anonymise_old`).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, delete, exists, func, or_, select, update

from werklab import audit, storage
from werklab.accounts.models import User
from werklab.assignments.models import Submission, SubmissionFile
from werklab.catalog.models import Programme, ProgrammeSession, ProgrammeStatus
from werklab.evaluations.models import Answer, Evaluation, EvaluationResponse
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup
from werklab.intake.models import BookingRequest, Quote, RequestStatus, municipality_contacts
from werklab.invoicing.models import Invoice, RegistrationBilling
from werklab.mail import OutboxMail
from werklab.messages.models import Message
from werklab.participant.erasure import anonymise_registrations, delete_account
from werklab.privacy import register
from werklab.privacy.models import ProgrammeRetention
from werklab.privacy.register import Step
from werklab.registration.models import Registration

#: Programmes whose personal data the job erases once the period is over.
ENDED = (ProgrammeStatus.COMPLETED, ProgrammeStatus.CANCELLED)
#: Dutch tax law (art. 52 AWR): seven years after the end of the year of the document.
FISCAL_YEARS = 7


def retention_months() -> int:
    return max(0, int(current_app.config.get("RETENTION_MONTHS", 12)))


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` minus whole calendar months (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def due_programmes(now: datetime) -> list[int]:
    """Completed or cancelled programmes whose last session ended more than RETENTION_MONTHS
    ago and whose personal data has not been erased yet."""
    cutoff = months_before(now, retention_months())
    last_end = (
        select(ProgrammeSession.programme_id)
        .group_by(ProgrammeSession.programme_id)
        .having(func.max(ProgrammeSession.ends_at) < cutoff)
    )
    return list(
        db.session.execute(
            select(Programme.id)
            .where(
                Programme.status.in_(ENDED),
                Programme.id.in_(last_end),
                ~exists().where(ProgrammeRetention.programme_id == Programme.id),
            )
            .order_by(Programme.id)
        ).scalars()
    )


@dataclass
class Context:
    """What the steps for one programme share: its registrations not yet anonymised and their
    addresses (taken before the anonymisation wipes them)."""

    programme: Programme
    now: datetime
    registrations: list[Registration]
    emails: list[str] = field(init=False)

    def __post_init__(self):
        self.emails = sorted({r.email_normalized for r in self.registrations})


def _hand_ins(ctx: Context) -> int:
    groups = select(HomeworkGroup.id).where(HomeworkGroup.programme_id == ctx.programme.id)
    submissions = list(
        db.session.execute(select(Submission).where(Submission.group_id.in_(groups))).scalars()
    )
    ids = [s.id for s in submissions]
    if not ids:
        return 0
    files = list(
        db.session.execute(
            select(SubmissionFile).where(SubmissionFile.submission_id.in_(ids))
        ).scalars()
    )
    for f in files:
        storage.delete(f.stored_name)  # a local file goes when this transaction commits
    db.session.execute(delete(SubmissionFile).where(SubmissionFile.submission_id.in_(ids)))
    db.session.execute(delete(Submission).where(Submission.id.in_(ids)))
    db.session.expire_all()
    return len(ids)


def _evaluation_answers(ctx: Context) -> int:
    evaluations = (
        select(Evaluation.id)
        .join(ProgrammeSession, ProgrammeSession.id == Evaluation.session_id)
        .where(ProgrammeSession.programme_id == ctx.programme.id)
    )
    responses = select(EvaluationResponse.id).where(
        EvaluationResponse.evaluation_id.in_(evaluations)
    )
    erased = db.session.execute(
        update(Answer)
        .where(Answer.response_id.in_(responses), Answer.text.is_not(None))
        .values(text=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        update(EvaluationResponse)
        .where(
            EvaluationResponse.evaluation_id.in_(evaluations),
            EvaluationResponse.registration_id.is_not(None),
        )
        .values(registration_id=None)
        .execution_options(synchronize_session=False)
    )
    return erased or 0


def _messages(ctx: Context) -> int:
    return (
        db.session.execute(
            delete(Message)
            .where(Message.programme_id == ctx.programme.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def _registrations(ctx: Context) -> int:
    return len(anonymise_registrations(ctx.registrations, now=ctx.now))


def _still_kept(email: str) -> bool:
    """Another registration of this address is still kept (not anonymised)."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Registration.email_normalized == email, Registration.erased_at.is_(None)
                )
            )
        )
    )


def _accounts(ctx: Context) -> int:
    """Accounts and mails of the people who have no other registration that is still kept
    (so this runs after the anonymisation). Staff accounts and the accounts of municipality
    contacts stay."""
    deleted = 0
    for email in ctx.emails:
        if _still_kept(email):
            continue
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is None:
            db.session.execute(delete(OutboxMail).where(func.lower(OutboxMail.to_addr) == email))
            continue
        is_contact = db.session.scalar(
            select(exists().where(municipality_contacts.c.user_id == user.id))
        )
        if user.is_staff or is_contact:
            continue
        delete_account(user)
        deleted += 1
    return deleted


_INTAKE_CONTACT = {"contact_name": "", "contact_role": "", "contact_email": "", "contact_phone": ""}


def _intake_not_erased() -> ColumnElement[bool]:
    return or_(*(getattr(BookingRequest, name) != "" for name in (*_INTAKE_CONTACT, "notes")))


def _intake_contact(ctx: Context) -> int:
    return (
        db.session.execute(
            update(BookingRequest)
            .where(BookingRequest.programme_id == ctx.programme.id, _intake_not_erased())
            .values(notes="", **_INTAKE_CONTACT)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


#: One function per step of register.RETENTION_STEPS (tests/privacy checks they match).
STEPS: dict[Step, Callable[[Context], int]] = {
    Step.DELETE_HAND_INS: _hand_ins,
    Step.ERASE_EVALUATION_TEXT: _evaluation_answers,
    Step.DELETE_MESSAGES: _messages,
    Step.ANONYMISE_REGISTRATIONS: _registrations,
    Step.DELETE_ACCOUNTS: _accounts,
    Step.ERASE_INTAKE_CONTACT: _intake_contact,
}


def erase_programme(programme: Programme, *, now: datetime) -> dict[str, int]:
    """Erase what is no longer needed of a programme whose retention period is over, and
    mark it done. MUST be called with the programme row locked, in a write transaction the
    caller commits; returns the counts per step."""
    registrations = list(
        db.session.execute(
            select(Registration)
            .where(Registration.programme_id == programme.id, Registration.erased_at.is_(None))
            .order_by(Registration.id)
        ).scalars()
    )
    ctx = Context(programme, now, registrations)
    counts = {step.value: STEPS[step](ctx) for step in register.RETENTION_STEPS}
    db.session.add(ProgrammeRetention(programme_id=programme.id, applied_at=now, counts=counts))
    audit.record("programme.personal_data_erased", programme, actor="system", now=now, **counts)
    db.session.flush()
    return counts


def _declared(table: str, step: Step) -> list[str]:
    """The columns of `table` that the declaration gives to `step`."""
    return [
        column.split(".", 1)[1]
        for item in register.items_for(step)
        for column in item.columns
        if column.startswith(table + ".")
    ]


def _blank(model, columns: list[str]) -> dict[str, object]:
    table = model.__table__
    return {name: (None if table.c[name].nullable else "") for name in columns}


def _not_blank(model, values: dict[str, object]) -> ColumnElement[bool]:
    conditions = []
    for name, blank in values.items():
        column = getattr(model, name)
        conditions.append(column.is_not(None) if blank is None else column != blank)
    return or_(*conditions)


def anonymise_old(now: datetime) -> dict[str, int]:
    """Invoices, credit notes, billing details and accepted quotes older than the fiscal
    period lose the declared personal columns; contacts of werklab requests that were
    declined or expired RETENTION_MONTHS ago are wiped. Idempotent (only rows that still hold
    something change). MUST run in a write transaction the caller commits."""
    last_year = now.year - FISCAL_YEARS - 1  # 2018's documents are kept until the end of 2025
    counts = {}
    invoice_values = _blank(Invoice, _declared("invoices", Step.FISCAL))
    counts["invoices"] = db.session.execute(
        update(Invoice)
        .where(Invoice.year <= last_year, _not_blank(Invoice, invoice_values))
        .values(**invoice_values)
        .execution_options(synchronize_session=False)
    ).rowcount
    quote_values = _blank(Quote, _declared("quotes", Step.FISCAL))
    counts["quotes"] = db.session.execute(
        update(Quote)
        .where(
            func.coalesce(Quote.answered_at, Quote.created_at) < datetime(last_year + 1, 1, 1),
            _not_blank(Quote, quote_values),
        )
        .values(**quote_values)
        .execution_options(synchronize_session=False)
    ).rowcount
    counts["billing_details"] = db.session.execute(
        delete(RegistrationBilling)
        .where(RegistrationBilling.updated_at < datetime(last_year + 1, 1, 1))
        .execution_options(synchronize_session=False)
    ).rowcount
    counts["intake_contacts"] = db.session.execute(
        update(BookingRequest)
        .where(
            BookingRequest.status.in_([RequestStatus.DECLINED, RequestStatus.EXPIRED]),
            BookingRequest.updated_at < months_before(now, retention_months()),
            _intake_not_erased(),
        )
        .values(notes="", **_INTAKE_CONTACT)
        .execution_options(synchronize_session=False)
    ).rowcount
    counts = {key: value or 0 for key, value in counts.items()}
    if any(counts.values()):
        audit.record(
            "privacy.old_records_anonymised", ProgrammeRetention, actor="system", now=now, **counts
        )
    return counts
