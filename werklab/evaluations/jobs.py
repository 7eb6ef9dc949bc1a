"""Periodic work of this area, for `flask werklab tick`."""

from __future__ import annotations

from datetime import datetime

from werklab.db import begin_write, utcnow
from werklab.evaluations import services
from werklab.extensions import db


def send_evaluations(now: datetime | None = None) -> tuple[int, int]:
    """Mail the personal evaluation links after each session, and one reminder. Each
    session's evaluation is claimed with FOR UPDATE SKIP LOCKED (and invitations are unique
    per person), reminders row by row: several machines never mail anyone twice.
    Returns (invited, reminded)."""
    now = now or utcnow()
    invited = 0
    db.session.rollback()
    for session_id in services.sessions_to_invite(now):
        db.session.rollback()
        begin_write(db.session)
        invited += services.invite(session_id, now=now)
        db.session.commit()
    db.session.rollback()
    begin_write(db.session)
    reminded = services.remind(now)
    db.session.commit()
    return invited, reminded
