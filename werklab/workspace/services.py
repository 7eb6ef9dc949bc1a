"""Trainer workspace: the programmes someone runs, a programme's participants and waiting
list, and private trainer notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from werklab import audit
from werklab.accounts.models import User
from werklab.catalog.models import Programme, ProgrammeSession, programme_trainers
from werklab.catalog.services import load_programme  # noqa: F401  (also importable from here)
from werklab.db import utcnow
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.registration.lookup import load_registration  # noqa: F401  (also importable from here)
from werklab.registration.models import Registration, RegistrationStatus
from werklab.registration.seats import seats_taken, seats_taken_expr
from werklab.translation import lazy_gettext as _l
from werklab.workspace.models import NOTE_MAX_LENGTH, TrainerNote

S = RegistrationStatus

#: Who the participant list shows: people with a seat, a seat held for payment or offered.
PARTICIPANT_STATUSES = (S.CONFIRMED, S.HELD, S.OFFERED)


# --- my programmes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    taken: int
    waiting: int
    first_session: datetime | None


def programmes_run_by(trainer_id: int | None, *, now: datetime) -> list[ProgrammeRow]:
    """The programmes a trainer runs (all programmes when `trainer_id` is None), with seats
    taken and the length of the waiting list, the soonest first session first. One query."""
    waiting = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.programme_id == Programme.id, Registration.status == S.WAITLISTED)
        .correlate_except(Registration)
        .scalar_subquery()
    )
    first = (
        select(func.min(ProgrammeSession.starts_at))
        .where(ProgrammeSession.programme_id == Programme.id)
        .correlate_except(ProgrammeSession)
        .scalar_subquery()
    )
    query = select(Programme, seats_taken_expr(Programme.id), waiting, first).order_by(
        first.is_(None), first, Programme.id
    )
    if trainer_id is not None:
        query = query.join(programme_trainers).where(programme_trainers.c.user_id == trainer_id)
    rows = db.session.execute(query, {"now": now})
    return [ProgrammeRow(p, taken, waits, starts) for p, taken, waits, starts in rows]


# --- one programme -------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingRow:
    position: int
    registration: Registration


@dataclass(frozen=True)
class Overview:
    taken: int
    participants: list[Registration]
    waiting: list[WaitingRow]


def programme_overview(programme: Programme, *, now: datetime) -> Overview:
    """Participants (seated, held, offered) by name and the waiting list in order, in two
    queries however many people registered."""
    active = db.session.execute(
        select(Registration)
        .where(
            Registration.programme_id == programme.id,
            Registration.status.in_((*PARTICIPANT_STATUSES, S.WAITLISTED)),
        )
        .order_by(Registration.waitlist_seq, *_by_name())
    ).scalars()
    participants, waiting = [], []
    for registration in active:
        if registration.status is S.WAITLISTED:
            waiting.append(WaitingRow(len(waiting) + 1, registration))
        else:
            participants.append(registration)
    participants.sort(key=lambda r: (r.last_name.lower(), r.first_name.lower(), r.id))
    return Overview(seats_taken(programme.id, now), participants, waiting)


def _by_name():
    return (
        func.lower(Registration.last_name),
        func.lower(Registration.first_name),
        Registration.id,
    )


def participants_of(programme_id: int) -> list[Registration]:
    """The participant list (seated, held, offered) by name, for the exports."""
    return list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == programme_id,
                Registration.status.in_(PARTICIPANT_STATUSES),
            )
            .order_by(*_by_name())
        ).scalars()
    )


# --- trainer notes -------------------------------------------------------------------------


def add_note(
    registration: Registration, body: str, *, author: User, now: datetime | None = None
) -> TrainerNote:
    """Add a private note about a participant."""
    now = now or utcnow()
    body = (body or "").strip()
    if not body:
        raise ValidationError(str(_l("Please write something in the note.")))
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            str(_l("A note can be at most %(max)d characters.", max=NOTE_MAX_LENGTH))
        )
    note = TrainerNote(
        registration_id=registration.id, author_id=author.id, body=body, created_at=now
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        "trainer_note.created",
        note,
        actor=f"user:{author.id}",
        now=now,
        registration_id=registration.id,
    )
    return note


def notes_for_registrations(registration_ids: list[int]) -> list[TrainerNote]:
    """All trainer notes about these registrations, oldest first, with their authors loaded.

    Also what a participant sees under "mijn gegevens": the callers check who may see them.
    """
    if not registration_ids:
        return []
    return list(
        db.session.execute(
            select(TrainerNote)
            .where(TrainerNote.registration_id.in_(registration_ids))
            .options(selectinload(TrainerNote.author))
            .order_by(TrainerNote.registration_id, TrainerNote.created_at, TrainerNote.id)
        ).scalars()
    )
