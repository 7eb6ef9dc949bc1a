"""Demo data for a second year (issue 15): a Community of Practice in its first year whose
renewal is open: three renewed (by invoice), one declined, the others still to answer; next
year's programme shows "opens on" to the public. Called by seed.seed_demo."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from werklab.accounts.models import User
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind
from werklab.catalog.services import ProgrammeData, SessionData, local_to_utc
from werklab.extensions import db
from werklab.groups import services as groups
from werklab.registration.models import PaymentMethod, Sector
from werklab.registration.signup import BillingDetails, RegistrationData, register
from werklab.renewal import services as renewal

PEOPLE = [
    ("Fatima", "El Amrani", "Gemeente Apeldoorn", Sector.GOVERNMENT, "Beleidsadviseur"),
    ("Johan", "Brinkman", "Stichting Welzijn Epe", Sector.CIVIL_SOCIETY, "Opbouwwerker"),
    ("Ineke", "Postma", "Energiecoöperatie Veluwe", Sector.BUSINESS, "Bestuurder"),
    ("Ruud", "Hendriks", "Gemeente Heerde", Sector.GOVERNMENT, "Wijkregisseur"),
    ("Sanne", "Visser", "Woningcorporatie Triada", Sector.CIVIL_SOCIETY, "Wijkconsulent"),
    ("Kees", "Mulder", "Zorgcoöperatie Hattem", Sector.BUSINESS, "Coördinator"),
    ("Lotte", "Smit", "Gemeente Voorst", Sector.GOVERNMENT, "Participatiemakelaar"),
    ("Ahmed", "Yilmaz", "Buurtteam Zutphen", Sector.CIVIL_SOCIETY, "Buurtwerker"),
]


def _person(first: str, last: str, organisation: str, sector: Sector, job: str, **kw):
    return RegistrationData(
        first_name=first,
        last_name=last,
        email=f"{first.lower()}.{last.lower().replace(' ', '')}@example.nl",
        organisation=organisation,
        sector=sector,
        job_title=job,
        learning_question="Hoe versterken we samen de burgerproductiekracht in onze regio?",
        privacy_consent=True,
        **kw,
    )


def _billing(organisation: str) -> BillingDetails:
    return BillingDetails(
        organisation=organisation,
        address="",
        street="Postbus 9000",
        postcode="7300 ES",
        city="Apeldoorn",
        email="facturen@example.nl",
        reference="CoP-2027",
        legal_id="12345678",
    )


def seed_renewal(coordinator: User, trainer: User, now: datetime) -> str:
    """The first year began ten months ago; the renewal was opened five days ago."""
    began = now - timedelta(days=300)
    first = began + timedelta(days=14)
    cop = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.COP,
            title=f"CoP Burgerproductiekracht Veluwe {first.year}",
            description=(
                "Een jaar lang met professionals uit overheid, maatschappelijke organisaties en "
                "ondernemingen werken aan de burgerproductiekracht van de Veluwe: maandelijks "
                "bij een van de deelnemers, met huiswerkgroepen tussendoor."
            ),
            region="Veluwe",
            fee_cents=75000,
            max_participants=10,
            min_participants=6,
            registration_deadline=began + timedelta(days=10),
            decision_date=(began + timedelta(days=10)).date(),
            sessions=[
                SessionData(
                    theme,
                    local_to_utc(
                        datetime.combine((first + timedelta(weeks=8 * i)).date(), time(13))
                    ),
                    local_to_utc(
                        datetime.combine((first + timedelta(weeks=8 * i)).date(), time(17))
                    ),
                    place,
                    "Marktplein 1, 7311 LC Apeldoorn",
                )
                for i, (theme, place) in enumerate(
                    [
                        ("Kennismaking en leervragen", "Gemeentehuis Apeldoorn"),
                        ("Wat is burgerproductiekracht?", "Energiecoöperatie Veluwe"),
                        ("Inwoners aan zet", "Buurtteam Zutphen"),
                        ("Terugblik en vooruitblik", "Zorgcoöperatie Hattem"),
                    ]
                )
            ],
        ),
        actor="seed",
        now=began,
    )
    cop.trainers.append(trainer)
    catalog.open_registration(cop, actor="seed", now=began)
    seated = [
        register(cop.id, _person(*p), actor="seed", place="seat", now=began + timedelta(hours=i))
        for i, p in enumerate(PEOPLE)
    ]
    groups.compose_groups(
        cop, size_min=2, size_max=3, seed=4, actor=None, now=began + timedelta(days=20)
    )
    opened_at = now - timedelta(days=5)
    opened = renewal.open_renewal(
        cop,
        renewal.RenewalData(
            title=renewal.suggested_title(cop, opened_at),
            deadline=local_to_utc(datetime.combine((now + timedelta(days=9)).date(), time(23, 59))),
        ),
        actor=f"user:{coordinator.id}",
        now=opened_at,
    )
    by_registration = {i.registration_id: i for i in opened.invitations}
    for n, registration in enumerate(seated[:3]):
        person = PEOPLE[n]
        renewal.renew(
            by_registration[registration.id],
            _person(
                *person,
                payment_method=PaymentMethod.INVOICE,
                billing=_billing(person[2]),
            ),
            now=opened_at + timedelta(days=1, hours=n),
        )
    renewal.decline_renewal(by_registration[seated[3].id], now=opened_at + timedelta(days=2))
    db.session.flush()
    return opened.next_programme.title
