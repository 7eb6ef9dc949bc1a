"""A programme whose sessions lie ahead at 10:00 Dutch time, with people seated long ago."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from tests.factories import Factories
from tests.workspace.helpers import staff
from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.catalog.services import SessionData, local_to_utc, utc_to_local
from werklab.db import utcnow
from werklab.extensions import db
from werklab.registration.models import Registration

#: Now, to the minute: the views and tick use the clock, so the data is made around it.
NOW: datetime = utcnow().replace(second=0, microsecond=0)
_seq = itertools.count(1)


def at_ten(days: int, *, base: datetime | None = None) -> datetime:
    """10:00 Dutch time, `days` days after the Dutch day of `base` (NOW), as naive UTC."""
    day = utc_to_local(base or NOW).date() + timedelta(days=days)
    return local_to_utc(datetime.combine(day, time(10)))


@dataclass
class Setup:
    programme: Programme
    trainer: User
    people: list[Registration]

    @property
    def sessions(self):
        return self.programme.sessions


def coming_programme(
    f: Factories,
    *,
    people: int = 3,
    first_in_days: int = 10,
    weeks_between: int = 4,
    sessions: int = 2,
    trainer_email: str | None = None,
    **kw,
) -> Setup:
    """Sessions at 10:00 Dutch time, the first `first_in_days` days from NOW; everyone
    registered (and seated) 30 days ago."""
    created = NOW - timedelta(days=30)
    n = next(_seq)
    programme = f.programme(
        now=created,
        registration_deadline=kw.pop("registration_deadline", created + timedelta(days=20)),
        decision_date=None,
        fee_cents=None,
        session_data=[
            SessionData(
                theme=f"Bijeenkomst {i + 1} van reeks {n}",
                starts_at=at_ten(first_in_days + 7 * weeks_between * i),
                ends_at=at_ten(first_in_days + 7 * weeks_between * i) + timedelta(hours=4),
                location_name="Buurthuis De Kern",
                location_address="Kernstraat 12, 8261 AB Kampen",
            )
            for i in range(sessions)
        ],
        **kw,
    )
    trainer = staff(
        trainer_email or f"trainer.{programme.id}@example.nl", "Tineke Trainer", password=False
    )
    programme.trainers.append(trainer)
    registrations = [f.registration(programme, now=created) for _ in range(people)]
    db.session.flush()
    return Setup(programme, trainer, registrations)
