"""Periodic work of this area, for `flask werklab tick`."""

from __future__ import annotations

from datetime import datetime

from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.privacy import retention
from werklab.privacy.models import ProgrammeRetention
from werklab.registration.seats import lock_programme


def apply_retention(now: datetime | None = None) -> int:
    """Erase the personal data that is no longer needed (see werklab/privacy/retention.py).
    Each programme in its own transaction, claimed with FOR UPDATE SKIP LOCKED and marked
    done in it: several machines never do one twice. Returns how many rows were erased or
    anonymised in all."""
    now = now or utcnow()
    total = 0
    db.session.rollback()
    for programme_id in retention.due_programmes(now):
        db.session.rollback()
        begin_write(db.session)
        programme = lock_programme(programme_id, skip_locked=True)
        if programme is None or db.session.get(ProgrammeRetention, programme_id) is not None:
            db.session.rollback()
            continue
        total += sum(retention.erase_programme(programme, now=now).values())
        db.session.commit()
    db.session.rollback()
    begin_write(db.session)
    total += sum(retention.anonymise_old(now).values())
    db.session.commit()
    return total
