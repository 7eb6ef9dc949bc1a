"""Demo data for the coordinator's overview in figures (issue 13): two programmes that ran
earlier this year, so that the charts over time have something to show (invoices issued,
paid, overdue and credited over the months, attendance per session, certificates), and
werklab requests in each open stage. Called by seed.seed_demo; everything goes through the
services, with the dates it would have happened on."""

from __future__ import annotations

from datetime import datetime, timedelta

from werklab.accounts.models import User
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.catalog.services import ProgrammeData, SessionData
from werklab.certificates.services import issue_certificates
from werklab.intake import services as intake
from werklab.intake.models import RequestStatus
from werklab.intake.services import IntakeData, QuoteData
from werklab.invoicing.billing import BillingDetails
from werklab.invoicing.documents import invoice_for, mark_paid
from werklab.registration.cancellation import cancel_registration
from werklab.registration.models import PaymentMethod, Sector
from werklab.registration.signup import RegistrationData, register

ACTOR = "system:seed"
PRESENT, EXCUSED, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
)

PEOPLE = [
    ("Ilse", "Hendriks", "Gemeente Apeldoorn", Sector.GOVERNMENT),
    ("Karim", "Bouali", "Stichting Welzijn Apeldoorn", Sector.CIVIL_SOCIETY),
    ("Joke", "Veenstra", "Gemeente Epe", Sector.GOVERNMENT),
    ("Ruben", "de Graaf", "Woonstichting De Veste", Sector.CIVIL_SOCIETY),
    ("Mirjam", "Kok", "Gemeente Voorst", Sector.GOVERNMENT),
    ("Thijs", "Brouwer", "Buurtcoöperatie Zuid", Sector.RESIDENT),
    ("Esra", "Demir", "Gemeente Apeldoorn", Sector.GOVERNMENT),
    ("Wouter", "Smit", "Provincie Gelderland", Sector.GOVERNMENT),
    ("Anneke", "Mulder", "Stichting Present", Sector.CIVIL_SOCIETY),
    ("Pieter", "Bos", "Gemeente Brummen", Sector.GOVERNMENT),
    ("Noor", "El Idrissi", "Gemeente Zutphen", Sector.GOVERNMENT),
    ("Daan", "Visser", "Wijkraad De Hoven", Sector.RESIDENT),
]


def _past_programme(
    title: str, kind: ProgrammeKind, region: str, opened: datetime, weeks: int, domain: str
):
    """A programme opened on `opened`, its three sessions starting `weeks` later, with twelve
    registrations paid by invoice trickling in (one every four days)."""
    first = (opened + timedelta(weeks=weeks)).replace(hour=9, minute=30, second=0, microsecond=0)
    programme = catalog.create_programme(
        ProgrammeData(
            kind=kind,
            title=title,
            description="Samen leren werken met bewonersinitiatieven.",
            region=region,
            fee_cents=75000,
            registration_deadline=first - timedelta(days=7),
            decision_date=(first - timedelta(days=14)).date(),
            sessions=[
                SessionData(
                    theme,
                    first + timedelta(weeks=4 * i),
                    first + timedelta(weeks=4 * i, hours=4),
                    "Buurthuis De Kroef",
                    "Kerkstraat 1, 7311 AB Apeldoorn",
                )
                for i, theme in enumerate(
                    ("Wat bewoners zelf doen", "De rol van de gemeente", "Samen verder")
                )
            ],
        ),
        actor=ACTOR,
        now=opened,
    )
    catalog.set_status(programme, ProgrammeStatus.OPEN, actor=ACTOR, now=opened)
    people = []
    for i, (first_name, last_name, organisation, sector) in enumerate(PEOPLE):
        when = opened + timedelta(days=1 + 4 * i, hours=i % 5)
        email = f"{first_name}.{last_name}".lower().replace(" ", "") + f"@{domain}"
        people.append(
            register(
                programme.id,
                RegistrationData(
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    organisation=organisation,
                    sector=sector,
                    job_title="Adviseur",
                    learning_question="Hoe geven we initiatieven ruimte?",
                    privacy_consent=True,
                    payment_method=PaymentMethod.INVOICE,
                    billing=BillingDetails(
                        organisation, "Postbus 9033\n7300 ES Apeldoorn", f"facturen@{domain}", "CoP"
                    ),
                ),
                invitation_token=None,
                actor=ACTOR,
                now=when,
            )
        )
    return programme, people


