"""Demo data for the programme set together: the demo Lerende Gemeenschap with themes
proposed by its trainer and by a participant, votes from several participants, and one theme
already fixed to a session."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.registration.models import Registration, RegistrationStatus
from werklab.themes import services as themes
from werklab.themes.services import ThemeData

TRAINER_THEMES = [
    (
        "Wie is er eigenaar van een initiatief?",
        "Over loslaten: wanneer help je een initiatief, en wanneer neem je het over?",
    ),
    (
        "Geld en regels: subsidie, Right to Challenge, maatschappelijk aanbesteden",
        "Welke regelingen passen bij initiatieven, en waar lopen ze vast?",
    ),
    ("Vrijwilligers die moe worden", "Hoe houden trekkers het vol, en wat kun jij daarin doen?"),
    ("Samenwerken met de woningcorporatie", ""),
]
OWN_THEME = ThemeData(
    "Jongeren betrekken bij de buurt",
    "In onze wijk doen vooral gepensioneerden mee. Hoe bereiken we jongeren?",
)
#: Per participant (by order of registration), the themes they vote for (index in TRAINER_THEMES,
#: or 4 for the participant's own proposal).
VOTES = [(0, 1, 2), (0, 2), (1, 4), (0, 1), (2, 4, 3), (0,), (1, 2, 4), (0, 3)]


def seed_themes(lg: Programme, trainer: User, now: datetime) -> str:
    """Create the themes and votes; returns a line for the seed summary."""
    actor = f"user:{trainer.id}"
    seated = list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == lg.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(Registration.id)
        ).scalars()
    )
    proposed = [
        themes.propose_theme(
            lg, ThemeData(title, text), actor=actor, user=trainer, now=now - timedelta(days=9 - i)
        )
        for i, (title, text) in enumerate(TRAINER_THEMES)
    ]
    proposer = seated[-1]
    proposed.append(
        themes.propose_own_theme(
            proposer, OWN_THEME, actor=f"participant:{proposer.id}", now=now - timedelta(days=4)
        )
    )
    for person, choices in zip(seated, VOTES, strict=False):
        for choice in choices:
            themes.cast_vote(proposed[choice], person, actor=f"participant:{person.id}", now=now)
    # The favourite becomes the theme of the fourth meeting; its voters get their votes back.
    session = lg.sessions[3]
    themes.schedule_theme(proposed[0], session, actor=actor, user=trainer, now=now)
    voter = seated[5]
    return (
        f"{lg.title}: themes to vote on and one chosen for session {session.position}; "
        f"participant {voter.email} votes from 'Mijn traject' (sign in at /inloggen)."
    )
