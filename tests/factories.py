"""Factories for test data, built through the services (so the rules apply)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from werklab.catalog import services as catalog
from werklab.catalog.models import Programme, ProgrammeKind, ProgrammeStatus, Visibility
from werklab.catalog.services import ProgrammeData, SessionData
from werklab.db import utcnow
from werklab.extensions import db
from werklab.registration import services as registration
from werklab.registration.models import Registration, Sector
from werklab.registration.signup import RegistrationData

_seq = itertools.count(1)


class Factories:
    def programme(
        self,
        *,
        kind: ProgrammeKind = ProgrammeKind.COP,
        status: ProgrammeStatus = ProgrammeStatus.OPEN,
        sessions: int = 3,
        now: datetime | None = None,
        **kw,
    ) -> Programme:
        now = now or utcnow()
        n = next(_seq)
        start = (now + timedelta(days=40)).replace(hour=9, minute=0, second=0, microsecond=0)
        data = ProgrammeData(
            kind=kind,
            title=kw.pop("title", f"Community of Practice Regio {n}"),
            description=kw.pop("description", "Samen leren werken met bewonersinitiatieven."),
            region=kw.pop("region", "Gelderland"),
            fee_cents=kw.pop("fee_cents", 75000 if kind is ProgrammeKind.COP else None),
            registration_deadline=kw.pop("registration_deadline", now + timedelta(days=30)),
            decision_date=kw.pop("decision_date", (now + timedelta(days=30)).date()),
            sessions=kw.pop(
                "session_data",
                [
                    SessionData(
                        theme=f"Thema {i + 1}",
                        starts_at=start + timedelta(weeks=6 * i),
                        ends_at=start + timedelta(weeks=6 * i, hours=4),
                        location_name=f"Buurthuis {i + 1}",
                        location_address=f"Dorpsstraat {i + 1}, 1234 AB Ergens",
                    )
                    for i in range(sessions)
                ]
                if kind is not ProgrammeKind.WERKLAB
                else [],
            ),
            **kw,
        )
        programme = catalog.create_programme(data, actor="test", now=now)
        if status is not ProgrammeStatus.DRAFT:
            catalog.set_status(programme, status, actor="test", now=now)
        db.session.flush()
        return programme

    def invitation_programme(self, **kw) -> Programme:
        return self.programme(visibility=Visibility.INVITATION, **kw)

    def person(self, **kw) -> RegistrationData:
        n = next(_seq)
        values = dict(
            first_name=f"Anna{n}",
            last_name="de Vries",
            email=f"anna{n}@example.nl",
            organisation="Gemeente Arnhem",
            sector=Sector.GOVERNMENT,
            job_title="Beleidsadviseur",
            learning_question="Hoe ondersteun ik initiatieven?",
            dietary_wishes=None,
            privacy_consent=True,
        )
        values.update(kw)
        return RegistrationData(**values)

    def registration(
        self, programme: Programme, *, now: datetime | None = None, **kw
    ) -> Registration:
        return registration.register(
            programme.id,
            self.person(**kw),
            invitation_token=programme.invitation_token,
            actor="test",
            now=now or utcnow(),
        )

    def took_place(self, programme: Programme, *, now: datetime | None = None) -> Programme:
        """Move a programme's sessions into the past (same order and spacing), as if they
        had taken place: attendance and certificates wait for that. Bypasses the services,
        which refuse to plan anything in the past."""
        now = now or utcnow()
        shift = max(s.ends_at for s in programme.sessions) - now + timedelta(days=1)
        for session in programme.sessions:
            session.starts_at -= shift
            session.ends_at -= shift
        db.session.flush()
        return programme

    def fill(self, programme: Programme, count: int, *, now: datetime | None = None):
        return [self.registration(programme, now=now) for _ in range(count)]
