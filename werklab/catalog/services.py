"""Catalogue: create programmes and sessions, and read what the public pages show."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from werklab import audit
from werklab.catalog.models import (
    DEFAULT_MINIMUM,
    MAX_GROUP_SIZE,
    Programme,
    ProgrammeKind,
    ProgrammeSession,
    ProgrammeStatus,
    SessionKind,
    Visibility,
    invitation_accepted,
    registration_open,
)
from werklab.db import utcnow
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.registration.services import seats_taken_expr

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")

#: The three sessions every werklab has (PRODUCT.md); themes are content, kept in Dutch.
WERKLAB_SESSIONS = (
    ("Op de koffie bij bewonersinitiatieven", SessionKind.SITE_VISIT),
    ("De samenwerking van de gemeente met bewonersinitiatieven", SessionKind.WORKSHOP),
    ("Je eigen rol", SessionKind.WORKSHOP),
)


def local_to_utc(value: datetime) -> datetime:
    """Turn a naive Dutch wall-clock time into the naive UTC time we store."""
    return value.replace(tzinfo=LOCAL_TZ).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100] or "programma"


@dataclass
class SessionData:
    theme: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    location_name: str = ""
    location_address: str = ""
    kind: SessionKind = SessionKind.WORKSHOP
    description: str = ""


@dataclass
class ProgrammeData:
    kind: ProgrammeKind
    title: str
    description: str = ""
    region: str = ""
    fee_cents: int | None = None
    min_participants: int = DEFAULT_MINIMUM
    max_participants: int = MAX_GROUP_SIZE
    registration_deadline: datetime | None = None  # UTC
    decision_date: date | None = None
    visibility: Visibility = Visibility.PUBLIC
    slug: str | None = None
    sessions: list[SessionData] = field(default_factory=list)


def check_group_size(minimum: int, maximum: int) -> None:
    """Raise a readable error when the group size breaks the rules of PRODUCT.md."""
    if maximum > MAX_GROUP_SIZE:
        raise ValidationError(
            str(
                _l(
                    "The maximum group size is %(max)d: larger groups turned out to make "
                    "sessions passive.",
                    max=MAX_GROUP_SIZE,
                )
            )
        )
    if minimum < 1:
        raise ValidationError(str(_l("The minimum number of participants must be at least 1.")))
    if minimum > maximum:
        raise ValidationError(
            str(_l("The minimum number of participants cannot be above the maximum."))
        )


def _unique_slug(base: str) -> str:
    slug, n = base, 1
    while db.session.execute(select(Programme.id).where(Programme.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def default_werklab_sessions(first_day: date) -> list[SessionData]:
    """Three afternoons three weeks apart; the trainers set the real dates and places."""
    return [
        SessionData(
            theme=theme,
            kind=kind,
            starts_at=local_to_utc(
                datetime.combine(first_day + timedelta(weeks=3 * i), time(13, 30))
            ),
            ends_at=local_to_utc(
                datetime.combine(first_day + timedelta(weeks=3 * i), time(16, 30))
            ),
        )
        for i, (theme, kind) in enumerate(WERKLAB_SESSIONS)
    ]


def create_programme(data: ProgrammeData, *, actor: str, now: datetime | None = None) -> Programme:
    """Create a programme in draft; a werklab gets its three sessions from the template."""
    now = now or utcnow()
    check_group_size(data.min_participants, data.max_participants)
    if not data.title.strip():
        raise ValidationError(str(_l("Please give the programme a title.")))
    if data.fee_cents is not None and data.fee_cents < 0:
        raise ValidationError(str(_l("The fee cannot be negative.")))
    sessions = data.sessions
    if data.kind is ProgrammeKind.WERKLAB and not sessions:
        sessions = default_werklab_sessions((now + timedelta(weeks=6)).date())
    programme = Programme(
        kind=data.kind,
        title=data.title.strip(),
        slug=_unique_slug(slugify(data.slug or data.title)),
        description=data.description,
        region=data.region,
        fee_cents=data.fee_cents,
        min_participants=data.min_participants,
        max_participants=data.max_participants,
        registration_deadline=data.registration_deadline,
        decision_date=data.decision_date,
        visibility=data.visibility,
        invitation_token=(
            secrets.token_urlsafe(24) if data.visibility is Visibility.INVITATION else None
        ),
        status=ProgrammeStatus.DRAFT,
        created_at=now,
    )
    db.session.add(programme)
    for session in sessions:
        add_session(programme, session)
    db.session.flush()
    audit.record("programme.created", programme, actor=actor, now=now, kind=data.kind.value)
    return programme


def add_session(programme: Programme, data: SessionData) -> ProgrammeSession:
    """Append a session to the programme."""
    if data.ends_at <= data.starts_at:
        raise ValidationError(str(_l("A session must end after it starts.")))
    if not data.theme.strip():
        raise ValidationError(str(_l("Please give the session a theme.")))
    session = ProgrammeSession(
        position=len(programme.sessions) + 1,
        theme=data.theme.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        location_name=data.location_name,
        location_address=data.location_address,
        kind=data.kind,
        description=data.description,
    )
    programme.sessions.append(session)
    return session


def set_status(
    programme: Programme, status: ProgrammeStatus, *, actor: str, now: datetime | None = None
) -> Programme:
    """Change the programme's status (open or close registration, ...)."""
    now = now or utcnow()
    previous = programme.status
    programme.status = status
    audit.record(
        "programme.status_changed",
        programme,
        actor=actor,
        now=now,
        previous=previous.value,
        status=status.value,
    )
    db.session.flush()
    return programme


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


#: Statuses in which a programme has a page the public may see.
VISIBLE_STATUSES = (
    ProgrammeStatus.OPEN,
    ProgrammeStatus.CLOSED,
    ProgrammeStatus.CANCELLED,
    ProgrammeStatus.COMPLETED,
)


@cache
def _visible_programme_stmt():
    return (
        select(Programme, seats_taken_expr(Programme.id))
        .where(Programme.slug == bindparam("slug"), Programme.status.in_(VISIBLE_STATUSES))
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
    if row is None or not row[0].accepts_invitation(invitation_token):
        return None
    return row[0], row[1]


@dataclass(frozen=True)
class PageVersion:
    """What a programme page depends on, read in one light query."""

    programme_id: int
    updated_at: datetime
    seats_taken: int
    registration_open: bool


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
    ).where(Programme.slug == bindparam("slug"), Programme.status.in_(VISIBLE_STATUSES))


def programme_page_version(
    slug: str, invitation_token: str | None, *, now: datetime
) -> PageVersion | None:
    """The version of a programme's public page (None where visible_programme gives None).

    Sessions touch their programme's updated_at when they change (see catalog.models).
    """
    row = db.session.execute(_page_version_stmt(), {"slug": slug, "now": now}).one_or_none()
    if row is None:
        return None
    if not invitation_accepted(row.visibility, row.invitation_token, invitation_token):
        return None
    return PageVersion(
        row.id,
        row.updated_at,
        row[6],
        registration_open(row.status, row.registration_deadline, now),
    )


@cache
def _registrable_programme_stmt():
    return select(Programme).where(
        Programme.slug == bindparam("slug"), Programme.status.in_(VISIBLE_STATUSES)
    )


def registrable_programme(slug: str, invitation_token: str | None) -> Programme | None:
    """The programme behind a registration form (without its sessions), or None like
    visible_programme."""
    programme = db.session.execute(
        _registrable_programme_stmt(), {"slug": slug}
    ).scalar_one_or_none()
    if programme is None or not programme.accepts_invitation(invitation_token):
        return None
    return programme
