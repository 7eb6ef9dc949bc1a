"""Periodic work of this area, for `flask werklab tick`."""

from __future__ import annotations

from datetime import datetime

from werklab.completion import services
from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.registration.seats import lock_programme


def complete_programmes(now: datetime | None = None) -> int:
    """Complete the programmes whose last session ended COMPLETE_AFTER_DAYS ago, each in its
    own transaction. The programme row is claimed with FOR UPDATE SKIP LOCKED (SQLite: BEGIN
    IMMEDIATE) and its status checked again under the lock, so two tick processes never
    complete it, or mail anyone, twice. Returns the number of programmes completed."""
    now = now or utcnow()
    completed = 0
    db.session.rollback()
    for programme_id in services.programmes_to_complete(now):
        db.session.rollback()
        begin_write(db.session)
        programme = lock_programme(programme_id, skip_locked=True)
        if programme is None or programme.status not in services.COMPLETABLE:
            db.session.rollback()
            continue
        services.complete_programme(programme, actor="system", now=now)
        db.session.commit()
        completed += 1
    db.session.rollback()
    return completed
