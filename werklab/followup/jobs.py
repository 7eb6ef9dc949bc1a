"""Periodic work of this area, for `flask werklab tick`."""

from __future__ import annotations

from datetime import datetime

from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.followup import services


def mail_digests(now: datetime | None = None) -> int:
    """Mail each trainer a weekly digest of who needs attention, only when something new
    appeared, once a week: each trainer is claimed with FOR UPDATE SKIP LOCKED on
    PostgreSQL (BEGIN IMMEDIATE on SQLite), and the unique (trainer, week) row makes a
    second claim impossible whatever the locks did. Returns how many digests were mailed."""
    now = now or utcnow()
    mailed = 0
    db.session.rollback()
    for trainer_id in services.trainers_due_for_digest(now):
        db.session.rollback()
        begin_write(db.session)
        trainer = services.lock_trainer(trainer_id, skip_locked=True)
        if trainer is None:
            db.session.rollback()
            continue
        digest = services.send_digest(trainer, now=now)
        db.session.commit()
        mailed += bool(digest and digest.mailed)
    db.session.rollback()
    return mailed