def _run(programme, people, trainer: User, pattern: list[list[AttendanceStatus]], now):
    """Take attendance at each session (`pattern`: a row per session, a status per person
    still registered), issue the certificates a week after the last session, complete it."""
    seated = [p for p in people if p.is_seated]
    for session, row in zip(programme.sessions, pattern, strict=True):
        for person, status in zip(seated, row, strict=False):
            mark_attendance(
                session,
                person,
                status,
                recorded_by=trainer,
                now=session.ends_at + timedelta(hours=1),
            )
    last = programme.sessions[-1].ends_at
    if last + timedelta(days=7) < now:
        issue_certificates(programme, actor=trainer, now=last + timedelta(days=7))
        catalog.set_status(
            programme, ProgrammeStatus.COMPLETED, actor=ACTOR, now=last + timedelta(days=8)
        )


def _pay(people, now: datetime, *, leave_open: int) -> None:
    """Mark the invoices paid 18 days after they were issued, except the last `leave_open`."""
    invoices = [invoice_for(p) for p in people if p.is_seated]
    for invoice in invoices[: len(invoices) - leave_open]:
        paid = datetime.combine(invoice.issue_date, datetime.min.time()) + timedelta(days=18)
        mark_paid(invoice, actor=ACTOR, now=min(paid, now))


def _requests(now: datetime) -> None:
    """Three werklab requests: one new, one in progress, one with a quote out."""
    asked = [
        ("Gemeente Hardenberg", "Lotte Kuipers", "Hoe ondersteunen we de dorpsbelangen?", 3),
        (
            "Gemeente Oldenzaal",
            "Bas Wolters",
            "Wijkteams en initiatieven: wie doet wat?",
            9,
        ),
        ("Gemeente Raalte", "Fenna Dijkstra", "Hoe maken we het Right to Challenge werkbaar?", 16),
    ]
    bookings = [
        intake.submit_request(
            IntakeData(
                municipality=municipality,
                contact_name=name,
                contact_role="Beleidsadviseur participatie",
                contact_email=name.split()[0].lower()
                + "@"
                + municipality.split()[1].lower()
                + ".example.nl",
                contact_phone="",
                expected_participants=12,
                policy_areas=["participation"],
                question=question,
                preferred_period="Najaar",
            ),
            now=now - timedelta(days=days),
        )
        for municipality, name, question, days in asked
    ]
    intake.update_request(
        bookings[1],
        status=RequestStatus.IN_PROGRESS,
        notes="Intakegesprek gepland.",
        actor=ACTOR,
        now=now - timedelta(days=7),
    )
    quote = intake.save_quote(
        bookings[2],
        QuoteData(
            [("Intake en voorbereiding", 120000), ("Drie bijeenkomsten", 450000)],
            2100,
            (now + timedelta(days=20)).date(),
        ),
        actor=ACTOR,
        now=now - timedelta(days=10),
    )
    intake.send_quote(quote, actor=ACTOR, now=now - timedelta(days=10))


def seed_overview(trainer: User, now: datetime) -> None:
    """Two programmes of earlier this year with their money, attendance and certificates,
    and werklab requests in each open stage."""
    P, E, A = PRESENT, EXCUSED, ABSENT
    spring, people = _past_programme(
        "Community of Practice Sociaal Domein Apeldoorn",
        ProgrammeKind.COP,
        "Apeldoorn",
        now - timedelta(days=330),
        10,
        "apeldoorn.example.nl",
    )
    # One cancelled before the start: the invoice is credited.
    cancel_registration(people[3], actor=ACTOR, now=now - timedelta(days=300), reason="Ziek")
    _run(
        spring,
        people,
        trainer,
        [[P] * 11, [P] * 8 + [E, P, P], [P] * 7 + [A, E, P, P]],
        now,
    )
    _pay(people, now, leave_open=0)

    summer, people = _past_programme(
        "Lerende Gemeenschap Omgevingswet Zutphen",
        ProgrammeKind.LEARNING_COMMUNITY,
        "Zutphen",
        now - timedelta(days=200),
        8,
        "zutphen.example.nl",
    )
    cancel_registration(people[5], actor=ACTOR, now=now - timedelta(days=170), reason="Nieuwe baan")
    _run(
        summer,
        people,
        trainer,
        [[P] * 10 + [E], [P] * 6 + [A, P, E, P, P], [P] * 5 + [A, A, P, P, E, P]],
        now,
    )
    # Two employers have not paid yet, long past the due date.
    _pay(people, now, leave_open=2)
    _requests(now)
