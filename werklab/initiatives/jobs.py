"""Periodic work of this area, for `flask werklab tick`."""

from __future__ import annotations

from datetime import datetime

from werklab.db import begin_write, utcnow
from werklab.extensions import db
from werklab.initiatives import services


def thank_hosts(now: datetime | None = None) -> int:
    """Mail the hosts of past confirmed visits a thank-you with the feedback link, once
    (the rows are claimed with SKIP LOCKED: several machines never mail twice)."""
    now = now or utcnow()
    db.session.rollback()
    begin_write(db.session)
    count = services.thank_hosts(now)
    db.session.commit()
    return count
