"""The catalogue with its seats taken, and changes to a programme's maximum.

These read or guard seats, which registrations take: they sit in the registration area, above
catalog (the programmes themselves), so that catalog never needs to know about registrations.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from werklab import audit
from werklab.catalog.models import (
    Programme,
    ProgrammeKind,
    ProgrammeSession,
    ProgrammeStatus,
    Visibility,
    registration_open,
)
from werklab.catalog.services import (
    PAGE_STATUSES,
    PROGRAMME_FIELDS,
    ProgrammeData,
    check_programme_data,
    page_shown,
)
from werklab.db import in_constants, utcnow
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.registration.seats import lock_programme, seats_taken, seats_taken_expr
from werklab.registration.waitlist import advance_waiting_list
from werklab.translation import lazy_gettext as _l


@cache
def _open_programmes_stmt(kind: ProgrammeKind | None):
    query = (
        select(Programme, seats_taken_expr(Programme.id))
        .where(
            Programme.status == ProgrammeStatus.OPEN,
            Programme.visibility == Visibility.PUBLIC,
        )
        .options(selectinload(Programme.sessions))
        .order_by(
            Programme.registration_deadline.is_(None),
            Programme.registration_deadline,
            Programme.id,
        )
    )
    if kind is not None:
        query = query.where(Programme.kind == kind)
    return query


def open_programmes(
    kind: ProgrammeKind | None = None, *, now: datetime
) -> list[tuple[Programme, int]]:
    """Public programmes open for registration with their seats taken, soonest deadline first."""
    rows = db.session.execute(_open_programmes_stmt(kind), {"now": now})
    return [(programme, taken) for programme, taken in rows]


@cache
def _visible_programme_stmt():
    return (
        select(Programme, seats_taken_expr(Programme.id))
        .where(Programme.slug == bindparam("slug"), in_constants(Programme.status, PAGE_STATUSES))
        .options(joinedload(Programme.sessions))
    )


def visible_programme(
    slug: str, invitation_token: str | None, *, now: datetime | None = None
) -> tuple[Programme, int] | None:
    """The programme behind a public page with its seats taken (one query), or None when it
    is a draft, unknown, or invitation-only and the invitation is missing."""
    row = (
        db.session.execute(_visible_programme_stmt(), {"slug": slug, "now": now or utcnow()})
        .unique()
        .one_or_none()
    )
    if row is None or not page_shown(row[0], invitation_token):
        return None
    return row[0], row[1]


@cache
def _registrable_programme_stmt():
    return select(Programme, seats_taken_expr(Programme.id)).where(
        Programme.slug == bindparam("slug"), in_constants(Programme.status, PAGE_STATUSES)
    )


def registrable_programme_and_seats(
    slug: str, invitation_token: str | None, *, now: datetime
) -> tuple[Programme, int] | None:
    """The programme behind a registration form (without its sessions) and its seats taken,
    in one query; None like catalog.services.registrable_programme."""
    row = db.session.execute(
        _registrable_programme_stmt(), {"slug": slug, "now": now}
    ).one_or_none()
    if row is None or not page_shown(row[0], invitation_token):
        return None
    return row[0], row[1]


@dataclass(frozen=True)
class RegistrationHead:
    """What a posted registration form needs of its programme before the lock: the form's
    fields depend on the kind, the fee and whether the programme is full. Everything that
    decides the registration is read again under the lock (see signup.register)."""

    id: int
    kind: ProgrammeKind
    fee_cents: int | None
    max_participants: int
    seats_taken: int
    registration_open: bool

    @property
    def full(self) -> bool:
        return self.seats_taken >= self.max_participants


@cache
def _registration_head_stmt():
    return select(
        Programme.id,
        Programme.kind,
        Programme.fee_cents,
        Programme.max_participants,
        seats_taken_expr(Programme.id),
        Programme.status,
        Programme.registration_deadline,
        Programme.visibility,
        Programme.invitation_token,
    ).where(Programme.slug == bindparam("slug"), in_constants(Programme.status, PAGE_STATUSES))


def registration_head(
    slug: str, invitation_token: str | None, *, now: datetime
) -> RegistrationHead | None:
    """The programme behind a posted registration form, as plain values (one light query,
    without building the programme as an ORM object, which the lock reads again anyway);
    None like registrable_programme_and_seats."""
    row = (
        db.session.connection()
        .execute(_registration_head_stmt(), {"slug": slug, "now": now})
        .one_or_none()
    )
    if not page_shown(row, invitation_token):
        return None
    return RegistrationHead(
        row.id,
        row.kind,
        row.fee_cents,
        row.max_participants,
        row[4],
        registration_open(row.status, row.registration_deadline, now),
    )


@dataclass(frozen=True)
class PageVersion:
    """What a programme page depends on, read in one light query."""

    programme_id: int
    updated_at: datetime
    seats_taken: int
    registration_open: bool
    #: Sessions over by now: the page marks them as past, without any change in the data.
    sessions_over: int


@cache
def _page_version_stmt():
    return select(
        Programme.id,
        Programme.updated_at,
        Programme.visibility,
        Programme.invitation_token,
        Programme.status,
        Programme.registration_deadline,
        seats_taken_expr(Programme.id),
        select(func.count())
        .select_from(ProgrammeSession)
        .where(
            ProgrammeSession.programme_id == Programme.id,
            ProgrammeSession.ends_at < bindparam("now"),
        )
        .correlate_except(ProgrammeSession)
        .scalar_subquery(),
    ).where(Programme.slug == bindparam("slug"), in_constants(Programme.status, PAGE_STATUSES))


def programme_page_version(
    slug: str, invitation_token: str | None, *, now: datetime
) -> PageVersion | None:
    """The version of a programme's public page (None where visible_programme gives None).

    Sessions touch their programme's updated_at when they change (see catalog.models).
    """
    row = (
        db.session.connection()
        .execute(_page_version_stmt(), {"slug": slug, "now": now})
        .one_or_none()
    )
    if not page_shown(row, invitation_token):
        return None
    return PageVersion(
        row.id,
        row.updated_at,
        row[6],
        registration_open(row.status, row.registration_deadline, now),
        row[7],
    )


def update_programme(
    programme: Programme, data: ProgrammeData, *, actor: str, now: datetime | None = None
) -> Programme:
    """Change a programme's details; the maximum never drops below the seats already taken.

    The programme row is locked while seats are counted, so no registration slips in
    between. A higher maximum offers the new seats to the people on the waiting list.
    """
    now = now or utcnow()
    check_programme_data(data)
    programme = lock_programme(programme.id)
    taken = seats_taken(programme.id, now)
    if data.max_participants < taken:
        raise ValidationError(
            str(
                _l(
                    "%(taken)d seats are already taken: the maximum cannot be lower than that.",
                    taken=taken,
                )
            )
        )
    grew = data.max_participants > programme.max_participants
    values = {name: getattr(data, name) for name in PROGRAMME_FIELDS}
    values["title"] = data.title.strip()
    changed = sorted(name for name, value in values.items() if getattr(programme, name) != value)
    for name in changed:
        setattr(programme, name, values[name])
    if programme.visibility is Visibility.INVITATION and not programme.invitation_token:
        programme.invitation_token = secrets.token_urlsafe(24)
    if changed:
        audit.record("programme.updated", programme, actor=actor, now=now, fields=changed)
    db.session.flush()
    if grew:
        advance_waiting_list(programme, now)
    return programme


@cache
def _overview_stmt():
    status_order = case(
        (Programme.status == ProgrammeStatus.DRAFT, 0),
        (Programme.status == ProgrammeStatus.OPEN, 1),
        (Programme.status == ProgrammeStatus.CLOSED, 2),
        else_=3,
    )
    session_count = (
        select(func.count())
        .select_from(ProgrammeSession)
        .where(ProgrammeSession.programme_id == Programme.id)
        .correlate_except(ProgrammeSession)
        .scalar_subquery()
    )
    return (
        select(Programme, seats_taken_expr(Programme.id), session_count)
        .options(selectinload(Programme.trainers))
        .order_by(status_order, Programme.created_at.desc(), Programme.id.desc())
    )


@dataclass(frozen=True)
class OverviewRow:
    programme: Programme
    seats_taken: int
    session_count: int


def programme_overview(*, now: datetime) -> list[OverviewRow]:
    """Every programme, whatever its status or visibility, with seats taken and the number
    of sessions: one query for the programmes and one for all their trainers."""
    rows = db.session.execute(_overview_stmt(), {"now": now})
    return [OverviewRow(programme, taken, count) for programme, taken, count in rows]
