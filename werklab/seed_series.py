"""Demo data for a programme's whole life (issue 15): a Lerende Gemeenschap that ended
(past sessions, attendance, certificates, completed with its closing mails) and a Community
of Practice whose monthly meetings were planned as a series around Koningsdag. Called by
seed.seed_demo."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from werklab.accounts.models import User
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.catalog.services import ProgrammeData, SessionData, local_to_utc
from werklab.certificates.models import RuleKind
from werklab.certificates.services import issue_certificates, set_rule
from werklab.completion.services import complete_programme
from werklab.registration import services as registration
from werklab.registration.signup import RegistrationData
from werklab.series import planning
from werklab.series.services import SeriesData, create_series

ACTOR = "system:seed"


def _at(day, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def seed_completed(trainer: User, people: list[RegistrationData], now: datetime) -> str:
    """An LG that met six times, every seven weeks, and was completed a week after the end."""
    last_day = (now - timedelta(weeks=10)).date()
    days = [last_day - timedelta(weeks=7 * i) for i in reversed(range(6))]
    created = _at(days[0], 9) - timedelta(weeks=8)
    places = [
        ("Wat doen bewoners al zelf?", "Dorpshuis De Kolk, Nijverdal"),
        ("In elkaars keuken kijken", "Zorgcoöperatie Haarle"),
        ("Ruimte geven zonder los te laten", "Gemeentehuis Hellendoorn"),
        ("Van plan naar praktijk", "Buurtkamer Noetsele"),
        ("Wat hebben we geleerd?", "Bibliotheek Nijverdal"),
        ("Bewust afsluiten", "Het Pannenkoekenhuis, Hellendoorn"),
    ]
    programme = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.LEARNING_COMMUNITY,
            title="Lerende Gemeenschap Hellendoorn",
            description=(
                "Een Lerende Gemeenschap die bewust is afgerond: zes bijeenkomsten bij "
                "wisselende gastheren, met een bewijs van deelname voor wie er vaak genoeg "
                "bij was. (Demo: de pagina's zijn nog te lezen, maar niet meer te wijzigen.)"
            ),
            region="Hellendoorn",
            fee_cents=95000,
            registration_deadline=created + timedelta(weeks=4),
            decision_date=(created + timedelta(weeks=4)).date(),
            sessions=[
                SessionData(theme, _at(day, 13, 30), _at(day, 17), place.split(",")[0], place)
                for (theme, place), day in zip(places, days, strict=True)
            ],
        ),
        actor=ACTOR,
        now=created,
    )
    programme.trainers.append(trainer)
    catalog.set_status(programme, ProgrammeStatus.OPEN, actor=ACTOR, now=created)
    registrations = [
        registration.register(programme.id, person, actor=ACTOR, now=created + timedelta(hours=i))
        for i, person in enumerate(people)
    ]
    rng = random.Random(15)
    for session in programme.sessions:
        for r in registrations:
            absent = rng.random() < (0.5 if r is registrations[-1] else 0.1)
            mark_attendance(
                session,
                r,
                AttendanceStatus.ABSENT if absent else AttendanceStatus.PRESENT,
                recorded_by=trainer,
                now=session.ends_at,
            )
    ended = programme.sessions[-1].ends_at
    set_rule(programme, RuleKind.MINIMUM, minimum_sessions=5, actor=trainer, now=ended)
    issued = issue_certificates(programme, actor=trainer, now=ended + timedelta(days=2))
    complete_programme(programme, actor="system", now=ended + timedelta(days=7))
    return (
        f"{programme.title} is completed: {len(issued)} of {len(registrations)} participants "
        f"got a certificate with the closing mail (trainer {trainer.email}).\n"
    )


def _next_koningsdag(after):
    day = after
    while planning.holiday_name(day) != "Koningsdag":
        day += timedelta(days=1)
    return day


def seed_series_around_a_holiday(
    trainer: User, people: list[RegistrationData], now: datetime
) -> str:
    """A CoP whose monthly meetings were planned as a series: one fell on Koningsdag and
    moved to the next working day."""
    koningsdag = _next_koningsdag((now + timedelta(weeks=10)).date())
    first = koningsdag - timedelta(weeks=8)
    programme = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.COP,
            title="Community of Practice Burgerproductiekracht",
            description=(
                "Een Community of Practice die elke maand bij elkaar komt, bij wisselende "
                "organisaties in de regio. De data zijn als reeks gepland; wie valt op een "
                "feestdag, schuift op naar de eerstvolgende werkdag."
            ),
            region="Twente",
            fee_cents=75000,
            registration_deadline=_at(first - timedelta(weeks=2), 23, 59),
            decision_date=(first - timedelta(weeks=2)),
        ),
        actor=ACTOR,
        now=now,
    )
    programme.trainers.append(trainer)
    proposal = planning.propose(first, 4, 6)
    create_series(
        programme,
        SeriesData(
            days=[p.day for p in proposal],
            start=time(13, 30),
            end=time(17),
            theme="Bijeenkomst",
            location_name="Stadskantoor Enschede",
            location_address="Hengelosestraat 51, 7514 AE Enschede",
            interval_weeks=4,
            moved=[f"{p.moved_from.isoformat()}: {p.holiday}" for p in proposal if p.moved_from],
        ),
        actor=f"user:{trainer.id}",
        now=now,
    )
    catalog.set_status(programme, ProgrammeStatus.OPEN, actor=ACTOR, now=now)
    for i, person in enumerate(people):
        registration.register(programme.id, person, actor=ACTOR, now=now + timedelta(minutes=i))
    moved = next(p for p in proposal if p.moved_from)
    return (
        f"{programme.title} was planned as a series: {moved.moved_from:%d-%m-%Y} "
        f"({moved.holiday}) moved to {moved.day:%d-%m-%Y}.\n"
    )


def seed_series(staff: dict, people: list[RegistrationData], now: datetime) -> str:
    """Both programmes; returns lines for the seed summary."""
    return seed_completed(staff["trainer_gemeente"], people[:10], now) + (
        seed_series_around_a_holiday(staff["trainer_initiatieven"], people[10:], now)
    )
