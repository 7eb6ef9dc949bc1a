"""Demo data for the early warning: a programme under way in which people slip away."""

from __future__ import annotations

from datetime import datetime, timedelta

from werklab.accounts import services as accounts
from werklab.accounts.models import User
from werklab.assignments import services as assignments
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.catalog.services import ProgrammeData, SessionData
from werklab.extensions import db
from werklab.followup import services
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.registration import services as registration
from werklab.registration.models import Sector
from werklab.registration.services import RegistrationData

PEOPLE = [
    ("Marloes", "Hendriks", "Gemeente Deventer", Sector.GOVERNMENT),
    ("Karim", "Benali", "Woonstichting Rivierenland", Sector.CIVIL_SOCIETY),
    ("Ilse", "Postma", "Bibliotheek Deventer", Sector.CIVIL_SOCIETY),
    ("Thijs", "van Dam", "Rabobank Salland", Sector.BUSINESS),
    ("Nadia", "Yilmaz", "Gemeente Olst-Wijhe", Sector.GOVERNMENT),
    ("Gerrit", "Kok", "Buurtcoöperatie Zandweerd", Sector.RESIDENT),
    ("Sophie", "Lammers", "Welzijn Deventer", Sector.CIVIL_SOCIETY),
    ("Bas", "Wolters", "Provincie Overijssel", Sector.GOVERNMENT),
]


def seed_running_programme(trainer: User, now: datetime) -> str:
    """A Lerende Gemeenschap that started five weeks ago, two sessions held, in which four
    people need attention (absent without notice; twice not there; silent in their homework
    group) and one was already contacted."""
    actor = "system:seed"
    t0 = now - timedelta(weeks=8)
    held = [now - timedelta(weeks=5), now - timedelta(days=8)]
    coming = [now + timedelta(weeks=3), now + timedelta(weeks=9)]
    programme = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.LEARNING_COMMUNITY,
            title="Lerende Gemeenschap Wijkkracht Deventer",
            description=(
                "Een lerende gemeenschap die al loopt: twee bijeenkomsten zijn geweest. Op de "
                "pagina Aandacht nodig zie je wie dreigt af te haken."
            ),
            region="Deventer",
            fee_cents=None,
            min_participants=6,
            max_participants=12,
            registration_deadline=t0 + timedelta(weeks=1),
            decision_date=(t0 + timedelta(weeks=1)).date(),
            sessions=[
                SessionData(
                    theme,
                    start.replace(hour=12, minute=0, second=0, microsecond=0),
                    start.replace(hour=16, minute=0, second=0, microsecond=0),
                    place,
                    "Deventer",
                )
                for start, theme, place in zip(
                    [*held, *coming],
                    [
                        "Kennismaking en leervragen",
                        "In elkaars keuken kijken",
                        "Tussenevaluatie",
                        "Bewust afsluiten",
                    ],
                    ["De Leeuwenkuil", "Buurthuis Zandweerd", "Stadhuis Deventer", "De Hofstee"],
                    strict=True,
                )
            ],
        ),
        actor=actor,
        now=t0,
    )
    programme.trainers.append(trainer)
    catalog.set_status(programme, ProgrammeStatus.OPEN, actor=actor, now=t0)
    people = [
        registration.register(
            programme.id,
            RegistrationData(
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower().replace(' ', '')}@deventer.example.nl",
                organisation=organisation,
                sector=sector,
                job_title="Adviseur",
                learning_question="Hoe blijven initiatieven overeind?",
                privacy_consent=True,
            ),
            actor=actor,
            now=t0 + timedelta(hours=i),
        )
        for i, (first, last, organisation, sector) in enumerate(PEOPLE)
    ]
    catalog.set_status(programme, ProgrammeStatus.CLOSED, actor=actor, now=t0 + timedelta(days=8))
    db.session.flush()
    P, E, A = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT
    # Marloes: absent without notice at the last session. Karim: not there twice (excused).
    # Nadia: absent without notice, and already contacted.
    marks = {0: (P, A), 1: (E, E), 4: (P, A)}
    for index, person in enumerate(people):
        for session, status in zip(programme.sessions[:2], marks.get(index, (P, P)), strict=True):
            mark_attendance(session, person, status, recorded_by=trainer, now=session.ends_at)
    # Homework: Ilse and Thijs are a group; Ilse handed in alone, the due date has passed.
    groups = []
    for number, members in enumerate(
        [(people[2], people[3]), (people[0], people[5]), (people[1], people[6], people[7])],
        start=1,
    ):
        group = HomeworkGroup(programme_id=programme.id, name=f"Groep {number}", round=1)
        db.session.add(group)
        db.session.flush()
        for member in members:
            db.session.add(
                HomeworkGroupMember(group_id=group.id, registration_id=member.id, round=1)
            )
        groups.append(group)
    db.session.flush()
    assignment = assignments.create_assignment(
        programme,
        assignments.AssignmentData(
            "Is mijn organisatie klaar voor initiatieven?",
            "Onderzoek met je groepje hoe jullie organisaties initiatieven ondersteunen.",
            now - timedelta(days=3),
        ),
        actor=actor,
        now=held[0],
    )
    ilse = accounts.create_user(people[2].email, people[2].full_name, actor=actor, now=t0)
    db.session.flush()
    assignments.submit(
        assignment,
        groups[0],
        "Onze bevindingen: de gemeente is er klaar voor, de bank nog niet.",
        [],
        user_id=ilse.id,
        now=now - timedelta(days=4),
    )
    services.record_contact(
        people[4],
        "Gebeld: ze had een botsing in haar agenda en komt de volgende keer weer.",
        actor=trainer,
        now=now - timedelta(days=6),
    )
    db.session.flush()
    return programme.title
