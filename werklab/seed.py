"""A realistic demo set for `flask werklab seed-demo`."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import delete

from werklab.accounts import services as accounts
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus, SessionKind, Visibility
from werklab.catalog.services import ProgrammeData, SessionData, local_to_utc
from werklab.db import utcnow
from werklab.extensions import db
from werklab.followup.demo import seed_running_programme
from werklab.intake import services as intake
from werklab.intake.services import Acceptance, IntakeData, QuoteData
from werklab.invoicing.models import Invoice
from werklab.links import external_url
from werklab.mail import OutboxMail
from werklab.registration import services as registration
from werklab.registration.models import Sector
from werklab.registration.signup import RegistrationData
from werklab.seed_coordinator import seed_day_to_day
from werklab.seed_evaluations import seed_evaluations
from werklab.seed_exports import seed_exports
from werklab.seed_hosting import seed_hosting
from werklab.seed_overview import seed_overview
from werklab.seed_reminders import seed_reminders
from werklab.seed_renewal import seed_renewal
from werklab.seed_retention import seed_archived_programme
from werklab.seed_series import seed_series
from werklab.seed_themes import seed_themes

FIRST = [
    "Anouk",
    "Bram",
    "Sanne",
    "Daan",
    "Fatima",
    "Jeroen",
    "Lotte",
    "Mohamed",
    "Ingrid",
    "Kees",
    "Noor",
    "Pieter",
    "Yasmina",
    "Ruud",
    "Eva",
    "Tim",
    "Marieke",
    "Sem",
    "Hatice",
    "Wouter",
    "Femke",
    "Joost",
    "Lieke",
    "Ahmed",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "El Amrani",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Yilmaz",
    "Dekker",
]
ORGS = [
    ("Gemeente Deventer", Sector.GOVERNMENT, "Beleidsadviseur participatie"),
    ("Provincie Overijssel", Sector.GOVERNMENT, "Programmamanager leefbaarheid"),
    ("Woningcorporatie Rentree", Sector.CIVIL_SOCIETY, "Wijkconsulent"),
    ("Welzijn Salland", Sector.CIVIL_SOCIETY, "Opbouwwerker"),
    ("Rabobank Salland", Sector.BUSINESS, "Coördinator coöperatief dividend"),
    ("Energiecoöperatie Zon op Zwolle", Sector.RESIDENT, "Bestuurslid"),
    ("Bibliotheek Zwolle", Sector.CIVIL_SOCIETY, "Programmamaker"),
    ("Gemeente Kampen", Sector.GOVERNMENT, "Wijkregisseur"),
    ("Buurthuis De Kern", Sector.RESIDENT, "Vrijwilliger en initiatiefnemer"),
    ("Adviesbureau Verbinding", Sector.BUSINESS, "Adviseur"),
]
QUESTIONS = [
    "Hoe maak ik ruimte in mijn organisatie voor initiatieven die niet in een regeling passen?",
    "Hoe houden we bewonersinitiatieven overeind als de trekkers moe worden?",
    "Wat is mijn rol als verbinder tussen gemeente en buurt?",
    "Hoe ga ik om met het Right to Challenge in de praktijk?",
]


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(datetime.combine(day.date(), time(hour, minute)))


def _end_of_day(day: datetime) -> datetime:
    return local_to_utc(datetime.combine(day.date(), time(23, 59)))


def _people(rng: random.Random, count: int, domain: str | None = None, org=None):
    used = set()
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        while (first, last) in used:
            first, last = rng.choice(FIRST), rng.choice(LAST)
        used.add((first, last))
        organisation, sector, job = org or rng.choice(ORGS)
        local = f"{first}.{last}".lower().replace(" ", "")
        yield RegistrationData(
            first_name=first,
            last_name=last,
            email=f"{local}{i}@{domain or 'example.nl'}",
            organisation=organisation,
            sector=sector,
            job_title=job,
            learning_question=rng.choice(QUESTIONS),
            dietary_wishes="Vegetarisch" if rng.random() < 0.2 else None,
            privacy_consent=True,
        )


#: Demo accounts (password below); only for the demo database, printed by seed-demo.
DEMO_PASSWORD = "werklab-demo-wachtwoord"  # noqa: S105 - demo data only; seed-demo refuses production
DEMO_STAFF = {
    "coordinator": ("coordinator@werklab.example", "Cora de Coördinator", True, False),
    "trainer_gemeente": ("marleen@werklab.example", "Marleen Gemeentekennis", False, True),
    "trainer_initiatieven": ("youssef@werklab.example", "Youssef Initiatievenkenner", False, True),
}


def _demo_staff(now: datetime) -> dict:
    return {
        key: accounts.create_user(
            email,
            name,
            password=DEMO_PASSWORD,
            coordinator=coordinator,
            trainer=trainer,
            actor="system:seed",
            now=now,
        )
        for key, (email, name, coordinator, trainer) in DEMO_STAFF.items()
    }


#: A made-up OIN in the 20-digit format (prefix 00000001, RSIN, 000) for the demo municipality.
DEMO_OIN = "00000001001234567000"


def _demo_accepted_quote(now: datetime):
    """A municipality with an OIN that asked for a werklab and accepted the quote online: its
    invoice downloads as a valid e-invoice (UBL, NLCIUS). Returns the invoice and the werklab
    booked (a draft, invitation-only)."""
    booking = intake.submit_request(
        IntakeData(
            municipality="Deventer",
            contact_name="Sanne Jansen",
            contact_role="Kwartiermaker participatie",
            contact_email="s.jansen@deventer.example.nl",
            contact_phone="0570 123 456",
            expected_participants=12,
            policy_areas=["social", "participation"],
            question=(
                "Onze wijkteams willen beter samenwerken met bewonersinitiatieven. Hoe geven we "
                "initiatieven ruimte zonder ze over te nemen?"
            ),
            preferred_period="Voorjaar",
        ),
        now=now,
    )
    quote = intake.save_quote(
        booking,
        QuoteData(
            [
                ("Intake en voorbereiding", 120000),
                ("Drie bijeenkomsten met twee begeleiders", 450000),
                ("Reiskosten", 15050),
            ],
            2100,
            (now + timedelta(days=30)).date(),
        ),
        actor="system:seed",
        now=now,
    )
    intake.send_quote(quote, actor="system:seed", now=now)
    intake.accept_quote(
        quote,
        Acceptance(
            name="Sanne Jansen",
            role="Kwartiermaker participatie",
            purchase_reference="4500012345",
            billing_address="",
            billing_email="crediteuren@deventer.example.nl",
            agree_terms=True,
            buyer_reference="SD/2026/077",
            street="Grote Kerkhof 1",
            postcode="7411 KT",
            city="Deventer",
            legal_id=DEMO_OIN,
            e_invoice=True,
        ),
        now=now,
    )
    db.session.flush()
    return db.session.get(Invoice, quote.invoice_id), quote.booking_request.programme


def seed_demo(now: datetime | None = None) -> str:
    """Create a werklab, a CoP, a Lerende Gemeenschap and a second CoP, with registrations."""
    now = now or utcnow()
    rng = random.Random(2026)
    actor = "system:seed"
    start = now + timedelta(weeks=8)
    start += timedelta(days=(1 - start.weekday()) % 7)  # a Tuesday

    werklab = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.WERKLAB,
            title="Werklab Gemeente Zwolle",
            description=(
                "Een werklab voor medewerkers van de gemeente Zwolle die met bewonersinitiatieven "
                "werken. We beginnen buiten het stadhuis: op de koffie bij initiatieven in de "
                "eigen gemeente.\n\nDaarna werken we aan de samenwerking tussen gemeente en "
                "initiatieven, en aan je eigen rol als adviseur, verbinder of regisseur."
            ),
            region="Zwolle",
            registration_deadline=_end_of_day(now + timedelta(weeks=6)),
            decision_date=(now + timedelta(weeks=6)).date(),
            visibility=Visibility.INVITATION,
            sessions=[
                SessionData(
                    "Op de koffie bij bewonersinitiatieven",
                    _at(start, 9, 30),
                    _at(start, 13),
                    "Buurtcentrum Holtenbroek",
                    "Zwartewaterallee 20, 8031 DX Zwolle",
                    SessionKind.SITE_VISIT,
                ),
                SessionData(
                    "De samenwerking van de gemeente met bewonersinitiatieven",
                    _at(start + timedelta(weeks=3), 13, 30),
                    _at(start + timedelta(weeks=3), 17),
                    "Stadhuis Zwolle",
                    "Grote Kerkplein 15, 8011 PK Zwolle",
                ),
                SessionData(
                    "Je eigen rol",
                    _at(start + timedelta(weeks=6), 13, 30),
                    _at(start + timedelta(weeks=6), 17),
                    "Stadhuis Zwolle",
                    "Grote Kerkplein 15, 8011 PK Zwolle",
                ),
            ],
        ),
        actor=actor,
        now=now,
    )

    cop = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.COP,
            title="Community of Practice Bewonersinitiatieven Oost-Nederland",
            description=(
                "Een Community of Practice voor professionals van overheid, maatschappelijke "
                "organisaties en ondernemingen die bewonersinitiatieven willen ondersteunen. We "
                "komen bij elkaar op wisselende plekken in de regio en bezoeken initiatieven.\n\n"
                "Tussen de bijeenkomsten werk je in een huiswerkgroepje aan opdrachten uit je "
                "eigen praktijk. Het programma stellen we samen op met de leervragen van de "
                "deelnemers. De bijdrage is inclusief begeleiding, koffie, thee en lunch."
            ),
            region="Overijssel en Gelderland",
            fee_cents=75000,
            registration_deadline=_end_of_day(now + timedelta(weeks=5)),
            decision_date=(now + timedelta(weeks=5)).date(),
            sessions=[
                SessionData(
                    theme,
                    _at(start + timedelta(weeks=6 * i), 10),
                    _at(start + timedelta(weeks=6 * i), 15, 30),
                    place,
                    address,
                )
                for i, (theme, place, address) in enumerate(
                    [
                        (
                            "Kennismaking en leervragen",
                            "Bibliotheek Zwolle",
                            "Diezerstraat 80, 8011 RJ Zwolle",
                        ),
                        (
                            "Is mijn organisatie klaar voor initiatieven?",
                            "Wijkboerderij De Ulebelt",
                            "Zwolseweg 563, 7422 LR Deventer",
                        ),
                        (
                            "Van idee naar plan van aanpak",
                            "Energiecoöperatie Zon op Zwolle",
                            "Schuurmanstraat 3, 8011 LT Zwolle",
                        ),
                        (
                            "Inventarisatie: wat loopt er al?",
                            "Buurthuis De Kern",
                            "Kernstraat 12, 8261 AB Kampen",
                        ),
                    ]
                )
            ],
        ),
        actor=actor,
        now=now,
    )

    lg = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.LEARNING_COMMUNITY,
            title="Lerende Gemeenschap Samen Sterk in de Wijk",
            description=(
                "Anderhalf jaar leren met en van elkaar: elke zes tot acht weken een plenaire "
                "bijeenkomst bij een van de deelnemers, werkgroepen, werkbezoeken (in elkaars "
                "keuken kijken) en tussenevaluaties. We sluiten bewust samen af."
            ),
            region="Utrecht",
            fee_cents=95000,
            min_participants=10,
            max_participants=15,
            registration_deadline=_end_of_day(now + timedelta(weeks=4)),
            decision_date=(now + timedelta(weeks=4)).date(),
            sessions=[
                SessionData(
                    theme,
                    _at(start + timedelta(weeks=weeks), 13),
                    _at(start + timedelta(weeks=weeks), 17),
                    place,
                    address,
                )
                for weeks, theme, place, address in [
                    (
                        0,
                        "Start: wie zijn we en wat willen we leren?",
                        "Gemeente Utrecht",
                        "Stadsplateau 1, 3521 AZ Utrecht",
                    ),
                    (
                        7,
                        "In elkaars keuken kijken",
                        "Woningcorporatie Mitros",
                        "Zuilenstraat 2, 3512 NB Utrecht",
                    ),
                    (
                        13,
                        "Tussenevaluatie en werkgroepen",
                        "Buurtcentrum Oase",
                        "Oase 1, 3523 AA Utrecht",
                    ),
                    (
                        21,
                        "Initiatieven die blijven",
                        "Stichting Wijkwerk",
                        "Amsterdamsestraatweg 200, 3551 CN Utrecht",
                    ),
                    (28, "Bewust afsluiten", "Gemeente Utrecht", "Stadsplateau 1, 3521 AZ Utrecht"),
                ]
            ],
        ),
        actor=actor,
        now=now,
    )

    cop_south = catalog.create_programme(
        ProgrammeData(
            kind=ProgrammeKind.COP,
            title="Community of Practice Burgerkracht Brabant",
            description=(
                "Voor professionals in Brabant die willen leren hoe hun organisatie "
                "burgerinitiatieven beter kan ondersteunen."
            ),
            region="Noord-Brabant",
            fee_cents=75000,
            registration_deadline=_end_of_day(now + timedelta(weeks=7)),
            decision_date=(now + timedelta(weeks=7)).date(),
            sessions=[
                SessionData(
                    "Kennismaking",
                    _at(start + timedelta(weeks=2), 10),
                    _at(start + timedelta(weeks=2), 15),
                    "Het Klokgebouw",
                    "Klokgebouw 50, 5617 AB Eindhoven",
                ),
            ],
        ),
        actor=actor,
        now=now,
    )

    staff = _demo_staff(now)
    werklab.trainers.extend([staff["trainer_gemeente"], staff["trainer_initiatieven"]])
    cop.trainers.append(staff["trainer_initiatieven"])
    lg.trainers.append(staff["trainer_gemeente"])
    cop_south.trainers.append(staff["trainer_initiatieven"])

    for programme in (werklab, cop, lg, cop_south):
        catalog.set_status(programme, ProgrammeStatus.OPEN, actor=actor, now=now)

    civil_servants = [("Gemeente Zwolle", Sector.GOVERNMENT, "Beleidsmedewerker")]
    counts = {werklab.id: 8, cop.id: 12, lg.id: 18, cop_south.id: 4}
    for programme in (werklab, cop, lg, cop_south):
        org = civil_servants[0] if programme is werklab else None
        domain = "zwolle.example.nl" if programme is werklab else None
        for i, person in enumerate(_people(rng, counts[programme.id], domain, org)):
            registration.register(
                programme.id,
                person,
                invitation_token=programme.invitation_token,
                actor=actor,
                now=now + timedelta(minutes=i),
            )
    seed_day_to_day(cop, lg, staff["coordinator"], staff["trainer_initiatieven"], now)
    themes_summary = seed_themes(lg, staff["trainer_gemeente"], now)
    # The werklab that quote booked is still being planned (a draft): its invitation link
    # says "inschrijving opent binnenkort".
    invoice, planned = _demo_accepted_quote(now)
    evaluations_summary = seed_evaluations(
        staff["trainer_gemeente"], list(_people(rng, 12)), rng, now
    )
    evaluations_summary += seed_reminders(staff["trainer_gemeente"], now)
    running = seed_running_programme(staff["trainer_gemeente"], now)
    seed_overview(staff["trainer_initiatieven"], now)
    evaluations_summary += "\n" + seed_exports(now)
    hosting_summary = seed_hosting(lg, staff["trainer_gemeente"], now)
    evaluations_summary += seed_series(staff, list(_people(rng, 16)), now)
    seed_renewal(staff["coordinator"], staff["trainer_initiatieven"], now)
    evaluations_summary += seed_archived_programme(staff["trainer_initiatieven"], now)
    # Demo addresses are not real: the mails the set-up queued are not sent.
    db.session.execute(delete(OutboxMail))
    link = external_url(
        "catalog.programme", slug=werklab.slug, uitnodiging=werklab.invitation_token
    )
    planned_link = external_url(
        "catalog.programme", slug=planned.slug, uitnodiging=planned.invitation_token
    )
    return (
        f"Demo data added: 7 programmes and a booked werklab. Invitation link: {link}\n"
        f"Invitation link of the booked werklab, which opens soon: {planned_link}\n"
        f"Gemeente Deventer (OIN {DEMO_OIN}) accepted a quote: invoice {invoice.number} "
        "downloads as an e-invoice (UBL) under Beheer > Facturen.\n"
        f"{running} is under way: see 'Aandacht nodig' (signed in as marleen@werklab.example).\n"
        f"Demo sign-in (password {DEMO_PASSWORD}): "
        + ", ".join(email for email, *_ in DEMO_STAFF.values())
        + "\n"
        + evaluations_summary
        + "\n"
        + hosting_summary
        + "\n"
        + themes_summary
    )
