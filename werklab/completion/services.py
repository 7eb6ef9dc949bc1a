"""A deliberate ending: complete a programme after its last session, and send each
participant a closing mail with their certificate and the final evaluation.

Certificates are issued by the trainers (a deliberate act: they confirm who met the rule)
once every session has ended, and so before completion: tick completes a programme
COMPLETE_AFTER_DAYS (default 7) after its last session, which gives them that week, and the
coordinator's confirm page says who still meets the rule without a certificate. After
completion the programme is read-only (permissions.is_read_only): the closing mail is the
complete picture, with the certificate attached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from sqlalchemy import func, select

from werklab import audit
from werklab.catalog.models import Programme, ProgrammeSession, ProgrammeStatus
from werklab.certificates.models import Certificate
from werklab.certificates.services import ATTACHMENT_RENDERER, to_issue
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.evaluations.models import (
    Evaluation,
    EvaluationInvitation,
    Questionnaire,
    QuestionnairePurpose,
)
from werklab.evaluations.services import answer_url
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.registration.lookup import manage_token
from werklab.registration.models import Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l

#: Statuses from which a programme can be completed: it ran (open or closed).
COMPLETABLE = (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED)


class CannotComplete(DomainError):
    status_code = 409


def complete_after() -> timedelta:
    return timedelta(days=current_app.config.get("COMPLETE_AFTER_DAYS", 7))


def last_session_end(programme: Programme) -> datetime | None:
    return max((s.ends_at for s in programme.sessions), default=None)


def completes_on(programme: Programme) -> datetime | None:
    """When tick will complete the programme (None: it will not, or it already is)."""
    last = last_session_end(programme)
    if last is None or programme.status not in COMPLETABLE:
        return None
    return last + complete_after()


def completion_problems(programme: Programme, now: datetime) -> list[str]:
    """What stands in the way of completing the programme now (empty: it can be)."""
    if programme.status is ProgrammeStatus.COMPLETED:
        return [str(_l("This programme has already been completed."))]
    if programme.status not in COMPLETABLE:
        return [
            str(
                _l(
                    "Only a programme that has run can be completed, not a draft or a "
                    "cancelled one."
                )
            )
        ]
    last = last_session_end(programme)
    if last is None:
        return [str(_l("This programme has no sessions: there is nothing to complete."))]
    if last > now:
        return [
            str(
                _l(
                    "The last session ends on %(when)s: a programme can be completed after it.",
                    when=format_datetime(last, "d MMMM y, HH:mm"),
                )
            )
        ]
    return []


def programmes_to_complete(now: datetime) -> list[int]:
    """Programmes that ran and whose last session ended COMPLETE_AFTER_DAYS ago (for tick)."""
    last = func.max(ProgrammeSession.ends_at)
    return list(
        db.session.execute(
            select(Programme.id)
            .join(ProgrammeSession, ProgrammeSession.programme_id == Programme.id)
            .where(Programme.status.in_(COMPLETABLE))
            .group_by(Programme.id)
            .having(last <= now - complete_after())
            .order_by(Programme.id)
        ).scalars()
    )


def seated(programme: Programme) -> list[Registration]:
    """Who took part: confirmed registrations of people who did not ask to be erased."""
    return list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == programme.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.erased_at.is_(None),
            )
            .order_by(Registration.id)
        ).scalars()
    )


def _certificates(programme: Programme) -> dict[int, Certificate]:
    rows = db.session.execute(
        select(Certificate).where(
            Certificate.programme_id == programme.id, Certificate.revoked_at.is_(None)
        )
    ).scalars()
    return {c.registration_id: c for c in rows}


def _final_evaluations(programme: Programme, now: datetime) -> dict[int, EvaluationInvitation]:
    """Each person's unanswered invitation to an open final evaluation of the programme."""
    rows = db.session.execute(
        select(EvaluationInvitation)
        .join(Evaluation, Evaluation.id == EvaluationInvitation.evaluation_id)
        .join(Questionnaire, Questionnaire.id == Evaluation.questionnaire_id)
        .join(ProgrammeSession, ProgrammeSession.id == Evaluation.session_id)
        .where(
            ProgrammeSession.programme_id == programme.id,
            Questionnaire.purpose == QuestionnairePurpose.FINAL,
            Evaluation.enabled.is_(True),
            Evaluation.closes_at > now,
            EvaluationInvitation.answered_at.is_(None),
        )
        .order_by(EvaluationInvitation.id)
    ).scalars()
    return {i.registration_id: i for i in rows}


@dataclass(frozen=True)
class Summary:
    """What completing the programme now would do (for the coordinator's confirm page)."""

    participants: int
    with_certificate: int
    #: People who meet the certificate rule but have none yet (issued only by the trainers).
    without_certificate: int
    with_final_evaluation: int


def summary(programme: Programme, now: datetime) -> Summary:
    people = seated(programme)
    certificates = _certificates(programme)
    finals = _final_evaluations(programme, now)
    return Summary(
        participants=len(people),
        with_certificate=sum(r.id in certificates for r in people),
        without_certificate=len(to_issue(programme, now)),
        with_final_evaluation=sum(r.id in finals for r in people),
    )


def complete_programme(programme: Programme, *, actor: str, now: datetime | None = None) -> int:
    """Complete the programme (with its row locked): status completed, the moment, an audit
    row, and a closing mail to every participant. Returns the number of closing mails."""
    now = now or utcnow()
    problems = completion_problems(programme, now)
    if problems:
        raise CannotComplete(" ".join(problems))
    previous = programme.status
    programme.status = ProgrammeStatus.COMPLETED
    programme.completed_at = now
    db.session.flush()
    mailed = mail_closing(programme, now=now)
    audit.record(
        "programme.completed",
        programme,
        actor=actor,
        now=now,
        previous=previous.value,
        mailed=mailed,
    )
    return mailed


def mail_closing(programme: Programme, *, now: datetime) -> int:
    certificates = _certificates(programme)
    finals = _final_evaluations(programme, now)
    mailed = 0
    for registration in seated(programme):
        certificate = certificates.get(registration.id)
        final = finals.get(registration.id)
        token = manage_token(registration)
        mailed += bool(
            queue_mail(
                registration.email,
                _l("%(title)s has been completed: thank you", title=programme.title),
                "completion/closing",
                to_name=registration.full_name,
                locale=registration.locale,
                kind="programme.closing",
                attachments_later=(
                    [(ATTACHMENT_RENDERER, {"certificate_id": certificate.id})]
                    if certificate
                    else None
                ),
                now=now,
                first_name=registration.first_name,
                programme=programme,
                certificate=certificate,
                certificate_url=(
                    external_url(
                        "certificates.download", certificate_id=certificate.id, token=token
                    )
                    if certificate
                    else None
                ),
                evaluation_url=answer_url(final) if final else None,
                evaluation_closes_at=final.evaluation.closes_at if final else None,
            )
        )
    return mailed
