"""Propose the dates of a series of sessions, avoiding Dutch public holidays.

Pure date arithmetic: no database, no request. The dates follow the interval from the first
one; a date that falls on a public holiday (as the `holidays` library keeps them for the
Netherlands, with their Dutch names) moves to the next working day: the first day after it
that is neither a Saturday, a Sunday nor a holiday. The dates after it keep the interval from
the first date, so one holiday does not push the rest of the series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

#: Limits of a series: a CoP meets monthly for a few years, an LG every 6 to 8 weeks.
MIN_COUNT, MAX_COUNT = 1, 30
MIN_INTERVAL, MAX_INTERVAL = 1, 26


@dataclass(frozen=True)
class ProposedDate:
    day: date
    #: The date the interval gave, when it fell on a holiday and moved (else None).
    moved_from: date | None = None
    #: The Dutch name of the holiday it moved away from ("Koningsdag").
    holiday: str = ""


@cache
def _dutch_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("NL", years=year, language="nl"))


def holiday_name(day: date) -> str:
    """The Dutch name of the public holiday on `day`, or "" on an ordinary day."""
    return _dutch_holidays(day.year).get(day, "")


def next_working_day(day: date) -> date:
    """The first day after `day` that is a weekday and no public holiday."""
    day += timedelta(days=1)
    while day.weekday() >= 5 or holiday_name(day):
        day += timedelta(days=1)
    return day


def propose(first_day: date, interval_weeks: int, count: int) -> list[ProposedDate]:
    """`count` dates `interval_weeks` apart from `first_day`, moved off public holidays."""
    proposal = []
    for i in range(count):
        day = first_day + timedelta(weeks=interval_weeks * i)
        name = holiday_name(day)
        if name:
            proposal.append(ProposedDate(next_working_day(day), moved_from=day, holiday=name))
        else:
            proposal.append(ProposedDate(day))
    return proposal
