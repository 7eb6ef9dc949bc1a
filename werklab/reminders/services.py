"""Reminders before sessions: the programme's setting, a participant's choice, who is due
a reminder and the mail itself; and the trainers' calendar feed.

The rule (one place, tested in tests/reminders/test_services.py):

- Each confirmed participant gets one mail before every session of their programme, when
  the session's *window* opens: `days_before` days before its start (DEFAULT_DAYS_BEFORE
  unless the programme chose otherwise; 0: no reminders). A session that has started gets
  none, and neither does a programme that is cancelled or still a draft.
- Nobody who is not seated (cancelled, waiting list, an offer not yet accepted), whose data
  was erased, or who switched reminders off on their manage page.
- Nobody who got their seat after the window had opened: the confirmation they just had
  carries the same information and calendar file.
- Once per session and person (the unique SessionReminder row, claimed in the transaction
  that queues the mail). A session that moves after its reminder went out: see
  `is_covered`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import LazyString, format_date
from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from werklab import audit
from werklab.accounts.models import User
from werklab.assignments.models import Assignment, Submission
from werklab.catalog.ics import build_calendar, session_calendar
from werklab.catalog.models import (
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionKind,
    programme_trainers,
)
from werklab.catalog.services import utc_to_local
from werklab.db import utcnow
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.groups.models import HomeworkGroupMember
from werklab.initiatives.models import VisitStatus
from werklab.initiatives.services import session_host, visit_for_participant
from werklab.links import external_url, map_url
from werklab.mail import queue_mail
from werklab.registration.lookup import manage_url
from werklab.registration.models import Registration, RegistrationStatus
from werklab.reminders.models import (
    DEFAULT_DAYS_BEFORE,
    MAX_DAYS_BEFORE,
    ReminderOptOut,
    ReminderSetting,
    SessionReminder,
    TrainerFeed,
)
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

#: Programmes whose sessions take place (a draft has nobody seated; cancelled: no sessions).
REMINDED_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED)
#: How often calendar apps should fetch a trainer's feed again.
FEED_REFRESH = "PT6H"


# --- the programme's setting ---------------------------------------------------------------


def days_before(programme: Programme) -> int:
    """How many days before each session this programme's participants are reminded."""
    setting = db.session.get(ReminderSetting, programme.id)
    return DEFAULT_DAYS_BEFORE if setting is None else setting.days_before


def set_days_before(
    programme: Programme, days: int, *, actor: str, now: datetime | None = None
) -> bool:
    """Set how many days before each session participants are reminded (0: none); returns
    whether it changed."""
    now = now or utcnow()
    if not 0 <= days <= MAX_DAYS_BEFORE:
        raise ValidationError(
            _("Choose a number of days from 0 to %(max)d (0: no reminders).", max=MAX_DAYS_BEFORE)
        )
    setting = db.session.get(ReminderSetting, programme.id)
    if (DEFAULT_DAYS_BEFORE if setting is None else setting.days_before) == days:
        return False
    if setting is None:
        setting = ReminderSetting(programme_id=programme.id, days_before=days)
        db.session.add(setting)
    setting.days_before, setting.updated_at = days, now
    audit.record("programme.reminders_set", programme, actor=actor, now=now, days_before=days)
    db.session.flush()
    return True


# --- the participant's choice --------------------------------------------------------------


def wants_reminders(registration: Registration) -> bool:
    return db.session.get(ReminderOptOut, registration.id) is None


@dataclass(frozen=True)
class ReminderState:
    """What the manage page says: the programme's days (0: none) and the person's choice."""

    days: int
    on: bool


def state_for(registration: Registration) -> ReminderState:
    """The programme's days and the person's choice, in one statement on the session's
    connection (the manage page is the last step of every registration: its statements are
    counted, and the session's own execute() costs half as much again). Reads what is
    flushed."""
    days, off = (
        db.session.connection()
        .execute(
            _state_stmt(),
            {"programme_id": registration.programme_id, "registration_id": registration.id},
        )
        .one()
    )
    return ReminderState(DEFAULT_DAYS_BEFORE if days is None else days, not off)


@cache
def _state_stmt():
    return select(
        select(ReminderSetting.days_before)
        .where(ReminderSetting.programme_id == bindparam("programme_id"))
        .scalar_subquery(),
        exists().where(ReminderOptOut.registration_id == bindparam("registration_id")),
    )


def switch_reminders(
    registration: Registration, on: bool, *, actor: str, now: datetime | None = None
) -> bool:
    """Switch a participant's reminders on or off; returns whether anything changed."""
    now = now or utcnow()
    opt_out = db.session.get(ReminderOptOut, registration.id)
    if on == (opt_out is None):
        return False
    if on:
        db.session.delete(opt_out)
    else:
        try:
            with db.session.begin_nested():
                db.session.add(ReminderOptOut(registration_id=registration.id, created_at=now))
        except IntegrityError:  # a double click switched them off at the same moment
            return False
    audit.record(
        "registration.reminders_on" if on else "registration.reminders_off",
        registration,
        actor=actor,
        now=now,
    )
    db.session.flush()
    return True


