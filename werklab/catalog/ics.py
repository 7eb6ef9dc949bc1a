"""Calendar files (.ics) for the sessions of a programme."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from icalendar import Calendar, Event

from werklab.catalog.models import Programme, ProgrammeSession
from werklab.db import utcnow


def programme_calendar(programme: Programme, sessions: Iterable[ProgrammeSession]) -> bytes:
    """Return an iCalendar file with one event per session (times in UTC)."""
    cal = Calendar()
    cal.add("prodid", "-//werklab//werklab//NL")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", programme.title)
    stamp = utcnow().replace(tzinfo=UTC)
    for session in sessions:
        event = Event()
        event.add("uid", f"werklab-session-{session.id}@werklab")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.replace(tzinfo=UTC))
        event.add("dtend", session.ends_at.replace(tzinfo=UTC))
        event.add("summary", f"{programme.title}: {session.theme}")
        location = ", ".join(p for p in (session.location_name, session.location_address) if p)
        if location:
            event.add("location", location)
        if session.description:
            event.add("description", session.description)
        cal.add_component(event)
    return cal.to_ical()
