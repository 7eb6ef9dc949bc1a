"""Remove what is no longer needed once a programme is over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from werklab import audit
from werklab.catalog.models import ProgrammeSession
from werklab.extensions import db
from werklab.registration.models import Registration


def purge_dietary_wishes(now: datetime) -> int:
    """Remove dietary wishes of programmes whose last session has ended."""
    ended = (
        select(ProgrammeSession.programme_id)
        .group_by(ProgrammeSession.programme_id)
        .having(func.max(ProgrammeSession.ends_at) < now)
    )
    result = db.session.execute(
        update(Registration)
        .where(Registration.dietary_wishes.is_not(None), Registration.programme_id.in_(ended))
        .values(dietary_wishes=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        audit.record(
            "registration.dietary_wishes_purged",
            Registration,
            actor="system",
            now=now,
            count=result.rowcount,
        )
    return result.rowcount or 0
