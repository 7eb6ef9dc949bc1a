"""Invoice numbers: per calendar year without gaps, shared by invoices and credit notes.

A number is taken from the year's counter row with that row locked, in the same transaction
that stores the document: two transactions never get the same number, and a transaction that
rolls back gives its number back. Lock order: the programme row (taken by the registration
code) before the counter row.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from werklab.db import is_lock_timeout
from werklab.errors import Busy
from werklab.extensions import db
from werklab.invoicing.models import InvoiceCounter
from werklab.translation import lazy_gettext as _l


def _lock_counter(year: int) -> InvoiceCounter | None:
    return db.session.execute(
        select(InvoiceCounter)
        .where(InvoiceCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _create_counter(year: int) -> None:
    """Insert the year's counter unless it exists (two first invoices of a year may race)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(InvoiceCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )


def next_number(year: int) -> str:
    """Take the next number of `year`. The counter stays locked until the transaction ends:
    the caller MUST store the document in this same transaction."""
    try:
        counter = _lock_counter(year)
        if counter is None:
            _create_counter(year)
            counter = _lock_counter(year)
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise Busy(str(_l("It is busy right now, please try again."))) from exc
        raise
    counter.last_number += 1
    db.session.flush()
    return f"{year}-{counter.last_number:04d}"
