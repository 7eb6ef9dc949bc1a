"""The certificates issued, of one programme or of all, as a table for werklab.spreadsheets.

One query however many certificates. A certificate whose participant had their data erased
shows as "Erased participant", without organisation or verification code (the code opens a
page with the name printed on the certificate).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from werklab.catalog.models import Programme
from werklab.catalog.services import utc_to_local
from werklab.certificates.models import Certificate
from werklab.extensions import db
from werklab.registration.models import Registration
from werklab.spreadsheets import Cell, neutralise
from werklab.translation import gettext as _

__all__ = ["certificates", "filename", "table"]


def certificates(programme: Programme | None = None) -> list[Certificate]:
    """The certificates of `programme` (None: of every programme), by programme, then by
    date issued, with their registration and programme loaded."""
    stmt = (
        select(Certificate)
        .join(Certificate.registration)
        .join(Certificate.programme)
        .options(contains_eager(Certificate.registration), contains_eager(Certificate.programme))
        .order_by(Programme.title, Programme.id, Certificate.issued_at, Certificate.id)
    )
    if programme is not None:
        stmt = stmt.where(Certificate.programme_id == programme.id)
    return list(db.session.execute(stmt).scalars())


def _day(moment) -> date | None:
    return utc_to_local(moment).date() if moment else None


def table(rows: list[Certificate]) -> list[list[Cell]]:
    """The header and one row per certificate."""
    table: list[list[Cell]] = [
        [
            _("Name"),
            _("Organisation"),
            _("Programme"),
            _("Date issued"),
            _("Certificate number"),
            _("Verification code"),
            _("Sessions attended"),
            _("Status"),
            _("Revoked on"),
        ]
    ]
    for c in rows:
        registration: Registration = c.registration
        erased = registration.erased_at is not None
        table.append(
            [
                neutralise(registration.full_name if erased else c.name),
                "" if erased else neutralise(c.organisation),
                neutralise(c.programme_title),
                _day(c.issued_at),
                c.id,
                "" if erased else neutralise(c.code),
                len(c.sessions or []),
                _("Valid") if c.is_valid else _("Revoked"),
                _day(c.revoked_at),
            ]
        )
    return table


def filename(programme: Programme | None, day: date, extension: str) -> str:
    what = f"certificaten-{programme.slug}" if programme is not None else "certificaten"
    return f"{what}-{day:%Y-%m-%d}.{extension}"
