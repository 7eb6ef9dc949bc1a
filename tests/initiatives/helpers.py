"""Shared by the initiatives tests: initiatives, a programme with a site-visit session."""

from __future__ import annotations

from datetime import date, timedelta

from werklab.catalog.models import ProgrammeKind, SessionKind
from werklab.catalog.services import SessionData
from werklab.db import utcnow
from werklab.initiatives import services
from werklab.initiatives.services import InitiativeData


def initiative(name="Buurttuin De Linde", capacity=5, **kw):
    data = InitiativeData(
        name=name,
        place=kw.pop("place", "Arnhem"),
        municipality=kw.pop("municipality", "Arnhem"),
        description=kw.pop("description", "Een moestuin van en voor de buurt."),
        contact_name=kw.pop("contact_name", "Henk Tuinman"),
        contact_email=kw.pop("contact_email", f"{name.split()[-1].lower()}@initiatief.nl"),
        address=kw.pop("address", "Lindelaan 4, 6800 AA Arnhem"),
        capacity=capacity,
        consent_date=kw.pop("consent_date", date(2026, 1, 5)),
        **kw,
    )
    return services.create_initiative(data, actor="test")


def site_visit_programme(factories, *, now=None):
    """A CoP whose first session is a site visit, 40 days from now."""
    now = now or utcnow()
    start = (now + timedelta(days=40)).replace(hour=9, minute=0, second=0, microsecond=0)
    sessions = [
        SessionData(
            theme="Op de koffie",
            starts_at=start,
            ends_at=start + timedelta(hours=4),
            location_name="Stadhuis",
            location_address="Markt 1, Arnhem",
            kind=SessionKind.SITE_VISIT,
        ),
        SessionData(
            theme="Samenwerking",
            starts_at=start + timedelta(weeks=6),
            ends_at=start + timedelta(weeks=6, hours=4),
        ),
    ]
    return factories.programme(kind=ProgrammeKind.COP, session_data=sessions, now=now)


def slot(session, hours=(0, 2)):
    return session.starts_at + timedelta(hours=hours[0]), session.starts_at + timedelta(
        hours=hours[1]
    )