# --- who is due a reminder -----------------------------------------------------------------


def window_opens(session: ProgrammeSession, days: int) -> datetime:
    return session.starts_at - timedelta(days=days)


def in_window(session: ProgrammeSession, days: int, now: datetime) -> bool:
    """Between the window's opening and the session's start."""
    return days > 0 and window_opens(session, days) <= now < session.starts_at


def is_covered(reminders: Iterable[SessionReminder], session: ProgrammeSession, days: int) -> bool:
    """Tell whether the reminders already sent still do for the session as it is now.

    A reminder does when it announced the session's current start, or when it went out on
    or after the (Dutch) day on which the current window opens. So:
    - a session moved to a later day, whose new window opens on a day after the reminder
      went out, gets a new reminder when that window comes (the old one named the old date);
    - a session moved by some hours, or to an earlier date, gets no second one: the mail
      about the change (registration/session_changes.py) already told them, with the
      calendar file;
    - changing the number of days does not remind anyone twice for a session that did not
      move.
    """
    opens_on = utc_to_local(window_opens(session, days)).date()
    return any(
        r.starts_at == session.starts_at or utc_to_local(r.sent_at).date() >= opens_on
        for r in reminders
    )


def sessions_to_check(now: datetime) -> list[int]:
    """Sessions that have not started and whose window may be open (the longest a programme
    can choose): each is then checked with its programme's own setting."""
    return list(
        db.session.execute(
            select(ProgrammeSession.id)
            .join(Programme, Programme.id == ProgrammeSession.programme_id)
            .where(
                Programme.status.in_(REMINDED_STATUSES),
                ProgrammeSession.starts_at > now,
                ProgrammeSession.starts_at <= now + timedelta(days=MAX_DAYS_BEFORE),
            )
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
        ).scalars()
    )


def due_for(session: ProgrammeSession, now: datetime) -> list[Registration]:
    """The participants who should get a reminder for `session` now (see the module rule)."""
    programme = session.programme
    if programme.status not in REMINDED_STATUSES:
        return []
    days = days_before(programme)
    if not in_window(session, days, now):
        return []
    opens = window_opens(session, days)
    seated = db.session.execute(
        select(Registration)
        .where(
            Registration.programme_id == programme.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.erased_at.is_(None),
            ~Registration.id.in_(select(ReminderOptOut.registration_id)),
        )
        .order_by(Registration.id)
    ).scalars()
    sent: dict[int, list[SessionReminder]] = {}
    for reminder in db.session.execute(
        select(SessionReminder).where(SessionReminder.session_id == session.id)
    ).scalars():
        sent.setdefault(reminder.registration_id, []).append(reminder)
    return [
        r
        for r in seated
        if (r.confirmed_at is None or r.confirmed_at < opens)
        and not is_covered(sent.get(r.id, []), session, days)
    ]


