"""The learning questions of a programme's participants, grouped by sector and then by
organisation, for the trainers who build the programme on them.

Who is listed: everyone whose registration is active (confirmed, paying, offered a seat or
waiting), with their status; cancelled and erased registrations are not. A question that a
coordinator changed after registration shows the current text and when it was changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from werklab.audit import AuditEntry
from werklab.catalog.models import Programme
from werklab.db import in_constants
from werklab.extensions import db
from werklab.registration.models import ACTIVE_STATUSES, Registration, Sector


@dataclass
class Asker:
    registration: Registration
    #: When the question was last changed after registration (None: as given then).
    changed_at: datetime | None = None


@dataclass
class Organisation:
    name: str
    people: list[Asker] = field(default_factory=list)


@dataclass
class SectorGroup:
    sector: Sector
    organisations: list[Organisation]

    @property
    def count(self) -> int:
        return sum(len(o.people) for o in self.organisations)


@dataclass
class LearningQuestions:
    sectors: list[SectorGroup]
    #: Active registrations without a learning question.
    without: list[Registration]

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sectors)


def _changed(registration_ids: list[int]) -> dict[int, datetime]:
    """Registration id → when its learning question was last changed (one query)."""
    if not registration_ids:
        return {}
    rows = db.session.execute(
        select(AuditEntry.object_id, AuditEntry.created_at, AuditEntry.data).where(
            AuditEntry.object_type == "registrations",
            AuditEntry.object_id.in_(registration_ids),
            AuditEntry.action == "registration.edited",
        )
    )
    changed: dict[int, datetime] = {}
    for object_id, created_at, data in rows:
        if "learning_question" in ((data or {}).get("fields") or []):
            changed[object_id] = max(created_at, changed.get(object_id, created_at))
    return changed


def learning_questions(programme: Programme) -> LearningQuestions:
    """The programme's learning questions by sector (in the usual order), then organisation
    (alphabetical, the same name in any spelling of capitals and spaces together)."""
    registrations = list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == programme.id,
                in_constants(Registration.status, ACTIVE_STATUSES),
                Registration.erased_at.is_(None),
            )
            .order_by(Registration.last_name, Registration.first_name, Registration.id)
        ).scalars()
    )
    asking = [r for r in registrations if (r.learning_question or "").strip()]
    changed = _changed([r.id for r in asking])
    sectors = []
    for sector in Sector:
        organisations: dict[str, Organisation] = {}
        for r in asking:
            if r.sector is not sector:
                continue
            key = " ".join(r.organisation.split()).casefold()
            group = organisations.setdefault(key, Organisation(" ".join(r.organisation.split())))
            group.people.append(Asker(r, changed.get(r.id)))
        if organisations:
            sectors.append(
                SectorGroup(sector, sorted(organisations.values(), key=lambda o: o.name.casefold()))
            )
    return LearningQuestions(sectors, [r for r in registrations if r not in asking])
