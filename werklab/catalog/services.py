"""Catalogue: create programmes and sessions, and read what the public pages show."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from blinker import Namespace
from slugify import slugify as make_slug
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from werklab import audit
from werklab.accounts.models import User
from werklab.catalog.dates import check_slot
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
)
from werklab.db import in_constants, utcnow
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.translation import lazy_gettext as _l

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")

#: The three sessions every werklab has (PRODUCT.md); themes are content, kept in Dutch.
WERKLAB_SESSIONS = (
    ("Op de koffie bij bewonersinitiatieven", SessionKind.SITE_VISIT),
    ("De samenwerking van de gemeente met bewonersinitiatieven", SessionKind.WORKSHOP),
    ("Je eigen rol", SessionKind.WORKSHOP),
)


#: Sent by update_session with the changed fields' old values: `previous` {name: value},
#: `actor`, `now`. Receivers write in the caller's transaction.
session_changed = Namespace().signal("session-changed")

#: Sent by create_session with the new session, and by delete_session (before the row goes)
#: with the session being removed: `actor`, `now`. Receivers write in the caller's transaction.
session_added = Namespace().signal("session-added")
session_removed = Namespace().signal("session-removed")

#: The fields of a session that people plan around: a change to any is mailed to everyone
#: taking part, with the updated calendar event.
WHEN_OR_WHERE = frozenset({"starts_at", "ends_at", "location_name", "location_address"})


def local_to_utc(value: datetime) -> datetime:
    """Turn a naive Dutch wall-clock time into the naive UTC time we store."""
    return value.replace(tzinfo=LOCAL_TZ).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def slugify(text: str) -> str:
    """The address part of a programme's page: lower-case ASCII words joined by hyphens."""
    return make_slug(text, max_length=100) or "programma"


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
    cancellation_deadline: datetime | None = None  # UTC; None: free until the start
    vat_rate_bp: int = 2100  # 21 %; 0 = exempt
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
        cancellation_deadline=data.cancellation_deadline,
        vat_rate_bp=data.vat_rate_bp,
        visibility=data.visibility,
        invitation_token=(
            secrets.token_urlsafe(24) if data.visibility is Visibility.INVITATION else None
        ),
        status=ProgrammeStatus.DRAFT,
        created_at=now,
    )
    db.session.add(programme)
    for session in sessions:
        check_slot(session.starts_at, session.ends_at, now=now)
        add_session(programme, session)
    db.session.flush()
    audit.record("programme.created", programme, actor=actor, now=now, kind=data.kind.value)
    return programme


def add_session(programme: Programme, data: SessionData) -> ProgrammeSession:
    """Append a session to the programme."""
    _check_session_data(data)
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


#: Statuses in which a programme has a page the public may see.
VISIBLE_STATUSES = (
    ProgrammeStatus.OPEN,
    ProgrammeStatus.CLOSED,
    ProgrammeStatus.CANCELLED,
    ProgrammeStatus.COMPLETED,
)
#: ...and with its invitation also a draft: the invitation link a municipality shares shows
#: the programme ("registration opens soon") before registration opens.
PAGE_STATUSES = (*VISIBLE_STATUSES, ProgrammeStatus.DRAFT)


def hidden_draft(status: ProgrammeStatus, visibility: Visibility) -> bool:
    """True for a draft without a page: a draft has one only when it is invitation-only (and
    the invitation is given)."""
    return status is ProgrammeStatus.DRAFT and visibility is not Visibility.INVITATION


def page_shown(programme, invitation_token: str | None) -> bool:
    """Whether a programme has a page for this visitor (anyone, or the holder of its
    invitation) and is not a draft without one. `programme`: the ORM object, or a row of
    plain values with its status, visibility and invitation token; None: no such programme."""
    if programme is None:
        return False
    if not invitation_accepted(programme.visibility, programme.invitation_token, invitation_token):
        return False
    return not hidden_draft(programme.status, programme.visibility)


@cache
def _registrable_programme_stmt():
    return select(Programme).where(
        Programme.slug == bindparam("slug"), in_constants(Programme.status, PAGE_STATUSES)
    )


def registrable_programme(slug: str, invitation_token: str | None) -> Programme | None:
    """The programme behind a registration form (without its sessions), or None like
    visible_programme."""
    programme = db.session.execute(
        _registrable_programme_stmt(), {"slug": slug}
    ).scalar_one_or_none()
    return programme if page_shown(programme, invitation_token) else None


# --- coordinator: change programmes, sessions, trainers and status (the manage area) -------


def utc_to_local(value: datetime) -> datetime:
    """Turn a stored naive UTC time into naive Dutch wall-clock time (for forms)."""
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(LOCAL_TZ).replace(tzinfo=None)


