"""Mijn traject: a person's own registrations, their calendar and everything stored about them.

Everything here is found by the signed-in person's e-mail address (a participant is a user
whose e-mail equals Registration.email_normalized), never by an id from the request.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from werklab import audit
from werklab.accounts.models import User
from werklab.attendance.services import records_for_registrations
from werklab.audit import AuditEntry
from werklab.catalog.ics import build_calendar
from werklab.catalog.models import Programme, ProgrammeSession, ProgrammeStatus
from werklab.db import utcnow
from werklab.extensions import db
from werklab.followup.services import contact_notes_for
from werklab.mail import OutboxMail
from werklab.participant.models import CalendarFeed
from werklab.registration.models import Registration, RegistrationStatus
from werklab.workspace.services import notes_for_registrations

#: Programmes whose sessions no longer take place: they stay out of the calendar.
_NOT_TAKING_PLACE = (ProgrammeStatus.CANCELLED, ProgrammeStatus.DRAFT)


def _normalize(email: str) -> str:
    return email.strip().lower()


# --- my registrations ----------------------------------------------------------------------


@dataclass(frozen=True)
class MyRegistration:
    registration: Registration
    #: 1-based place on the waiting list; None when not waiting.
    waitlist_position: int | None

    @property
    def programme(self) -> Programme:
        return self.registration.programme


@cache
def _my_registrations_stmt():
    R = Registration
    ahead = aliased(Registration)
    position = (
        select(func.count())
        .select_from(ahead)
        .where(
            ahead.programme_id == R.programme_id,
            ahead.status == RegistrationStatus.WAITLISTED,
            ahead.waitlist_seq < R.waitlist_seq,
        )
        .correlate(R)
        .scalar_subquery()
    )
    return (
        select(R, case((R.status == RegistrationStatus.WAITLISTED, position + 1), else_=None))
        .where(R.email_normalized == bindparam("email"))
        .options(joinedload(R.programme).selectinload(Programme.sessions))
        .order_by(R.id.desc())
    )


def my_registrations(email: str) -> list[MyRegistration]:
    """All registrations of this e-mail address, newest first, with their programme, its
    sessions and the waiting-list position: two queries, however many there are."""
    rows = db.session.execute(_my_registrations_stmt(), {"email": _normalize(email)}).unique()
    return [MyRegistration(registration, position) for registration, position in rows]


def has_registrations(email: str) -> bool:
    """Tell whether this e-mail address ever registered for a programme."""
    return db.session.execute(
        select(exists().where(Registration.email_normalized == _normalize(email)))
    ).scalar_one()


def seated_programmes(registrations: Iterable[MyRegistration]) -> list[Programme]:
    """The programmes in which the person has a seat and that still take place."""
    return [
        item.programme
        for item in registrations
        if item.registration.is_seated and item.programme.status not in _NOT_TAKING_PLACE
    ]


# --- calendar ------------------------------------------------------------------------------

#: How often calendar apps should fetch the feed again.
REFRESH_INTERVAL = "PT6H"


def sessions_calendar(title: str, programmes: Iterable[Programme]) -> bytes:
    """An iCalendar file with every session of these programmes (see catalog.ics)."""
    return build_calendar(title, ((p, p.sessions) for p in programmes), refresh=REFRESH_INTERVAL)


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.execute(
        select(CalendarFeed).where(CalendarFeed.user_id == user.id)
    ).scalar_one_or_none()


def find_feed(token: str) -> CalendarFeed | None:
    """The feed behind a calendar address, or None when unknown, revoked or its account is
    switched off."""
    if not token or len(token) > 64:
        return None
    feed = db.session.execute(
        select(CalendarFeed)
        .where(CalendarFeed.token == token)
        .options(joinedload(CalendarFeed.user))
    ).scalar_one_or_none()
    if feed is None or not feed.user.active:
        return None
    return feed


def renew_feed(user: User, *, now: datetime | None = None) -> CalendarFeed:
    """Give the person a calendar address; a new one replaces (and so revokes) the old one."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    feed = feed_of(user)
    if feed is None:
        try:
            with db.session.begin_nested():
                feed = CalendarFeed(user_id=user.id, token=token, created_at=now)
                db.session.add(feed)
        except IntegrityError:
            # A double click made one at the same moment (user_id is unique): renew that one.
            feed = feed_of(user)
            assert feed is not None
        else:
            audit.record("calendar_feed.created", feed, actor=f"user:{user.id}", now=now)
            return feed
    # The old address stops working at once: it no longer matches any row.
    feed.token, feed.created_at = token, now
    db.session.flush()
    audit.record("calendar_feed.renewed", feed, actor=f"user:{user.id}", now=now)
    return feed


def revoke_feed(user: User, *, now: datetime | None = None) -> bool:
    """Switch the calendar address off; returns whether there was one."""
    now = now or utcnow()
    feed = feed_of(user)
    if feed is None:
        return False
    audit.record("calendar_feed.revoked", feed, actor=f"user:{user.id}", now=now)
    db.session.delete(feed)
    db.session.flush()
    return True


# --- mijn gegevens -------------------------------------------------------------------------


@dataclass
class RegistrationRecord:
    """One registration with what hangs off it."""

    registration: Registration
    history: list[AuditEntry] = field(default_factory=list)
    attendance: list[Any] = field(default_factory=list)  # AttendanceRecord
    notes: list[Any] = field(default_factory=list)  # TrainerNote

    @property
    def sessions_by_id(self) -> dict[int, ProgrammeSession]:
        return {s.id: s for s in self.registration.programme.sessions}


