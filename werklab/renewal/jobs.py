"""Periodic work of the renewal, for `flask werklab tick`."""

from __future__ import annotations

from datetime import datetime

from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.renewal import services


def run_renewals(now: datetime | None = None) -> tuple[int, int]:
    """Remind who has not answered a few days before the deadline (once), and at the
    deadline release the places nobody claimed and open next year. Each renewal is claimed
    with FOR UPDATE SKIP LOCKED in its own transaction, and the claim is checked again
    under the lock: several machines never mail anyone twice. Returns (reminded, expired)."""
    now = now or utcnow()
    reminded = expired = 0
    db.session.rollback()
    for renewal_id in services.renewals_to_remind(now):
        db.session.rollback()
        begin_write(db.session)
        reminded += services.remind(renewal_id, now=now)
        db.session.commit()
    db.session.rollback()
    for renewal_id in services.renewals_to_close(now):
        db.session.rollback()
        begin_write(db.session)
        expired += services.close_renewal(renewal_id, now=now)
        db.session.commit()
    db.session.rollback()
    return reminded, expired