def local_date(now: datetime) -> date:
    """The Dutch calendar date at the stored (naive UTC) moment `now`: decision dates,
    invoice dates and the months of the overview are Dutch days."""
    return utc_to_local(now).date()


#: A fee above this is a typing error (fees are per participant per year).
MAX_FEE_CENTS = 10_000_000

#: The details update_programme changes; kind and slug stay what they were at creation.
PROGRAMME_FIELDS = (
    "title",
    "description",
    "region",
    "fee_cents",
    "min_participants",
    "max_participants",
    "registration_deadline",
    "decision_date",
    "cancellation_deadline",
    "vat_rate_bp",
    "visibility",
)

#: A werklab needs this many trainers before it can open (PRODUCT.md).
WERKLAB_TRAINERS = 2


def check_programme_data(data: ProgrammeData) -> None:
    check_group_size(data.min_participants, data.max_participants)
    if not data.title.strip():
        raise ValidationError(str(_l("Please give the programme a title.")))
    if data.fee_cents is not None and not 0 <= data.fee_cents <= MAX_FEE_CENTS:
        raise ValidationError(str(_l("This fee is not possible.")))


def _check_session_data(data: SessionData) -> None:
    if data.ends_at <= data.starts_at:
        raise ValidationError(str(_l("A session must end after it starts.")))
    if not data.theme.strip():
        raise ValidationError(str(_l("Please give the session a theme.")))


def _werklab_sessions_fixed(programme: Programme) -> None:
    if programme.kind is ProgrammeKind.WERKLAB:
        raise ValidationError(
            str(
                _l(
                    "A werklab always has exactly three sessions: change the existing "
                    "sessions instead."
                )
            )
        )


def create_session(
    programme: Programme,
    data: SessionData,
    *,
    actor: str,
    now: datetime | None = None,
    announce: bool = True,
) -> ProgrammeSession:
    """Add a session at the end of a programme (a werklab keeps its three).

    `announce=False` sends no `session_added`: for a caller that adds several sessions at
    once and tells people about all of them in one mail (a series)."""
    now = now or utcnow()
    _werklab_sessions_fixed(programme)
    check_slot(data.starts_at, data.ends_at, now=now)
    session = add_session(programme, data)
    db.session.flush()
    audit.record("session.created", session, actor=actor, now=now, programme_id=programme.id)
    if announce:
        session_added.send(session, actor=actor, now=now)
    return session


def update_session(
    session: ProgrammeSession, data: SessionData, *, actor: str, now: datetime | None = None
) -> ProgrammeSession:
    """Change a session's theme, time, place, kind or description."""
    now = now or utcnow()
    _check_session_data(data)
    check_slot(data.starts_at, data.ends_at, now=now, previous_start=session.starts_at)
    values = {
        "theme": data.theme.strip(),
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "location_name": data.location_name,
        "location_address": data.location_address,
        "kind": data.kind,
        "description": data.description,
    }
    changed = sorted(name for name, value in values.items() if getattr(session, name) != value)
    previous = {name: getattr(session, name) for name in changed}
    for name in changed:
        setattr(session, name, values[name])
    if WHEN_OR_WHERE & set(changed):
        session.sequence = (session.sequence or 0) + 1
    if changed:
        audit.record(
            "session.updated",
            session,
            actor=actor,
            now=now,
            programme_id=session.programme_id,
            fields=changed,
        )
        # Other areas react (site visits mail their participants and hosts), in this
        # transaction.
        session_changed.send(session, previous=previous, actor=actor, now=now)
    db.session.flush()
    return session


def delete_session(session: ProgrammeSession, *, actor: str, now: datetime | None = None) -> None:
    """Delete a session that has not started yet; the sessions after it move up one place."""
    now = now or utcnow()
    programme = session.programme
    _werklab_sessions_fixed(programme)
    if session.starts_at <= now:
        raise ValidationError(
            str(_l("This session has already started or taken place: it cannot be deleted."))
        )
    position = session.position
    audit.record(
        "session.deleted",
        session,
        actor=actor,
        now=now,
        programme_id=programme.id,
        position=position,
        theme=session.theme,
    )
    session_removed.send(session, actor=actor, now=now)
    programme.sessions.remove(session)
    # The removed session no longer points at its programme (see _touch_programme): bump
    # the version of the public page here.
    programme.updated_at = utcnow()
    db.session.flush()
    # One at a time, from the front: each move frees the place the next one moves into,
    # so the unique (programme, position) constraint holds after every statement.
    for later in sorted(programme.sessions, key=lambda s: s.position):
        if later.position > position:
            later.position -= 1
            db.session.flush()


