"""A Lerende Gemeenschap made at a fixed moment, its trainer and its participants."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.workspace.helpers import staff
from werklab.catalog.models import ProgrammeKind
from werklab.extensions import db
from werklab.registration.models import Sector

#: The programme is made (and people register) at T0; its sessions start 40 days later.
T0 = datetime(2026, 3, 2, 9, 0)
SOON = T0 + timedelta(days=1)


class World:
    """An LG of trainer Tineke: four seated participants (sectors and organisations mixed)
    and a fifth on the waiting list."""

    def __init__(
        self,
        factories,
        tag: str = "",
        kind=ProgrammeKind.LEARNING_COMMUNITY,
        t0: datetime = T0,
        password: bool = False,
    ):
        self.programme = factories.programme(
            now=t0,
            kind=kind,
            sessions=4,
            min_participants=2,
            max_participants=4,
            title=f"Lerende Gemeenschap Test{tag}",
        )
        self.trainer = staff(f"tineke{tag}@example.nl", "Tineke Trainer", password=password)
        self.programme.trainers.append(self.trainer)
        people = [
            ("Anna", "Appel", "Gemeente Arnhem", Sector.GOVERNMENT, "Hoe geef ik ruimte?"),
            ("Bram", "Boom", "gemeente  arnhem", Sector.GOVERNMENT, "Wat is mijn rol?"),
            ("Cor", "Claes", "Woonstichting", Sector.CIVIL_SOCIETY, "Hoe betrek ik huurders?"),
            ("Dina", "Dijk", "Buurtkracht", Sector.RESIDENT, None),
            ("Eva", "Ek", "Gemeente Ede", Sector.GOVERNMENT, "Ik sta op de wachtlijst."),
        ]
        self.people = [
            factories.registration(
                self.programme,
                now=t0,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}{tag}@example.nl",
                organisation=organisation,
                sector=sector,
                learning_question=question,
            )
            for first, last, organisation, sector, question in people
        ]
        self.seated = self.people[:4]
        self.waiting = self.people[4]
        db.session.flush()

    def session(self, n: int):
        return self.programme.sessions[n - 1]
