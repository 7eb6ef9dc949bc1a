"""Demo data for reminders: a Community of Practice whose first session is tomorrow, so the
demo's `flask werklab tick` mails its participants a reminder (printed to the log), with an
assignment to prepare; one participant switched reminders off. The trainer has a calendar
link of the sessions she runs, shown on her workspace page ("Mijn trajecten"). Called by
seed.seed_demo."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from werklab.accounts.models import User
from werklab.assignments import services as assignments
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.catalog.services import ProgrammeData, SessionData, local_to_utc, utc_to_local
from werklab.links import external_url
from werklab.registration import services as registration
from werklab.registration.models import Sector
from werklab.registration.signup import RegistrationData
from werklab.reminders import services as reminders

PEOPLE = [
    ("Esther", "Mulder", "Gemeente Amersfoort", Sector.GOVERNMENT),
    ("Rachid", "Amrani", "Stichting Welzijn Eemland", Sector.CIVIL_SOCIETY),
    ("Hanneke", "Bos", "Portaal Woningcorporatie", Sector.CIVIL_SOCIETY),
    ("Jan-Willem", "Koster", "Coöperatie Energiek Leusden", Sector.RESIDENT),
    ("Lisa", "van Rijn", "Gemeente Soest", Sector.GOVERNMENT),
    ("Martijn", "de Graaf", "Rabobank Amersfoort", Sector.BUSINESS),
]


def _local(day: datetime, hour: int) -> datetime:
    """`hour` o'clock (Dutch time) on the Dutch day of `day`, as naive UTC."""
    return local_to_utc(datetime.combine(utc_to_local(day).date(), time(hour)))


def seed_reminders(trainer: User, now: datetime) -> str:
    """Create the programme, its people and the trainer's calendar link; returns a line for
    the seed summary."""
    actor = "system:seed"
    t0 = now - timedelta(weeks=4)
    tomorrow = now + timedelta(days=1)
    programme = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.COP,
            title="Community of Practice Samen Doen Eemland",
            description=(
                "Professionals uit Amersfoort en omgeving die samen leren hoe hun organisatie "
                "bewonersinitiatieven steunt. De eerste bijeenkomst is morgen: de deelnemers "
                "krijgen vandaag een herinnering."
            ),
            region="Eemland",
            fee_cents=None,
            min_participants=5,
            max_participants=12,
            registration_deadline=t0 + timedelta(weeks=2),
            sessions=[
                SessionData(
                    theme,
                    _local(tomorrow + timedelta(weeks=6 * i), 10),
                    _local(tomorrow + timedelta(weeks=6 * i), 15),
                    place,
                    address,
                )
                for i, (theme, place, address) in enumerate(
                    [
                        (
                            "Kennismaking en leervragen",
                            "De Nieuwe Stad",
                            "Oliemolenhof 90, 3812 PB Amersfoort",
                        ),
                        (
                            "Initiatieven in de wijk",
                            "Buurthuis De Kruiskamp",
                            "Kruiskamp 1, 3813 AA Amersfoort",
                        ),
                        (
                            "Van plan naar praktijk",
                            "Bibliotheek Eemland",
                            "Eemplein 75, 3812 EA Amersfoort",
                        ),
                    ]
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
                email=f"{first.lower()}.{last.lower().replace(' ', '')}@eemland.example.nl",
                organisation=organisation,
                sector=sector,
                job_title="Adviseur",
                learning_question="Hoe maken we ruimte voor wat bewoners zelf doen?",
                privacy_consent=True,
                locale="en" if first == "Rachid" else "nl",
            ),
            actor=actor,
            now=t0 + timedelta(hours=i),
        )
        for i, (first, last, organisation, sector) in enumerate(PEOPLE)
    ]
    assignments.create_assignment(
        programme,
        assignments.AssignmentData(
            "Jouw leervraag in één zin",
            "Schrijf op wat je in deze Community of Practice wilt leren en neem het mee.",
            programme.sessions[0].starts_at - timedelta(hours=2),
            session_id=programme.sessions[0].id,
        ),
        actor=f"trainer:{trainer.id}",
        now=t0 + timedelta(days=1),
    )
    reminders.switch_reminders(
        people[-1], False, actor=f"participant:{people[-1].id}", now=t0 + timedelta(days=2)
    )
    feed = reminders.renew_trainer_feed(trainer, actor=f"trainer:{trainer.id}", now=t0)
    return (
        f"\n{programme.title} meets tomorrow: `flask werklab tick` mails {len(people) - 1} "
        f"reminders (one participant switched them off).\n"
        f"Calendar link of {trainer.name}'s sessions: "
        f"{external_url('reminders.trainer_feed', token=feed.token)}"
    )