def trainer_candidates(programme: Programme) -> list[User]:
    """Active users with the trainer role who do not run this programme yet, by name."""
    assigned = [t.id for t in programme.trainers]
    query = select(User).where(User.is_trainer.is_(True), User.active.is_(True))
    if assigned:
        query = query.where(User.id.not_in(assigned))
    return list(db.session.execute(query.order_by(User.name, User.email)).scalars())


def assign_trainer(
    programme: Programme, user: User, *, actor: str, now: datetime | None = None
) -> Programme:
    """Make an active trainer one of the programme's trainers."""
    now = now or utcnow()
    if not (user.is_trainer and user.active):
        raise ValidationError(
            str(_l("Only active users with the trainer role can run a programme."))
        )
    if any(t.id == user.id for t in programme.trainers):
        raise ValidationError(
            str(_l("%(name)s already runs this programme.", name=user.display_name))
        )
    programme.trainers.append(user)
    _trainer_changed(programme, user, assigned=True, actor=actor, now=now)
    db.session.flush()
    return programme


def _trainer_changed(programme: Programme, user: User, *, assigned: bool, actor: str, now):
    """Record that `user` now runs `programme` (or no longer does), and tell them: with its
    sessions and a link to its workspace; not someone whose account is switched off."""
    action = "programme.trainer_assigned" if assigned else "programme.trainer_removed"
    audit.record(action, programme, actor=actor, now=now, user_id=user.id)
    if not user.active:
        return
    queue_mail(
        user.email,
        _l("You now run %(title)s", title=programme.title)
        if assigned
        else _l("You no longer run %(title)s", title=programme.title),
        "catalog/trainer_assigned" if assigned else "catalog/trainer_removed",
        to_name=user.name,
        kind=action,
        now=now,
        user=user,
        programme=programme,
        workspace_url=external_url("workspace.programme", programme_id=programme.id),
    )


def unassign_trainer(
    programme: Programme, user: User, *, actor: str, now: datetime | None = None
) -> Programme:
    """Take a trainer off a programme; an open werklab keeps its two trainers."""
    now = now or utcnow()
    if all(t.id != user.id for t in programme.trainers):
        raise ValidationError(
            str(_l("%(name)s does not run this programme.", name=user.display_name))
        )
    if (
        programme.kind is ProgrammeKind.WERKLAB
        and programme.status is ProgrammeStatus.OPEN
        and len(programme.trainers) <= WERKLAB_TRAINERS
    ):
        raise ValidationError(
            str(
                _l(
                    "An open werklab needs two trainers: assign the new trainer first, then "
                    "remove this one."
                )
            )
        )
    programme.trainers.remove(user)
    _trainer_changed(programme, user, assigned=False, actor=actor, now=now)
    db.session.flush()
    return programme


def opening_problems(programme: Programme, now: datetime) -> list[str]:
    """What stands in the way of opening registration (empty: it can open)."""
    problems = []
    if programme.status not in (ProgrammeStatus.DRAFT, ProgrammeStatus.CLOSED):
        problems.append(str(_l("Only a draft or closed programme can be opened for registration.")))
    if not programme.sessions:
        problems.append(str(_l("Add at least one session first.")))
    if programme.kind is ProgrammeKind.WERKLAB and len(programme.trainers) < WERKLAB_TRAINERS:
        problems.append(
            str(
                _l(
                    "A werklab needs two trainers before it can open: one who knows municipal "
                    "organisations and one who knows resident initiatives."
                )
            )
        )
    if programme.deadline_passed(now):
        problems.append(str(_l("The registration deadline has passed: set a later one first.")))
    return problems


def open_registration(
    programme: Programme, *, actor: str, now: datetime | None = None
) -> Programme:
    """Open a draft or closed programme for registration, if it is ready for it."""
    now = now or utcnow()
    problems = opening_problems(programme, now)
    if problems:
        raise ValidationError(" ".join(problems))
    return set_status(programme, ProgrammeStatus.OPEN, actor=actor, now=now)


def close_registration(
    programme: Programme, *, actor: str, now: datetime | None = None
) -> Programme:
    """Close registration of an open programme (it can be opened again)."""
    now = now or utcnow()
    if programme.status is not ProgrammeStatus.OPEN:
        raise ValidationError(str(_l("Only an open programme can be closed for registration.")))
    return set_status(programme, ProgrammeStatus.CLOSED, actor=actor, now=now)


def load_programme(programme_id: int) -> Programme | None:
    """The programme with its trainers and sessions (for the permission check and the page)."""
    return db.session.execute(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(selectinload(Programme.trainers), selectinload(Programme.sessions))
    ).scalar_one_or_none()
