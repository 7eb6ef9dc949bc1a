"""A session's time or place changed: everyone who plans around it hears so.

Every confirmed participant, everyone holding an offer of a seat and the programme's
trainers get a mail with the old and the new time and place and the updated calendar event
(same UID, higher SEQUENCE: their calendar moves the event instead of adding a second one).
The calendar feeds are made from the sessions as they are, so they show the change too.

Connected to catalog's `session_changed` signal; runs in the transaction of the change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from werklab.catalog.ics import cancelled_session_calendar, session_calendar
from werklab.catalog.models import ProgrammeSession
from werklab.catalog.services import (
    WHEN_OR_WHERE,
    session_added,
    session_changed,
    session_removed,
)
from werklab.extensions import db
from werklab.mail import queue_mail
from werklab.registration.models import Registration, RegistrationStatus
from werklab.registration.services import manage_url
from werklab.translation import lazy_gettext as _l


def _place(name: str, address: str) -> str:
    return ", ".join(part for part in (name, address) if part)


def people_to_tell(session: ProgrammeSession, now: datetime) -> list[Registration]:
    """Confirmed participants and the holders of an open offer, in registration order."""
    candidates = db.session.execute(
        select(Registration)
        .where(
            Registration.programme_id == session.programme_id,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)),
            Registration.erased_at.is_(None),
        )
        .order_by(Registration.id)
    ).scalars()
    return [
        r for r in candidates if r.status is RegistrationStatus.CONFIRMED or r.has_open_offer(now)
    ]


def session_attachment(session_id: int) -> tuple[str, str, bytes]:
    """The changed session as an .ics file, made when the mail is sent (its latest state)."""
    session = db.session.get(ProgrammeSession, session_id)
    if session is None:
        raise LookupError(f"session {session_id} is gone")
    programme = session.programme
    return (
        f"{programme.slug}-{session.position}.ics",
        "text/calendar",
        session_calendar(programme, session),
    )


def _mail_everyone(about: ProgrammeSession, now: datetime, template: str, subject, /, **kw) -> None:
    """The mail `template` to the participants, offer holders and trainers of a session."""
    for registration in people_to_tell(about, now):
        queue_mail(
            registration.email,
            subject,
            f"registration/{template}",
            to_name=registration.full_name,
            locale=registration.locale,
            kind=f"registration.{template}",
            now=now,
            first_name=registration.first_name,
            manage_url=manage_url(registration),
            offered=registration.status is RegistrationStatus.OFFERED,
            **kw,
        )
    for trainer in about.programme.trainers:
        if trainer.active:
            queue_mail(
                trainer.email,
                subject,
                f"registration/{template}",
                to_name=trainer.name,
                kind=f"registration.{template}",
                now=now,
                first_name=trainer.name.split()[0] if trainer.name.strip() else "",
                manage_url=None,
                offered=False,
                **kw,
            )


@session_added.connect
def mail_session_added(session: ProgrammeSession, *, actor, now, **_kw) -> None:
    """A session was added to a running programme: everyone taking part gets it."""
    programme = session.programme
    _mail_everyone(
        session,
        now,
        "session_added",
        _l("New session: %(theme)s (%(title)s)", theme=session.theme, title=programme.title),
        attachments_later=[
            ("werklab.registration.session_changes:session_attachment", {"session_id": session.id})
        ],
        programme=programme,
        session=session,
        place=_place(session.location_name, session.location_address),
    )


@session_removed.connect
def mail_session_removed(session: ProgrammeSession, *, actor, now, **_kw) -> None:
    """A session no longer takes place: everyone taking part hears so, with the calendar
    event cancelled (made now: the session row is gone when the mail is sent)."""
    programme = session.programme
    _mail_everyone(
        session,
        now,
        "session_removed",
        _l("Session cancelled: %(theme)s (%(title)s)", theme=session.theme, title=programme.title),
        attachments=[
            (
                f"{programme.slug}-{session.position}.ics",
                "text/calendar",
                cancelled_session_calendar(programme, session),
            )
        ],
        programme=programme,
        session=session,
    )


@session_changed.connect
def mail_session_change(session: ProgrammeSession, *, previous, actor, now, **_kw) -> None:
    """Mail everyone taking part in the session that its time or place changed."""
    if not WHEN_OR_WHERE & set(previous):
        return
    programme = session.programme
    old = {
        "starts_at": previous.get("starts_at", session.starts_at),
        "ends_at": previous.get("ends_at", session.ends_at),
        "place": _place(
            previous.get("location_name", session.location_name),
            previous.get("location_address", session.location_address),
        ),
    }
    context = {
        "programme": programme,
        "session": session,
        "old": old,
        "new_place": _place(session.location_name, session.location_address),
        "time_changed": bool({"starts_at", "ends_at"} & set(previous)),
        "place_changed": bool({"location_name", "location_address"} & set(previous)),
    }
    subject = _l("Changed: %(theme)s (%(title)s)", theme=session.theme, title=programme.title)
    attachment = [
        ("werklab.registration.session_changes:session_attachment", {"session_id": session.id})
    ]
    _mail_everyone(
        session,
        now,
        "session_changed",
        subject,
        attachments_later=attachment,
        **context,
    )