def claim(session: ProgrammeSession, registration: Registration, now: datetime) -> bool:
    """Record the reminder (the unique row); False when another machine just did."""
    try:
        with db.session.begin_nested():
            db.session.add(
                SessionReminder(
                    session_id=session.id,
                    registration_id=registration.id,
                    starts_at=session.starts_at,
                    sent_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def remind_session(session: ProgrammeSession, *, now: datetime | None = None) -> int:
    """Mail a reminder to each participant due one for this session, once (each claimed in
    this transaction); returns how many were queued."""
    now = now or utcnow()
    people = due_for(session, now)
    if not people:
        return 0
    content = SessionContent.of(session, now)
    sent = 0
    for registration in people:
        if not claim(session, registration, now):
            continue
        _queue_reminder(session, registration, content, now)
        sent += 1
    if sent:
        audit.record("session.reminders_sent", session, actor="system", now=now, count=sent)
    db.session.flush()
    return sent


# --- the mail ------------------------------------------------------------------------------


def assignments_due(session: ProgrammeSession) -> list[Assignment]:
    """The programme's assignments due before or at this session, since the previous one
    (for the first session: all due before or at it)."""
    earlier = [s for s in session.programme.sessions if s.starts_at < session.starts_at]
    since = max((s.starts_at for s in earlier), default=None)
    query = select(Assignment).where(
        Assignment.programme_id == session.programme_id, Assignment.due_at <= session.ends_at
    )
    if since is not None:
        query = query.where(Assignment.due_at > since)
    return list(db.session.execute(query.order_by(Assignment.due_at, Assignment.id)).scalars())


@dataclass(frozen=True)
class SessionContent:
    """What every reminder for one session says, looked up once."""

    host: str
    map_url: str | None
    assignments: list[Assignment]
    reply_to: list[tuple[str, str]]
    calendar: bytes

    @classmethod
    def of(cls, session: ProgrammeSession, now: datetime) -> SessionContent:
        host = session_host(session)
        if host is not None and host.initiative is not None:
            host_name = host.initiative.name
        elif host is not None:
            host_name = host.host_organisation
        else:
            host_name = ""
        programme = session.programme
        return cls(
            host=host_name if host_name != session.location_name else "",
            map_url=map_url(session.location_address),
            assignments=assignments_due(session),
            # "I cannot come" reaches the people who run the session.
            reply_to=[(t.name, t.email) for t in programme.trainers if t.active],
            calendar=session_calendar(programme, session),
        )


def _handed_in(registration: Registration, assignments: list[Assignment]) -> set[int]:
    """The assignments that the participant's homework group has already handed in."""
    if not assignments:
        return set()
    groups = select(HomeworkGroupMember.group_id).where(
        HomeworkGroupMember.registration_id == registration.id
    )
    return set(
        db.session.execute(
            select(Submission.assignment_id).where(
                Submission.assignment_id.in_([a.id for a in assignments]),
                Submission.group_id.in_(groups),
            )
        ).scalars()
    )


def _visit(session: ProgrammeSession, registration: Registration):
    """The participant's own site visit for a site-visit session (None: not arranged)."""
    if session.kind is not SessionKind.SITE_VISIT:
        return None
    visit = visit_for_participant(session, registration)
    return visit if visit is not None and visit.status is VisitStatus.CONFIRMED else None


def _queue_reminder(
    session: ProgrammeSession, registration: Registration, content: SessionContent, now
) -> None:
    programme = session.programme
    day = LazyString(lambda: format_date(session.starts_at, "EEEE d MMMM"))
    handed_in = _handed_in(registration, content.assignments)
    visit = _visit(session, registration)
    visit_address = (
        visit.initiative.address if visit is not None and visit.initiative.share_address else ""
    )
    queue_mail(
        registration.email,
        _l("Reminder: %(theme)s on %(day)s", theme=session.theme, day=day),
        "reminders/session_reminder",
        to_name=registration.full_name,
        locale=registration.locale,
        kind="reminders.session",
        reply_to=content.reply_to or None,
        attachments=[
            (f"{programme.slug}-{session.position}.ics", "text/calendar", content.calendar)
        ],
        now=now,
        first_name=registration.first_name,
        programme=programme,
        session=session,
        host=content.host,
        map_url=content.map_url,
        site_visit=session.kind is SessionKind.SITE_VISIT,
        visit=visit,
        visit_address=visit_address,
        visit_map_url=map_url(visit_address),
        assignments=[(a, a.id in handed_in) for a in content.assignments],
        assignments_url=external_url("assignments.mine"),
        manage_url=manage_url(registration),
    )


# --- the trainers' calendar feed -----------------------------------------------------------


def trainer_feed_of(user: User) -> TrainerFeed | None:
    return db.session.execute(
        select(TrainerFeed).where(TrainerFeed.user_id == user.id)
    ).scalar_one_or_none()


def find_trainer_feed(token: str) -> TrainerFeed | None:
    """The feed behind a calendar address; None when unknown, replaced, or its account is
    switched off or no longer a trainer."""
    if not token or len(token) > 64:
        return None
    feed = db.session.execute(
        select(TrainerFeed).where(TrainerFeed.token == token).options(joinedload(TrainerFeed.user))
    ).scalar_one_or_none()
    if feed is None or not feed.user.active or not feed.user.is_trainer:
        return None
    return feed


def renew_trainer_feed(user: User, *, actor: str, now: datetime | None = None) -> TrainerFeed:
    """Give the trainer a calendar address; a new one replaces (and revokes) the old one."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    feed = trainer_feed_of(user)
    if feed is None:
        try:
            with db.session.begin_nested():
                feed = TrainerFeed(user_id=user.id, token=token, created_at=now)
                db.session.add(feed)
        except IntegrityError:  # a double click made one at the same moment: renew that
            feed = trainer_feed_of(user)
            assert feed is not None
        else:
            audit.record("user.trainer_feed_created", user, actor=actor, now=now)
            return feed
    feed.token, feed.created_at = token, now
    audit.record("user.trainer_feed_renewed", user, actor=actor, now=now)
    db.session.flush()
    return feed


def revoke_trainer_feed(user: User, *, actor: str, now: datetime | None = None) -> bool:
    """Switch the trainer's calendar address off; returns whether there was one."""
    now = now or utcnow()
    feed = trainer_feed_of(user)
    if feed is None:
        return False
    db.session.delete(feed)
    audit.record("user.trainer_feed_revoked", user, actor=actor, now=now)
    db.session.flush()
    return True


def programmes_run_by(user: User) -> list[Programme]:
    """The programmes this person is a trainer of, with their sessions (no cancelled ones)."""
    return list(
        db.session.execute(
            select(Programme)
            .join(programme_trainers, programme_trainers.c.programme_id == Programme.id)
            .where(
                programme_trainers.c.user_id == user.id,
                Programme.status != ProgrammeStatus.CANCELLED,
            )
            .options(selectinload(Programme.sessions))
            .order_by(Programme.id)
        ).scalars()
    )


def trainer_calendar(user: User, title: str) -> bytes:
    """Every session of the programmes the trainer runs, as one calendar (same event UIDs
    as the mails and the participants' feeds)."""
    return build_calendar(
        title, ((p, p.sessions) for p in programmes_run_by(user)), refresh=FEED_REFRESH
    )
