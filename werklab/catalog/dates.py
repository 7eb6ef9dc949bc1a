"""Dates that cannot be: a session (or visit) starting in the past or ending before it
starts, a due date that has passed. One check, used by every service that plans something."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime

from werklab.errors import ValidationError
from werklab.translation import lazy_gettext as _l


def _local(moment: datetime) -> str:
    """A stored naive UTC moment as wall-clock text (Flask-Babel converts to local time)."""
    return format_datetime(moment, "d MMMM y, HH:mm")


def check_slot(
    starts_at: datetime,
    ends_at: datetime,
    *,
    now: datetime,
    previous_start: datetime | None = None,
    what: str = "session",
) -> None:
    """Refuse a time slot (naive UTC) that ends before it starts, or that starts in the past.

    `previous_start` is the slot's start before this change (None for a new one): a slot
    that has already started may still be edited (a theme, a room, a corrected time), but
    nothing new is planned in the past and nothing is moved into it."""
    if ends_at <= starts_at:
        raise ValidationError(
            str(
                _l("A visit must end after it starts.")
                if what == "visit"
                else _l("A session must end after it starts.")
            )
        )
    already_started = previous_start is not None and previous_start <= now
    if starts_at < now and not already_started and starts_at != previous_start:
        raise ValidationError(
            str(
                _l(
                    "%(when)s has already passed: a session cannot start in the past.",
                    when=_local(starts_at),
                )
                if what != "visit"
                else _l(
                    "%(when)s has already passed: a visit cannot start in the past.",
                    when=_local(starts_at),
                )
            )
        )


def check_due(due_at: datetime, *, now: datetime, previous_due: datetime | None = None) -> None:
    """Refuse a due date (naive UTC) in the past, unless it is the one already set."""
    if due_at < now and due_at != previous_due:
        raise ValidationError(
            str(
                _l(
                    "%(when)s has already passed: choose a due date in the future.",
                    when=_local(due_at),
                )
            )
        )
