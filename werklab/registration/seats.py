"""Seats: count them, lock the programme before deciding, and the place on the waiting list.

Every decision about seats is taken with the programme row locked (lock_programme), so the
maximum holds however many people register at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.exc import OperationalError

from werklab import testmode
from werklab.catalog.models import Programme
from werklab.db import constant, in_constants, is_lock_timeout
from werklab.errors import Busy
from werklab.extensions import db
from werklab.registration.models import Registration, RegistrationStatus, active_status_clause
from werklab.translation import lazy_gettext as _l

S = RegistrationStatus


#: Statements below are built once with bind parameters: building SQLAlchemy expressions
#: costs more than running these small queries, and registration is the hot path.
NOW = bindparam("now", type_=sa.DateTime())


#: The statuses that can hold a seat (index-friendly: registrations by programme and status).
HOLDING_STATUSES = (S.CONFIRMED, S.HELD, S.OFFERED)


def _takes_seat(now=NOW):
    """Confirmed, or a hold or offer still running. The status list first lets the database
    read only these rows from the (programme, status) index, not the whole waiting list."""
    R = Registration
    return and_(
        in_constants(R.status, HOLDING_STATUSES),
        or_(
            R.status == constant(R.status, S.CONFIRMED),
            and_(R.status == constant(R.status, S.HELD), R.hold_expires_at > now),
            and_(R.status == constant(R.status, S.OFFERED), R.offer_expires_at > now),
        ),
    )


def overdue_filter(now=NOW):
    """Offers and payment holds whose time is up but that are not yet expired."""
    R = Registration
    return or_(
        and_(R.status == constant(R.status, S.OFFERED), R.offer_expires_at <= now),
        and_(R.status == constant(R.status, S.HELD), R.hold_expires_at <= now),
    )


@cache
def _seats_taken_stmt():
    return (
        select(func.count())
        .select_from(Registration)
        .where(Registration.programme_id == bindparam("programme_id"), _takes_seat())
    )


def seats_taken(programme_id: int, now: datetime) -> int:
    """Count confirmed seats, unexpired payment holds and open offers."""
    return db.session.execute(
        _seats_taken_stmt(), {"programme_id": programme_id, "now": now}
    ).scalar_one()


def seats_taken_expr(programme_id_column):
    """A correlated subquery counting seats taken (bind parameter `now`), to select
    alongside programmes."""
    return (
        select(func.count())
        .select_from(Registration)
        .where(Registration.programme_id == programme_id_column, _takes_seat())
        .correlate_except(Registration)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class SeatState:
    taken: int  # confirmed + unexpired holds + open offers
    waiting: bool  # somebody is on the waiting list, not yet offered a seat
    overdue: int  # offers and holds past their time, not yet expired
    last_seq: int  # highest waiting-list number handed out
    duplicate: bool  # the e-mail asked about has an active registration


@cache
def _seat_state_stmt():
    """One statement of small subqueries, each answered from an index, so that it costs
    the same with a waiting list of 3 or of 3,000 (registrations, then, by status)."""
    R = Registration
    mine = R.programme_id == bindparam("programme_id")
    return select(
        select(func.count()).select_from(R).where(mine, _takes_seat()).scalar_subquery(),
        exists().where(mine, R.status == constant(R.status, S.WAITLISTED)),
        select(func.count())
        .select_from(R)
        .where(mine, in_constants(R.status, HOLDING_STATUSES), overdue_filter())
        .scalar_subquery(),
        select(func.coalesce(func.max(R.waitlist_seq), 0)).where(mine).scalar_subquery(),
        exists().where(
            R.email_normalized == bindparam("email", type_=sa.String()),
            mine,
            active_status_clause(),
        ),
    )


def seat_state(programme_id: int, now: datetime, email_normalized: str | None = None) -> SeatState:
    """Everything the registration decision needs, in one query.

    MUST be called with the programme row locked when the answer decides a seat.
    """
    row = (
        db.session.connection()
        .execute(
            _seat_state_stmt(),
            {"programme_id": programme_id, "now": now, "email": email_normalized or ""},
        )
        .one()
    )
    return SeatState(row[0], bool(row[1]), row[2], row[3], bool(row[4]))


def lock_programme(programme_id: int, *, skip_locked: bool = False) -> Programme | None:
    """Load the programme with its row locked until the end of the transaction.

    PostgreSQL: SELECT ... FOR UPDATE; after lock_timeout it raises Busy.
    SQLite: the write lock was taken at BEGIN IMMEDIATE (see db.begin_write).
    With skip_locked, a programme that someone else holds is skipped (returns None).
    """
    # PostgreSQL connections carry lock_timeout (set at connect, see db.engine_options).
    stmt = _lock_stmt(testmode.capacity_lock(), skip_locked)
    try:
        return db.session.execute(stmt, {"programme_id": programme_id}).scalar_one_or_none()
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise Busy(str(_l("It is busy right now, please try again."))) from exc
        raise


@cache
def _lock_stmt(lock: bool, skip_locked: bool):
    """The programme read afresh (populate_existing), FOR UPDATE unless the lock is switched
    off for a control run (testmode); built once per variant."""
    stmt = select(Programme).where(Programme.id == bindparam("programme_id"))
    if lock:
        stmt = stmt.with_for_update(skip_locked=skip_locked)
    return stmt.execution_options(populate_existing=True)


def waitlist_position(registration: Registration) -> int | None:
    """Return the 1-based place on the waiting list, or None when not waiting.

    Counts what is flushed, on the session's connection: the session's own execute() costs
    half as much again (the manage page runs this on every view), and its callers have no
    changes pending when they ask.
    """
    if registration.status is not S.WAITLISTED:
        return None
    ahead = (
        db.session.connection()
        .execute(
            _ahead_stmt(),
            {"programme_id": registration.programme_id, "seq": registration.waitlist_seq},
        )
        .scalar_one()
    )
    return ahead + 1


@cache
def _ahead_stmt():
    """Those waiting before a number: counted in the (programme, status, waitlist_seq) index."""
    return (
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.programme_id == bindparam("programme_id"),
            Registration.status == constant(Registration.status, S.WAITLISTED),
            Registration.waitlist_seq < bindparam("seq"),
        )
    )


def programmes_needing_advance(now: datetime) -> list[int]:
    """Programmes with an overdue offer or hold (work for `tick`)."""
    return list(
        db.session.execute(
            select(Registration.programme_id).where(overdue_filter(now)).distinct()
        ).scalars()
    )
