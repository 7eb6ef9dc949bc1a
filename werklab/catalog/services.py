"""Catalogue: create programmes and sessions, and read what the public pages show."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

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
)
from werklab.db import utcnow
from werklab.errors import ValidationError
from werklab.extensions import db

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


def open_programmes(kind: ProgrammeKind | None = None) -> list[Programme]:
    """Public programmes open for registration, soonest session first."""
    query = (
        select(Programme)
        .where(
            Programme.status == ProgrammeStatus.OPEN,
            Programme.visibility == Visibility.PUBLIC,
        )
        .options(selectinload(Programme.sessions))
        .order_by(
            Programme.registration_deadline.is_(None), Programme.registration_deadline, Programme.id
        )
    )
    if kind is not None:
        query = query.where(Programme.kind == kind)
    return list(db.session.execute(query).scalars())


#: Statuses in which a programme has a page the public may see.
VISIBLE_STATUSES = (
    ProgrammeStatus.OPEN,
    ProgrammeStatus.CLOSED,
    ProgrammeStatus.CANCELLED,
    ProgrammeStatus.COMPLETED,
)


def visible_programme(slug: str, invitation_token: str | None) -> Programme | None:
    """The programme behind a public page, or None (draft, unknown, or invitation missing)."""
    programme = db.session.execute(
        select(Programme)
        .where(Programme.slug == slug, Programme.status.in_(VISIBLE_STATUSES))
        .options(selectinload(Programme.sessions))
    ).scalar_one_or_none()
    if programme is None or not programme.accepts_invitation(invitation_token):
        return None
    return programme
