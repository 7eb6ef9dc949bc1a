"""A programme whose sessions lie in the past, with people marked present, for the
evaluation tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.accounts.models import User
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.catalog.models import Programme
from werklab.catalog.services import SessionData
from werklab.db import utcnow
from werklab.evaluations import services
from werklab.evaluations.models import EvaluationInvitation
from werklab.extensions import db, login_manager
from werklab.registration.models import Registration

#: Every service call gets this explicit `now`; it is today (not a fixed date) because the
#: view tests share the data and the views use the clock.
NOW: datetime = utcnow().replace(second=0, microsecond=0)


@dataclass
class Setup:
    programme: Programme
    trainer: User
    people: list[Registration]

    @property
    def sessions(self):
        return self.programme.sessions


def past_programme(
    f: Factories,
    *,
    people: int = 4,
    sessions: int = 3,
    last_ended: timedelta = timedelta(hours=3),
    weeks_between: int = 3,
    trainer_email: str | None = None,
) -> Setup:
    """Sessions every `weeks_between` weeks, the last one ended `last_ended` before NOW;
    everyone registered well before the first."""
    first_start = NOW - last_ended - timedelta(hours=3, weeks=weeks_between * (sessions - 1))
    created = first_start - timedelta(days=30)
    programme = f.programme(
        now=created,
        registration_deadline=created + timedelta(days=20),
        decision_date=(created + timedelta(days=20)).date(),
        session_data=[
            SessionData(
                theme=f"Bijeenkomst {i + 1}",
                starts_at=first_start + timedelta(weeks=weeks_between * i),
                ends_at=first_start + timedelta(weeks=weeks_between * i, hours=3),
                location_name="Buurthuis",
                location_address="Dorpsstraat 1, 1234 AB Ergens",
            )
            for i in range(sessions)
        ],
    )
    trainer = accounts.create_user(
        trainer_email or f"trainer.{programme.id}@example.nl",
        "Tineke Trainer",
        trainer=True,
        actor="test",
    )
    programme.trainers.append(trainer)
    registrations = [f.registration(programme, now=created) for _ in range(people)]
    db.session.flush()
    return Setup(programme, trainer, registrations)


def mark_present(setup: Setup, session, people=None, *, status=AttendanceStatus.PRESENT):
    for registration in setup.people if people is None else people:
        mark_attendance(session, registration, status, recorded_by=setup.trainer, now=NOW)
    db.session.flush()


def invitations(session) -> list[EvaluationInvitation]:
    evaluation = services.evaluation_of(session)
    if evaluation is None:
        return []
    return list(
        db.session.query(EvaluationInvitation)
        .filter_by(evaluation_id=evaluation.id)
        .order_by(EvaluationInvitation.registration_id)
    )


def invitation_of(session, registration) -> EvaluationInvitation:
    return next(i for i in invitations(session) if i.registration_id == registration.id)


def answer(invitation, scale=4, text="", *, now=None):
    """Answer the short ready-made questionnaire."""
    questions = invitation.evaluation.questionnaire.questions
    raw = {questions[0].id: [str(scale)], questions[1].id: [text], questions[2].id: [""]}
    return services.submit_answers(invitation, raw, now=now or NOW)


def client_for(app, user):
    """A browser in which `user` is signed in (as Flask-Login's login_user leaves it)."""
    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["_id"] = identifier
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def sent(f, *, people=4, anonymous=True):
    """A programme whose last session's evaluation went out at NOW to everyone."""
    s = past_programme(f, people=people)
    last = s.sessions[-1]
    if not anonymous:
        services.configure_evaluation(
            last, services.SettingsData(True, None, False, 14), actor="t", now=NOW
        )
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    db.session.commit()
    return s, last
