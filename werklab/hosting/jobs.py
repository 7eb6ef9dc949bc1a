"""Periodic work of this area, for `flask werklab tick`."""

from __future__ import annotations

from datetime import datetime

from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.hosting import services


def remind_hosts(now: datetime | None = None) -> int:
    """Remind each host of their meeting a few days before, once: each offer is claimed
    with FOR UPDATE SKIP LOCKED on PostgreSQL (BEGIN IMMEDIATE on SQLite) and its
    `reminded_at` checked under the lock, so several machines never mail a host twice.
    Returns how many reminders were queued."""
    now = now or utcnow()
    reminded = 0
    db.session.rollback()
    for offer_id in services.offers_to_remind(now):
        db.session.rollback()
        begin_write(db.session)
        offer = services.lock_offer(offer_id, skip_locked=True)
        if offer is None:
            db.session.rollback()
            continue
        reminded += services.remind_host(offer, now=now)
        db.session.commit()
    db.session.rollback()
    return reminded
