"""Periodic work of this area, for `flask werklab tick`."""

from __future__ import annotations

from datetime import datetime

from werklab.catalog.models import ProgrammeSession
from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.reminders import services


def send_reminders(now: datetime | None = None) -> int:
    """Mail participants a reminder before each session, once per session and person.

    Each session is handled in its own short write transaction. The claim is the unique
    SessionReminder row inserted in the same transaction as the queued mail: a second `tick`
    machine working on the same session at the same moment either waits for the first
    one's commit and then fails to insert (PostgreSQL), or starts after it and finds the
    rows (SQLite: BEGIN IMMEDIATE); either way it queues nothing twice. Returns how many
    reminders were queued."""
    now = now or utcnow()
    sent = 0
    db.session.rollback()
    for session_id in services.sessions_to_check(now):
        db.session.rollback()
        # A read first: most sessions checked have nobody due, and need no write lock.
        session = db.session.get(ProgrammeSession, session_id)
        if session is None or not services.due_for(session, now):
            continue
        db.session.rollback()
        begin_write(db.session)
        session = db.session.get(ProgrammeSession, session_id, populate_existing=True)
        if session is None:
            db.session.rollback()
            continue
        sent += services.remind_session(session, now=now)
        db.session.commit()
    db.session.rollback()
    return sent
