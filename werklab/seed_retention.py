"""Demo data for the retention job (issue 15): a CoP that was completed more than
RETENTION_MONTHS ago, whose personal data the job has already erased. The workspace shows its
seats as "Gewiste deelnemer", attendance and certificates remain, the invoices keep the
employer's details (seven years), and the programme's history says what the job did.
Called by seed.seed_demo."""

from __future__ import annotations

from datetime import datetime, timedelta

from werklab.accounts.models import User
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.catalog import services as catalog
from werklab.catalog.models import Programme, ProgrammeKind, ProgrammeStatus
from werklab.catalog.services import ProgrammeData, SessionData
from werklab.certificates.services import issue_certificates
from werklab.privacy.retention import erase_programme, months_before, retention_months
from werklab.registration.models import PaymentMethod, Sector
from werklab.registration.signup import BillingDetails, RegistrationData, register
from werklab.workspace.services import add_note

PEOPLE = [
    ("Ilse", "Bakker", "Gemeente Apeldoorn", Sector.GOVERNMENT),
    ("Joost", "Meijer", "Woonstichting Veluwe", Sector.CIVIL_SOCIETY),
    ("Samira", "El Idrissi", "Gemeente Ede", Sector.GOVERNMENT),
    ("Pieter", "Hoekstra", "Buurtcoöperatie Zuid", Sector.RESIDENT),
    ("Marloes", "Dijkman", "Welzijn Veluwe", Sector.CIVIL_SOCIETY),
    ("Gerrit", "Wolters", "Wolters Advies", Sector.BUSINESS),
]


def seed_archived_programme(trainer: User, now: datetime) -> str:
    """Create a completed CoP whose retention period is over, and run the job on it."""
    actor = "system:seed"
    last = months_before(now, retention_months() + 2).replace(
        hour=13, minute=0, second=0, microsecond=0
    )
    starts = [last - timedelta(weeks=6 * i) for i in (2, 1, 0)]
    created = starts[0] - timedelta(weeks=10)
    programme = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.COP,
            title="Community of Practice Veluwe (afgerond)",
            description=(
                "Een afgeronde Community of Practice. De bewaartermijn is voorbij: de "
                "persoonsgegevens van de deelnemers zijn gewist, de facturen blijven zeven jaar."
            ),
            region="Veluwe",
            fee_cents=75000,
            registration_deadline=created + timedelta(weeks=6),
            decision_date=(created + timedelta(weeks=6)).date(),
            sessions=[
                SessionData(theme, start, start + timedelta(hours=4), place, "Apeldoorn")
                for theme, start, place in zip(
                    ("Kennismaken", "In elkaars keuken kijken", "Bewust afsluiten"),
                    starts,
                    ("Buurthuis De Mheen", "Dorpshuis Wenum", "Stadhuis Apeldoorn"),
                    strict=True,
                )
            ],
        ),
        actor=actor,
        now=created,
    )
    programme.trainers.append(trainer)
    catalog.set_status(programme, ProgrammeStatus.OPEN, actor=actor, now=created)
    people = []
    for i, (first, last_name, organisation, sector) in enumerate(PEOPLE):
        email = f"{first.lower()}.{last_name.lower().replace(' ', '')}@voorbeeld.example"
        people.append(
            register(
                programme.id,
                RegistrationData(
                    first_name=first,
                    last_name=last_name,
                    email=email,
                    organisation=organisation,
                    sector=sector,
                    job_title="Adviseur",
                    learning_question="Hoe geef ik initiatieven ruimte?",
                    privacy_consent=True,
                    payment_method=PaymentMethod.INVOICE,
                    billing=BillingDetails(
                        organisation=organisation,
                        address="Postbus 1\n7300 AA Apeldoorn",
                        email=f"facturen{i}@voorbeeld.example",
                        reference=f"CoP-Veluwe-{i + 1}",
                    ),
                ),
                actor=actor,
                now=created + timedelta(days=1, minutes=i),
            )
        )
    for session in programme.sessions:
        for registration in people:
            mark_attendance(
                session,
                registration,
                AttendanceStatus.PRESENT,
                recorded_by=trainer,
                now=session.ends_at,
            )
    add_note(people[0], "Wil volgend jaar een eigen initiatief opzetten.", author=trainer)
    issue_certificates(programme, actor=trainer, now=last + timedelta(days=1))
    catalog.set_status(programme, ProgrammeStatus.COMPLETED, actor=actor, now=last)
    erase_programme(programme, now=now)
    return _summary(programme)


def _summary(programme: Programme) -> str:
    return (
        f"{programme.title} was completed long ago: the retention job erased its participants' "
        "personal data (Beheer > Verwerkingsregister says what and why).\n"
    )
