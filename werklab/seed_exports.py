"""Demo data for the exports (issue 13): certificates for the programme whose sessions have
all taken place, so that the certificate export has rows to show. (The attendance matrix,
the werklab requests and the invoices come from the rest of the demo.) Called by
seed.seed_demo."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from werklab.catalog.models import Programme, ProgrammeSession
from werklab.certificates.services import issue_certificates
from werklab.extensions import db


def seed_exports(now: datetime) -> str:
    """Issue the certificates of every finished programme that has a trainer; returns a line
    for the seed summary."""
    finished = (
        select(ProgrammeSession.programme_id)
        .group_by(ProgrammeSession.programme_id)
        .having(func.max(ProgrammeSession.ends_at) < now)
    )
    programmes = db.session.execute(
        select(Programme).where(Programme.id.in_(finished)).order_by(Programme.id)
    ).scalars()
    issued = 0
    for programme in programmes:
        if programme.trainers:
            issued += len(issue_certificates(programme, actor=programme.trainers[0], now=now))
    return (
        f"Exports: {issued} certificates issued; download them under Beheer (all programmes), "
        "and each programme's attendance matrix from its page."
    )
