"""A CoP run by trainer Tineke with four seated participants and one on the waiting list."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.workspace.helpers import staff
from werklab.extensions import db
from werklab.hosting.services import OfferData

#: Everything happens at T0 (Monday 2 March 2026, 10:00 Dutch time) unless said otherwise.
T0 = datetime(2026, 3, 2, 9, 0)
#: The factory's sessions start 40 days after T0 and then every six weeks.
FIRST = T0.replace(hour=9) + timedelta(days=40)


def offer_data(**kw) -> OfferData:
    values = dict(
        organisation="Buurthuis De Speeldoos",
        address="Vleutenseweg 386, 3532 HW Utrecht",
        capacity=25,
        notes="Rolstoeltoegankelijk. Bus 2 stopt voor de deur.",
        preferred_session_id=None,
        preferred_period="",
    )
    values.update(kw)
    return OfferData(**values)


class World:
    def __init__(
        self,
        factories,
        *,
        people: int = 4,
        max_participants: int = 4,
        tag: str = "",
        t0: datetime = T0,
        accounts: bool = False,
    ):
        """`accounts`: the trainer and the participants get passwords to sign in with."""
        self.programme = factories.programme(
            now=t0, sessions=3, min_participants=2, max_participants=max_participants
        )
        self.trainer = staff(f"tineke{tag}@example.nl", "Tineke Trainer", password=accounts)
        self.programme.trainers.append(self.trainer)
        self.people = [
            factories.registration(
                self.programme,
                now=t0,
                first_name=f"Deelnemer{i}",
                last_name="Achternaam",
                email=f"deelnemer{i}{tag}@example.nl",
                dietary_wishes="Vegetarisch" if i == 0 else None,
            )
            for i in range(people)
        ]
        self.waiting = factories.registration(
            self.programme, now=t0, first_name="Wachtend", email=f"wacht{tag}@example.nl"
        )
        self.users = (
            [staff(p.email, p.full_name, trainer=False) for p in self.people] if accounts else []
        )
        db.session.flush()

    @property
    def sessions(self):
        return self.programme.sessions
