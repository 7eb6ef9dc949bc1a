"""Calendar files (.ics) for the sessions of programmes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from werklab.catalog.models import Programme, ProgrammeSession
from werklab.db import utcnow


def session_event(programme: Programme, session: ProgrammeSession, stamp: datetime) -> Event:
    """One session as an event; the UID is stable, so a calendar that gets the same session
    from a mail and from a feed shows it once."""
    event = Event()
    event.add("uid", f"werklab-session-{session.id}@werklab")
    event.add("dtstamp", stamp)
    # Raised on every change of time or place: the calendar replaces its copy of the event.
    event.add("sequence", session.sequence or 0)
    event.add("dtstart", session.starts_at.replace(tzinfo=UTC))
    event.add("dtend", session.ends_at.replace(tzinfo=UTC))
    event.add("summary", f"{programme.title}: {session.theme}")
    location = ", ".join(p for p in (session.location_name, session.location_address) if p)
    if location:
        event.add("location", location)
    if session.description:
        event.add("description", session.description)
    return event


def build_calendar(
    name: str,
    programmes: Iterable[tuple[Programme, Iterable[ProgrammeSession]]],
    *,
    refresh: str | None = None,
) -> bytes:
    """An iCalendar file with one event per session (times in UTC). `refresh` is the
    ISO 8601 interval a subscribed calendar should reload in (e.g. "PT6H")."""
    cal = Calendar()
    cal.add("prodid", "-//werklab//werklab//NL")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    if refresh:
        cal.add("x-published-ttl", refresh)
    stamp = utcnow().replace(tzinfo=UTC)
    for programme, sessions in programmes:
        for session in sessions:
            cal.add_component(session_event(programme, session, stamp))
    return cal.to_ical()


def programme_calendar(programme: Programme, sessions: Iterable[ProgrammeSession]) -> bytes:
    """The sessions of one programme (attached to the confirmation mail)."""
    return build_calendar(programme.title, [(programme, sessions)])


def session_calendar(programme: Programme, session: ProgrammeSession) -> bytes:
    """One session (attached to the mail that says it changed: same UID, higher SEQUENCE)."""
    return build_calendar(programme.title, [(programme, [session])])


def cancelled_session_calendar(programme: Programme, session: ProgrammeSession) -> bytes:
    """A session that no longer takes place: the same event marked cancelled (METHOD CANCEL,
    STATUS CANCELLED, a higher SEQUENCE), so a calendar that has it removes or strikes it."""
    cal = Calendar()
    cal.add("prodid", "-//werklab//werklab//NL")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL")
    event = session_event(programme, session, utcnow().replace(tzinfo=UTC))
    event["sequence"] = (session.sequence or 0) + 1
    event.add("status", "CANCELLED")
    cal.add_component(event)
    return cal.to_ical()