@dataclass
class PersonalData:
    """Everything werklab stores about one person."""

    user: User
    registrations: list[RegistrationRecord]
    account_history: list[AuditEntry]
    feed: CalendarFeed | None
    mails: list[Any]  # rows: created_at, to_addr, subject, kind, status, sent_at
    note_authors: dict[int, str]


def personal_data(user: User) -> PersonalData:
    """Collect everything stored about this person: account, registrations with their
    history, attendance and trainer notes, the calendar address and the mails sent."""

    items = my_registrations(user.email)
    registrations = [RegistrationRecord(item.registration) for item in items]
    by_id = {record.registration.id: record for record in registrations}
    ids = list(by_id)
    feed = feed_of(user)

    history = db.session.execute(
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.object_type == Registration.__tablename__)
                & AuditEntry.object_id.in_(ids or [-1]),
                (AuditEntry.object_type == User.__tablename__) & (AuditEntry.object_id == user.id),
                (AuditEntry.object_type == CalendarFeed.__tablename__)
                & (AuditEntry.actor == f"user:{user.id}"),
            )
        )
        .order_by(AuditEntry.created_at, AuditEntry.id)
    ).scalars()
    account_history = []
    for entry in history:
        if entry.object_type == Registration.__tablename__:
            by_id[entry.object_id].history.append(entry)
        else:
            account_history.append(entry)

    # The notes of "contacted" (Aandacht nodig) are notes about them too.
    notes = sorted(
        [*notes_for_registrations(ids), *contact_notes_for(ids)] if ids else [],
        key=lambda note: note.created_at,
    )
    for record in records_for_registrations(ids) if ids else []:
        by_id[record.registration_id].attendance.append(record)
    for note in notes:
        by_id[note.registration_id].notes.append(note)
    author_ids = {note.author_id for note in notes if note.author_id is not None}
    authors = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(author_ids))).all())
        if author_ids
        else {}
    )

    # Only what a person needs to know; the bodies hold sign-in and manage links.
    mails = list(
        db.session.execute(
            select(
                OutboxMail.created_at,
                OutboxMail.to_addr,
                OutboxMail.subject,
                OutboxMail.kind,
                OutboxMail.status,
                OutboxMail.sent_at,
            )
            .where(func.lower(OutboxMail.to_addr) == _normalize(user.email))
            .order_by(OutboxMail.created_at, OutboxMail.id)
        ).all()
    )
    return PersonalData(user, registrations, account_history, feed, mails, authors)


def _when(value: datetime | None) -> str | None:
    """Stored times are UTC; say so in the export."""
    return value.replace(tzinfo=UTC).isoformat() if value else None


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _history(entries: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    return [
        {"at": _when(e.created_at), "action": e.action, "by": e.actor, "details": e.data or {}}
        for e in entries
    ]


def personal_data_export(data: PersonalData) -> dict[str, Any]:
    """The same data as plain values, for the JSON download (times in UTC, ISO 8601)."""
    user = data.user
    export: dict[str, Any] = {
        "account": {
            "name": user.name,
            "email": user.email,
            "created_at": _when(user.created_at),
            "last_sign_in_at": _when(user.last_login_at),
            "roles": [
                role
                for role, has in (
                    ("coordinator", user.is_coordinator),
                    ("trainer", user.is_trainer),
                )
                if has
            ],
            "history": _history(data.account_history),
        },
        "calendar_feed": {"created_at": _when(data.feed.created_at)} if data.feed else None,
        "registrations": [],
        "mails": [
            {
                "created_at": _when(mail.created_at),
                "to": mail.to_addr,
                "subject": mail.subject,
                "kind": mail.kind,
                "status": _value(mail.status),
                "sent_at": _when(mail.sent_at),
            }
            for mail in data.mails
        ],
    }
    for record in data.registrations:
        r = record.registration
        sessions = record.sessions_by_id
        export["registrations"].append(
            {
                "programme": {"title": r.programme.title, "slug": r.programme.slug},
                "status": r.status.value,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "email": r.email,
                "organisation": r.organisation,
                "sector": r.sector.value,
                "job_title": r.job_title,
                "learning_question": r.learning_question,
                "dietary_wishes": r.dietary_wishes,
                "privacy_consent_at": _when(r.privacy_consent_at),
                "locale": r.locale,
                "created_at": _when(r.created_at),
                "confirmed_at": _when(r.confirmed_at),
                "cancelled_at": _when(r.cancelled_at),
                "offer_expires_at": _when(r.offer_expires_at),
                "hold_expires_at": _when(r.hold_expires_at),
                "history": _history(record.history),
                "attendance": [
                    {
                        "session": sessions[a.session_id].theme
                        if a.session_id in sessions
                        else a.session_id,
                        "status": _value(a.status),
                        "recorded_at": _when(a.recorded_at),
                    }
                    for a in record.attendance
                ],
                "trainer_notes": [
                    {
                        "by": data.note_authors.get(n.author_id, ""),
                        "created_at": _when(n.created_at),
                        "text": n.body,
                    }
                    for n in record.notes
                ],
            }
        )
    return export


def load_registration(registration_id: int) -> Registration | None:
    """A registration with its programme (the caller checks who may act on it)."""
    return db.session.execute(
        select(Registration)
        .where(Registration.id == registration_id)
        .options(joinedload(Registration.programme))
    ).scalar_one_or_none()
