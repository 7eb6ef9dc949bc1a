"""Create a series of sessions at once: dates the trainer confirmed (proposed by planning),
each added through catalog's create_session, so its rules hold (no session in the past, a
werklab keeps its three), and one mail per person about all the new meetings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import format_date
from sqlalchemy import select

from werklab import audit
from werklab.catalog.dates import check_slot
from werklab.catalog.ics import build_calendar
from werklab.catalog.models import ProgrammeKind, ProgrammeSession, ProgrammeStatus
from werklab.catalog.services import SessionData, create_session, local_to_utc
from werklab.db import utcnow
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.mail import queue_mail
from werklab.registration.lookup import manage_url
from werklab.registration.models import RegistrationStatus
from werklab.registration.session_changes import people_to_tell
from werklab.series.planning import MAX_COUNT, MAX_INTERVAL, MIN_COUNT, MIN_INTERVAL
from werklab.translation import lazy_gettext as _l

#: The interval (weeks) a series proposes by programme kind: an LG meets every 6 to 8 weeks,
#: a CoP monthly.
DEFAULT_INTERVAL = {
    ProgrammeKind.LEARNING_COMMUNITY: 7,
    ProgrammeKind.COP: 4,
    ProgrammeKind.WERKLAB: 3,
}

#: Room for " 12" after the theme in a session's theme (200 characters).
THEME_MAX_LENGTH = 190


@dataclass
class SeriesData:
    #: The confirmed days of the meetings (Dutch calendar days), in any order.
    days: list[date]
    start: time  # Dutch wall-clock time
    end: time
    theme: str
    location_name: str = ""
    location_address: str = ""
    #: What the trainer asked for (for the audit row): the interval in weeks.
    interval_weeks: int | None = None
    moved: list[str] = field(default_factory=list)


def check_parameters(interval_weeks: int | None, count: int | None) -> None:
    """Refuse a number of meetings or an interval a series cannot have."""
    if count is None or not MIN_COUNT <= count <= MAX_COUNT:
        raise ValidationError(
            str(
                _l(
                    "A series has from %(min)d to %(max)d meetings.",
                    min=MIN_COUNT,
                    max=MAX_COUNT,
                )
            )
        )
    if interval_weeks is None or not MIN_INTERVAL <= interval_weeks <= MAX_INTERVAL:
        raise ValidationError(
            str(
                _l(
                    "The interval is from %(min)d to %(max)d weeks.",
                    min=MIN_INTERVAL,
                    max=MAX_INTERVAL,
                )
            )
        )


def check_programme(programme) -> None:
    """A werklab keeps its three sessions; a cancelled or completed programme gets none."""
    if programme.kind is ProgrammeKind.WERKLAB:
        raise ValidationError(
            str(
                _l(
                    "A werklab always has exactly three sessions, so a series cannot be added "
                    "to it: change the dates of its three sessions instead."
                )
            )
        )
    if programme.status in (ProgrammeStatus.CANCELLED, ProgrammeStatus.COMPLETED):
        raise ValidationError(
            str(_l("This programme has been cancelled or completed: it gets no new sessions."))
        )


def _slots(data: SeriesData) -> list[tuple[datetime, datetime]]:
    return [
        (
            local_to_utc(datetime.combine(day, data.start)),
            local_to_utc(datetime.combine(day, data.end)),
        )
        for day in sorted(data.days)
    ]


def check_series(programme, data: SeriesData, *, now: datetime) -> None:
    """Every rule a series must meet, checked before anything is stored."""
    check_programme(programme)
    # The interval only matters for the proposal; a series given as dates alone has none.
    interval = MIN_INTERVAL if data.interval_weeks is None else data.interval_weeks
    check_parameters(interval, len(data.days))
    if not data.theme.strip():
        raise ValidationError(str(_l("Please give the meetings a theme.")))
    if len(data.theme.strip()) > THEME_MAX_LENGTH:
        raise ValidationError(
            str(_l("The theme can be at most %(max)d characters.", max=THEME_MAX_LENGTH))
        )
    seen = set()
    for day in data.days:
        if day in seen:
            raise ValidationError(
                str(
                    _l(
                        "Two meetings of the series are on %(day)s: give each its own date.",
                        day=format_date(day, "d MMMM y"),
                    )
                )
            )
        seen.add(day)
    for starts_at, ends_at in _slots(data):
        check_slot(starts_at, ends_at, now=now)


def create_series(
    programme, data: SeriesData, *, actor: str, now: datetime | None = None
) -> list[ProgrammeSession]:
    """Add the series' meetings after the programme's sessions, through create_session, and
    queue one mail per participant (and trainer) listing all of them."""
    now = now or utcnow()
    check_series(programme, data, now=now)
    theme = data.theme.strip()
    sessions = []
    for starts_at, ends_at in _slots(data):
        sessions.append(
            create_session(
                programme,
                SessionData(
                    theme=f"{theme} {len(programme.sessions) + 1}",
                    starts_at=starts_at,
                    ends_at=ends_at,
                    location_name=data.location_name,
                    location_address=data.location_address,
                ),
                actor=actor,
                now=now,
                announce=False,
            )
        )
    audit.record(
        "programme.series_created",
        programme,
        actor=actor,
        now=now,
        count=len(sessions),
        interval_weeks=data.interval_weeks,
        session_ids=[s.id for s in sessions],
        moved=data.moved,
    )
    mail_new_sessions(programme, sessions, now=now)
    return sessions


def _place(session: ProgrammeSession) -> str:
    return ", ".join(p for p in (session.location_name, session.location_address) if p)


def mail_new_sessions(programme, sessions: list[ProgrammeSession], *, now: datetime) -> int:
    """One mail to each confirmed participant, offer holder and active trainer, with all the
    new sessions and one calendar file holding them. Returns the number of mails."""
    if not sessions:
        return 0
    subject = (
        _l("A new meeting of %(title)s", title=programme.title)
        if len(sessions) == 1
        else _l("%(count)d new meetings of %(title)s", count=len(sessions), title=programme.title)
    )
    common = {
        "subject": subject,
        "template": "series/sessions_added",
        "kind": "series.sessions_added",
        "attachments_later": [
            ("werklab.series.services:series_attachment", {"session_ids": [s.id for s in sessions]})
        ],
        "now": now,
        "programme": programme,
        "sessions": [(s, _place(s)) for s in sessions],
    }
    mailed = 0
    for registration in people_to_tell(sessions[0], now):
        mailed += bool(
            _queue(
                registration.email,
                to_name=registration.full_name,
                locale=registration.locale,
                first_name=registration.first_name,
                manage_url=manage_url(registration),
                offered=registration.status is RegistrationStatus.OFFERED,
                **common,
            )
        )
    for trainer in programme.trainers:
        if trainer.active:
            mailed += bool(
                _queue(
                    trainer.email,
                    to_name=trainer.name,
                    locale="nl",
                    first_name=trainer.name.split()[0] if trainer.name.strip() else "",
                    manage_url=None,
                    offered=False,
                    **common,
                )
            )
    return mailed


def _queue(to, *, subject, template, **kw) -> int:
    return queue_mail(to, subject, template, **kw)


def series_attachment(session_ids: list[int]) -> tuple[str, str, bytes]:
    """The new sessions as one .ics file, made when the mail is sent (their latest state)."""
    sessions = list(
        db.session.execute(
            select(ProgrammeSession)
            .where(ProgrammeSession.id.in_(session_ids))
            .order_by(ProgrammeSession.position)
        ).scalars()
    )
    if not sessions:
        raise LookupError("the sessions of this series are gone")
    programme = sessions[0].programme
    return (
        f"{programme.slug}-bijeenkomsten.ics",
        "text/calendar",
        build_calendar(programme.title, [(programme, sessions)]),
    )
