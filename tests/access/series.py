"""A series of sessions (issue 15): the programme's trainers and the coordinators plan it.
Completing a programme by hand: coordinators only."""

from __future__ import annotations

from datetime import timedelta

from tests.access import Case, only
from werklab.db import utcnow

X_ONLY = only({"trainer_x": 200, "coordinator": 200})


def _day(weeks: int = 10) -> str:
    return (utcnow() + timedelta(weeks=weeks)).date().isoformat()


def _asked(w) -> dict:
    return {
        "first_day": _day(),
        "interval": "4",
        "count": "2",
        "start": "13:30",
        "end": "16:30",
        "theme": "Bijeenkomst",
        "location_name": "Buurthuis",
        "location_address": "",
    }


def _confirmed(w) -> dict:
    return {**_asked(w), "days-0": _day(10), "days-1": _day(14)}


CASES = [
    Case("series.ask", lambda w: f"/werkruimte/{w.programme_x.id}/reeks", X_ONLY),
    Case(
        "series.propose",
        lambda w: f"/werkruimte/{w.programme_x.id}/reeks",
        X_ONLY,
        method="POST",
        data=_asked,
    ),
    Case(
        "series.confirm",
        lambda w: f"/werkruimte/{w.programme_x.id}/reeks/bevestigen",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=_confirmed,
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "completion.complete",
        lambda w: f"/beheer/programma/{w.programme_x.id}/afronden",
        only({"coordinator": 200}),
    ),
    # Programme X's sessions lie ahead: the coordinator is told it cannot be completed yet.
    Case(
        "completion.complete",
        lambda w: f"/beheer/programma/{w.programme_x.id}/afronden",
        only({"coordinator": 409}),
        method="POST",
        writes=("coordinator",),
        note="sessions to come",
    ),
]
