"""A second year of a Community of Practice (issue 15): the coordinators open the renewal,
the programme's trainers and the coordinators see the answers; the personal link is the
key for its holder, whoever is signed in (like the manage link of a registration).

Programme X is a CoP with A and B seated; `_renewal` opens its renewal once per world.
"""

from __future__ import annotations

from datetime import timedelta

from tests.access import Case, everyone, only
from werklab.db import utcnow
from werklab.extensions import db
from werklab.renewal import services

X_STAFF = {"trainer_x": 200, "coordinator": 200}


def _renewal(w):
    if not getattr(w, "_renewal", None):
        now = utcnow()
        w._renewal = services.open_renewal(
            w.programme_x,
            services.RenewalData(title="Programma X 2027", deadline=now + timedelta(days=14)),
            actor="test",
            now=now,
        )
        db.session.commit()
    return w._renewal


def _link(w) -> str:
    return f"/verlengen/{_renewal(w).invitations[0].token}"


def _expired_link(w) -> str:
    renewal = _renewal(w)
    renewal.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return f"/verlengen/{renewal.invitations[1].token}"


def _open_data(w):
    return {
        "title": "Programma X 2027",
        "deadline_date": (utcnow() + timedelta(days=20)).date().isoformat(),
        "next_programme": "",
    }


CASES = [
    Case(
        "renewal.overview",
        lambda w: f"/beheer/programma/{w.programme_x.id}/verlenging",
        only(X_STAFF),
    ),
    Case(
        "renewal.overview",
        lambda w: f"/beheer/programma/{_renewal(w).programme_id}/verlenging",
        only(X_STAFF),
        note="with a renewal",
    ),
    Case(
        "renewal.overview",
        lambda w: "/beheer/programma/999999/verlenging",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "renewal.open_renewal",
        lambda w: f"/beheer/programma/{w.programme_x.id}/verlenging/openen",
        only({"coordinator": 200}),
    ),
    Case(
        "renewal.open_renewal",
        lambda w: f"/beheer/programma/{w.programme_x.id}/verlenging/openen",
        only({"coordinator": 302}),
        method="POST",
        data=_open_data,
        writes=("coordinator",),
    ),
    Case(
        "renewal.open_renewal",
        lambda w: "/beheer/programma/999999/verlenging/openen",
        only({}, others=404),
        note="unknown programme",
    ),
    Case("renewal.renew", _link, everyone(200)),
    Case(
        "renewal.renew",
        _link,
        everyone(400),
        method="POST",
        data=lambda w: {"first_name": ""},
        note="incomplete form: nothing stored",
    ),
    Case("renewal.renew", _expired_link, everyone(410), note="expired"),
    Case("renewal.renew", lambda w: "/verlengen/onbekend", everyone(404), note="unknown link"),
    Case("renewal.decline", lambda w: f"{_link(w)}/afzien", everyone(200)),
    Case(
        "renewal.decline",
        lambda w: f"{_expired_link(w)}/afzien",
        everyone(410),
        method="POST",
        note="expired",
    ),
    Case(
        "renewal.decline",
        lambda w: "/verlengen/onbekend/afzien",
        everyone(404),
        method="POST",
        note="unknown link",
    ),
]
