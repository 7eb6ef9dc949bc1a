"""Periodic work for `flask werklab tick`: idempotent, and safe on several machines at once."""

from __future__ import annotations

import logging
from datetime import datetime

from werklab import mail
from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.registration import services as registration

log = logging.getLogger("werklab.jobs")


def expire_offers(now: datetime | None = None) -> int:
    """Expire overdue waiting-list offers and payment holds; offer the seats to the next.

    Each programme is handled in its own transaction; a programme another machine is
    working on right now is skipped (FOR UPDATE SKIP LOCKED) and picked up next time.
    """
    now = now or utcnow()
    handled = 0
    for programme_id in registration.programmes_needing_advance(now):
        db.session.rollback()
        begin_write(db.session)
        programme = registration.lock_programme(programme_id, skip_locked=True)
        if programme is None:
            db.session.rollback()
            continue
        registration.advance_waiting_list(programme, now)
        db.session.commit()
        handled += 1
    db.session.rollback()
    return handled


def purge_dietary_wishes(now: datetime | None = None) -> int:
    """Delete dietary wishes once a programme's last session is over (AVG: keep only what
    is needed)."""
    now = now or utcnow()
    begin_write(db.session)
    purged = registration.purge_dietary_wishes(now)
    db.session.commit()
    return purged


def tick(now: datetime | None = None) -> dict[str, int]:
    """Run every periodic job once."""
    now = now or utcnow()
    result = {"programmes_advanced": expire_offers(now)}
    result["dietary_wishes_purged"] = purge_dietary_wishes(now)
    result["mails_requeued"] = mail.requeue_stale(now)
    result["mails_sent"] = mail.deliver_due(now=now)
    return result
