"""Resident initiatives and site visits (issue 5): the directory is for coordinators, the
public list for everyone, visit planning for the programme's trainers and the coordinators.
Host and participant links are keys: whoever holds the signed link may use it; a tampered
link is 404 for everyone."""

from __future__ import annotations

from datetime import timedelta

from tests.access import Case, everyone, only
from werklab.catalog.models import SessionKind
from werklab.extensions import db
from werklab.initiatives import services
from werklab.initiatives.services import InitiativeData

OK = only({"coordinator": 200})
DONE = only({"coordinator": 302})
X_ONLY = only({"trainer_x": 200, "coordinator": 200})
X_DONE = only({"trainer_x": 302, "coordinator": 302})
INITIATIVE = {"name": "Repair Café", "place": "Arnhem", "capacity": "6"}


def _extra(w):
    """An initiative and a visit to it in programme X's first session (made a site visit)."""
    if "extra" not in w.__dict__:
        initiative = services.create_initiative(
            InitiativeData(name="Buurttuin", contact_email="tuin@example.nl", capacity=4),
            actor="test",
        )
        session = w.programme_x.sessions[0]
        session.kind = SessionKind.SITE_VISIT
        db.session.flush()
        visit = services.add_visit(
            session,
            initiative,
            session.starts_at,
            session.starts_at + timedelta(hours=2),
            actor="test",
        )
        db.session.commit()
        w.__dict__["extra"] = (
            initiative.id,
            session.id,
            services.host_url(visit).removeprefix("http://werklab.test"),
            services.feedback_url(visit).removeprefix("http://werklab.test"),
        )
    return w.__dict__["extra"]


def _initiative(w) -> str:
    return f"/beheer/initiatieven/{_extra(w)[0]}"


def _visits(w) -> str:
    return f"/werkruimte/bijeenkomst/{_extra(w)[1]}/werkbezoeken"


def _tampered(path: str) -> str:
    return path.replace("/werkbezoek/", "/werkbezoek/x", 1)


CASES = [
    Case("initiatives.public_list", lambda w: "/initiatieven", everyone(200)),
    Case("initiatives.directory", lambda w: "/beheer/initiatieven", OK),
    Case("initiatives.new_initiative", lambda w: "/beheer/initiatieven/nieuw", OK),
    Case(
        "initiatives.new_initiative",
        lambda w: "/beheer/initiatieven/nieuw",
        DONE,
        method="POST",
        data=lambda w: INITIATIVE,
        writes=("coordinator",),
    ),
    Case("initiatives.edit_initiative", _initiative, OK),
    Case(
        "initiatives.edit_initiative",
        lambda w: "/beheer/initiatieven/999999",
        only({"coordinator": 404}),
        note="unknown id",
    ),
    Case(
        "initiatives.edit_initiative",
        _initiative,
        DONE,
        method="POST",
        data=lambda w: INITIATIVE,
        writes=("coordinator",),
    ),
    Case("initiatives.visits", _visits, X_ONLY),
    Case(
        "initiatives.visits",
        lambda w: "/werkruimte/bijeenkomst/999999/werkbezoeken",
        only({}, others=404),
        note="unknown session",
    ),
    Case(
        "initiatives.add_visit",
        _visits,
        X_DONE,
        method="POST",
        data=lambda w: {
            "initiative_id": _extra(w)[0],
            "day": "2030-03-02",
            "start": "10:00",
            "end": "12:00",
        },
        note="already visited: a message",
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "initiatives.assign",
        lambda w: f"{_visits(w)}/indelen",
        X_DONE,
        method="POST",
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "initiatives.set_host",
        lambda w: f"/werkruimte/bijeenkomst/{_extra(w)[1]}/gastlocatie",
        X_DONE,
        method="POST",
        data=lambda w: {"initiative_id": "0", "organisation": "Gemeente Ede"},
        writes=("trainer_x", "coordinator"),
    ),
    # The host link is the key: whoever holds it may answer, signed in or not.
    Case("initiatives.host", lambda w: _extra(w)[2], everyone(200)),
    Case(
        "initiatives.host",
        lambda w: _tampered(_extra(w)[2]),
        everyone(404),
        note="tampered link",
    ),
    Case(
        "initiatives.host",
        lambda w: _extra(w)[2],
        everyone(302),
        method="POST",
        data=lambda w: {"answer": "yes", "info": "Bel aan."},
        writes=("anonymous", "participant_a", "participant_b", "trainer_x", "trainer_y"),
    ),
    Case(
        "initiatives.host",
        lambda w: _tampered(_extra(w)[2]),
        everyone(404),
        method="POST",
        data=lambda w: {"answer": "no"},
        note="tampered link",
    ),
    Case("initiatives.feedback", lambda w: _extra(w)[3], everyone(200)),
    Case(
        "initiatives.feedback",
        lambda w: _tampered(_extra(w)[3]),
        everyone(404),
        note="tampered link",
    ),
    Case(
        "initiatives.feedback",
        lambda w: _extra(w)[3],
        everyone(302),
        method="POST",
        data=lambda w: {"answer": "Fijn bezoek."},
        note="the second answer gets a message",
        writes=("anonymous", "participant_a", "participant_b", "trainer_x", "trainer_y"),
    ),
    Case(
        "initiatives.participant_visit",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/werkbezoek",
        everyone(200),
    ),
    Case(
        "initiatives.participant_visit",
        lambda w: "/inschrijving/nep/werkbezoek",
        everyone(404),
        note="unknown token",
    ),
]
