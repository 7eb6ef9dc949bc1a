"""Demo data for hosts taking turns: the demo Lerende Gemeenschap with a host rota (two
meetings hosted, one of them by a host whose room is too small for the group), an open offer
waiting for the trainer, and a practical question sent to a host."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.hosting import services as hosting
from werklab.hosting.services import OfferData
from werklab.registration.models import Registration, RegistrationStatus

#: (organisation, address, capacity, notes) of the demo hosts.
HOSTS = [
    (
        "Buurtcentrum De Speeldoos",
        "Vleutenseweg 386, 3532 HW Utrecht",
        30,
        "Rolstoeltoegankelijk, invalidentoilet aanwezig. Betaald parkeren in de straat; bus 2 "
        "stopt voor de deur. Wij verzorgen koffie, thee en een soeplunch.",
    ),
    (
        "Initiatief Groene Kerk Lombok",
        "Kanaalstraat 120, 3531 CM Utrecht",
        12,
        "Kleine zaal boven, alleen met de trap bereikbaar. Fietsenstalling in de tuin.",
    ),
    (
        "Woningcorporatie Portaal",
        "Hogeweide 14, 3542 AG Utrecht",
        40,
        "Grote vergaderzaal met beamer. Gratis parkeren op eigen terrein; 10 minuten lopen "
        "van station Utrecht Zuilen.",
    ),
]


def seed_hosting(programme: Programme, trainer: User, now: datetime) -> str:
    """Give the Lerende Gemeenschap its host rota; returns a line for the seed summary."""
    seated = list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == programme.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(Registration.id)
        ).scalars()
    )
    sessions = programme.sessions
    offers = []
    for person, (organisation, address, capacity, notes), session in zip(
        seated, HOSTS, [sessions[1], sessions[3], sessions[2]], strict=False
    ):
        offers.append(
            hosting.volunteer(
                person,
                OfferData(organisation, address, capacity, notes, session.id, ""),
                now=now - timedelta(days=2),
            )
        )
    # The trainer accepted the first two (the second room is too small for the group); the
    # third offer waits for a choice.
    hosting.accept_offer(offers[0], sessions[1], actor=trainer, now=now - timedelta(days=1))
    hosting.accept_offer(offers[1], sessions[3], actor=trainer, now=now - timedelta(days=1))
    hosting.ask_question(
        offers[0],
        seated[5],
        "Is er een plek om een fiets met kinderzitje te stallen? En hoe laat is de zaal open?",
        share_contact=True,
        now=now - timedelta(hours=3),
    )
    db.session.flush()
    return (
        f"{programme.title} has a host rota: two meetings hosted (one room too small for the "
        "group) and an open offer (Werkruimte > the programme > Gastheren en route)."
    )
