"""Go / no-go: at the decision date the coordinator cancels a programme that did not reach its
minimum (everyone told, money returned) or confirms it anyway. Both are recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from werklab import audit
from werklab.accounts.models import User
from werklab.catalog.models import GoDecision, Programme, ProgrammeStatus
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.registration import services, signals
from werklab.registration.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l


class DecisionError(DomainError):
    status_code = 409


def _undecided(programme: Programme) -> None:
    if programme.go_decision is not GoDecision.NONE:
        raise DecisionError(str(_l("The decision about this programme has already been taken.")))
    if programme.status in (ProgrammeStatus.CANCELLED, ProgrammeStatus.COMPLETED):
        raise DecisionError(str(_l("This programme has already been cancelled or completed.")))


def confirm_programme(programme_id: int, *, actor: str, now: datetime | None = None) -> Programme:
    """The programme goes ahead, also if the minimum is not reached."""
    now = now or utcnow()
    programme = services.lock_programme(programme_id)
    _undecided(programme)
    programme.go_decision = GoDecision.CONFIRMED
    programme.go_decided_at = now
    taken = services.seats_taken(programme.id, now)
    audit.record(
        "programme.confirmed",
        programme,
        actor=actor,
        now=now,
        seats_taken=taken,
        minimum=programme.min_participants,
    )
    _tell_trainers(programme, now=now)
    db.session.flush()
    return programme


def _active_trainers(programme: Programme) -> list[User]:
    """The programme's trainers who can still sign in and still have the role: the ones a
    mail about the programme goes to."""
    return [t for t in programme.trainers if t.is_trainer and t.active]


def _tell_trainers(programme: Programme, *, now: datetime, reason: str | None = None) -> None:
    """The programme's trainers hear the decision the coordinator took (the mail on the
    decision date told them it was coming); `reason` is given when it was cancelled."""
    cancelled = programme.go_decision is GoDecision.CANCELLED
    subject = (
        _l("%(title)s does not go ahead", title=programme.title)
        if cancelled
        else _l("%(title)s goes ahead", title=programme.title)
    )
    for user in _active_trainers(programme):
        queue_mail(
            user.email,
            subject,
            "registration/decision_taken",
            to_name=user.name,
            kind="programme.decision_taken",
            now=now,
            user=user,
            programme=programme,
            cancelled=cancelled,
            reason=reason,
            workspace_url=external_url("workspace.programme", programme_id=programme.id),
        )


def cancel_programme(
    programme_id: int, *, reason: str, actor: str, now: datetime | None = None
) -> list[Registration]:
    """Cancel the programme: every registrant and everyone waiting is told, online payments
    are refunded and invoices credited. Returns the registrations that were cancelled."""
    now = now or utcnow()
    programme = services.lock_programme(programme_id)
    _undecided(programme)
    programme.status = ProgrammeStatus.CANCELLED
    programme.go_decision = GoDecision.CANCELLED
    programme.go_decided_at = now
    active = list(
        db.session.execute(
            select(Registration).where(
                Registration.programme_id == programme.id,
                Registration.status.in_(ACTIVE_STATUSES),
            )
        ).scalars()
    )
    for registration in active:
        previous = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        money_back = (
            services.settle_payment(registration, reason="programme_cancelled", now=now)
            if previous is RegistrationStatus.CONFIRMED
            else None
        )
        audit.record(
            "registration.cancelled",
            registration,
            actor=actor,
            now=now,
            previous=previous.value,
            money_back=money_back,
            programme_cancelled=True,
        )
        services.queue_registration_mail(
            registration,
            "programme_cancelled",
            _l("%(title)s does not go ahead", title=programme.title),
            now,
            money_back=money_back,
            reason=reason,
        )
    audit.record(
        "programme.cancelled",
        programme,
        actor=actor,
        now=now,
        reason=reason,
        registrations=len(active),
    )
    _tell_trainers(programme, now=now, reason=reason)
    signals.programme_cancelled.send(programme, reason=reason, now=now)
    db.session.flush()
    return active


def decision_due(now: datetime) -> list[int]:
    """Open programmes whose decision date has come and whose status was not yet mailed."""
    today = services.local_date(now)
    return list(
        db.session.execute(
            select(Programme.id).where(
                Programme.status == ProgrammeStatus.OPEN,
                Programme.decision_date.is_not(None),
                Programme.decision_date <= today,
                Programme.decision_mailed_at.is_(None),
            )
        ).scalars()
    )


def mail_decision_status(programme: Programme, *, now: datetime) -> int:
    """Tell the coordinators and the programme's trainers where the programme stands.

    MUST be called with the programme row locked; marks the programme as mailed.
    """
    taken = services.seats_taken(programme.id, now)
    coordinators = db.session.execute(
        select(User).where(User.is_coordinator.is_(True), User.active.is_(True))
    ).scalars()
    recipients = {u.email: u for u in [*coordinators, *_active_trainers(programme)] if u.active}
    for user in recipients.values():
        queue_mail(
            user.email,
            _l(
                "Decision date for %(title)s: %(taken)d of minimum %(minimum)d",
                title=programme.title,
                taken=taken,
                minimum=programme.min_participants,
            ),
            "registration/decision_due",
            to_name=user.name,
            kind="programme.decision_due",
            now=now,
            user=user,
            programme=programme,
            taken=taken,
            reached=taken >= programme.min_participants,
            decides=user.is_coordinator,
            # Each to the page they can open: the coordinator's programme page, where the
            # decision is taken, or the trainer's workspace of the programme.
            manage_url=external_url("manage.programme", programme_id=programme.id)
            if user.is_coordinator
            else external_url("workspace.programme", programme_id=programme.id),
        )
    programme.decision_mailed_at = now
    audit.record(
        "programme.decision_mailed",
        programme,
        actor="system",
        now=now,
        seats_taken=taken,
        recipients=len(recipients),
    )
    db.session.flush()
    return len(recipients)
