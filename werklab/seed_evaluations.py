"""Demo data for interim evaluations: a Lerende Gemeenschap that started months ago, with
attendance kept, evaluations sent after each session and answered (enough answers for the
charts), the last one still open, and two participants who left the last two unanswered."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from werklab.accounts.models import User
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.catalog.services import ProgrammeData, SessionData
from werklab.evaluations import questionnaires
from werklab.evaluations import services as evaluations
from werklab.evaluations.models import QuestionKind
from werklab.registration import services as registration
from werklab.registration.services import RegistrationData

TAKEAWAYS = [
    "Dat bewoners vooral gehoord willen worden, niet gestuurd.",
    "De vraag 'wat heb je nodig?' werkt beter dan een subsidieformulier.",
    "Het gesprek met de buurtvrouw uit de Rivierenwijk.",
    "Ik ga eerder langs in de wijk in plaats van te mailen.",
    "Collega's van andere afdelingen kennen de initiatieven niet.",
    "Een netwerk van mensen die hetzelfde proberen.",
    "Praktische tips voor een gesprek met een initiatiefnemer.",
]
CHANGES = [
    "Meer tijd voor de casussen, minder voor de presentatie.",
    "De zaal was te klein.",
    "Graag eerder de stukken.",
    "Een bewoner als gastspreker.",
    "",
]


def seed_evaluations(
    trainer: User, people: list[RegistrationData], rng: random.Random, now: datetime
) -> str:
    """Create the programme and its evaluations; returns a line for the seed summary."""
    actor = "system:seed"
    created = now - timedelta(weeks=20)
    first = (now - timedelta(weeks=12)).replace(hour=12, minute=0, second=0, microsecond=0)
    offsets = [timedelta(0), timedelta(weeks=4), timedelta(weeks=8), timedelta(weeks=12)]
    # The last session ended three days ago: its evaluation is still open.
    offsets[-1] = (now - timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    ) - first
    themes = [
        ("Wat is een bewonersinitiatief?", "Wijkcentrum De Hoven"),
        ("In elkaars keuken kijken", "Buurthuis De Knipe"),
        ("Samenwerken zonder over te nemen", "Bibliotheek Deventer"),
        ("Bewust afsluiten", "Stadhuis Deventer"),
    ]
    programme = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.LEARNING_COMMUNITY,
            title="Lerende Gemeenschap Buurtkracht Deventer",
            description=(
                "Een Lerende Gemeenschap die al loopt: met tussenevaluaties na elke "
                "bijeenkomst. (Demo: bekijk de uitkomsten onder Tussenevaluaties.)"
            ),
            region="Deventer",
            fee_cents=95000,
            registration_deadline=created + timedelta(weeks=4),
            decision_date=(created + timedelta(weeks=4)).date(),
            sessions=[
                SessionData(
                    theme, first + offset, first + offset + timedelta(hours=4), place, "Deventer"
                )
                for (theme, place), offset in zip(themes, offsets, strict=True)
            ],
        ),
        actor=actor,
        now=created,
    )
    programme.trainers.append(trainer)
    catalog.set_status(programme, ProgrammeStatus.OPEN, actor=actor, now=created)
    registrations = [
        registration.register(programme.id, person, invitation_token=None, actor=actor, now=created)
        for person in people
    ]
    # Two people drift away: present, but they stop answering after the first evaluation.
    quiet = {registrations[-1].id, registrations[-2].id}
    final = questionnaires.copy_ready_made(programme, "final-nl", actor=actor, now=created)
    last = programme.sessions[-1]
    evaluations.configure_evaluation(
        last,
        evaluations.SettingsData(True, final.id, True, 14),
        actor=actor,
        now=created,
    )
    for n, session in enumerate(programme.sessions):
        for r in registrations:
            absent = r.id not in quiet and rng.random() < 0.12
            mark_attendance(
                session,
                r,
                AttendanceStatus.ABSENT if absent else AttendanceStatus.PRESENT,
                recorded_by=trainer,
                now=session.ends_at,
            )
        sent_at = session.ends_at + timedelta(hours=2)
        evaluations.invite(session.id, now=sent_at)
        evaluation = evaluations.evaluation_of(session)
        for invitation in evaluations.invitations_of(evaluation):
            if invitation.registration_id in quiet and n > 0:
                continue
            if rng.random() < 0.2:
                continue
            answered_at = sent_at + timedelta(hours=rng.randint(1, 96))
            if answered_at > now:
                continue
            raw = _answers(evaluation.questionnaire.questions, n, rng)
            evaluations.submit_answers(invitation, raw, now=answered_at)
    return (
        f"Evaluations: {programme.title} has answered interim evaluations "
        f"(trainer {trainer.email}); {registrations[0].email} has an open one."
    )


def _answers(questions, n: int, rng: random.Random) -> dict[int, list[str]]:
    raw: dict[int, list[str]] = {}
    for question in questions:
        if question.kind is QuestionKind.SCALE:
            score = min(5, max(1, round(rng.gauss(3.2 + 0.4 * n, 0.8))))
            raw[question.id] = [str(score)]
        elif question.kind is QuestionKind.SINGLE:
            raw[question.id] = [
                str(
                    rng.choices(range(len(question.options)), [6, 3, 1][: len(question.options)])[0]
                )
            ]
        elif question.kind is QuestionKind.MULTIPLE:
            picks = rng.sample(range(len(question.options)), rng.randint(1, 3))
            raw[question.id] = [str(i) for i in picks]
        else:
            pool = TAKEAWAYS if "mee" in question.text or "morgen" in question.text else CHANGES
            raw[question.id] = [rng.choice(pool)]
    return raw
