"""Hosts take turns (issue 15): a participant offers to host and asks a host a question
about their own programme; the programme's trainers (and the coordinators) choose hosts.

In programme X, A has an open offer and an accepted one (hosting X's second meeting).
"""

from __future__ import annotations

from tests.access import Case, only
from werklab.db import utcnow
from werklab.extensions import db
from werklab.hosting import services
from werklab.hosting.services import OfferData

TRAINERS = {"trainer_x": 200, "coordinator": 200}


def _offers(w):
    """A's open offer and A's accepted offer in X (made once per world)."""
    if not hasattr(w, "_hosting"):
        data = OfferData("Buurthuis De Speeldoos", "Vleutenseweg 386, Utrecht", 20, "", None, "")
        open_offer = services.volunteer(w.registration_a, data, now=utcnow())
        accepted = services.volunteer(w.registration_a, data, now=utcnow())
        services.accept_offer(
            accepted, w.programme_x.sessions[1], actor=w.users["trainer_x"], now=utcnow()
        )
        db.session.commit()
        w._hosting = (open_offer.id, accepted.id)
    return w._hosting


def _open(w):
    return _offers(w)[0]


def _accepted(w):
    return _offers(w)[1]


def _offer_form(w):
    return {"organisation": "Groene Kerk", "address": "Kanaalstraat 1", "capacity": "12"}


CASES = [
    Case(
        "hosting.volunteer",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_a.id}/gastheer",
        only({"participant_a": 200}),
    ),
    Case(
        "hosting.volunteer",
        lambda w: "/mijn-traject/inschrijving/999999/gastheer",
        only({}, others=404),
        note="unknown registration",
    ),
    Case(
        "hosting.volunteer",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_a.id}/gastheer",
        only({"participant_a": 302}),
        method="POST",
        data=_offer_form,
        writes=("participant_a",),
    ),
    Case(
        "hosting.volunteer",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_a.id}/gastheer",
        only({"participant_a": 400}),
        method="POST",
        data=lambda w: {**_offer_form(w), "capacity": "veel"},
        note="capacity in letters",
    ),
    Case(
        "hosting.offer",
        lambda w: f"/mijn-traject/gastheer/{_open(w)}",
        only({"participant_a": 200, **TRAINERS}),
    ),
    Case(
        "hosting.offer",
        lambda w: "/mijn-traject/gastheer/999999",
        only({}, others=404),
        note="unknown offer",
    ),
    Case(
        "hosting.withdraw",
        lambda w: f"/mijn-traject/gastheer/{_open(w)}/intrekken",
        only({"participant_a": 302}),
        method="POST",
        writes=("participant_a",),
    ),
    Case(
        "hosting.withdraw",
        lambda w: f"/mijn-traject/gastheer/{_accepted(w)}/intrekken",
        only({"participant_a": 303}),
        method="POST",
        note="accepted: no longer withdrawn by the volunteer",
    ),
    Case(
        "hosting.ask",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_b.id}/gastheer/{_accepted(w)}/vraag",
        only({"participant_b": 200}),
    ),
    Case(
        "hosting.ask",
        lambda w: (
            f"/mijn-traject/inschrijving/{w.registration_b_y.id}/gastheer/{_accepted(w)}/vraag"
        ),
        only({}),
        note="B asking as a participant of another programme",
    ),
    Case(
        "hosting.ask",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_b.id}/gastheer/{_accepted(w)}/vraag",
        only({"participant_b": 302}),
        method="POST",
        data=lambda w: {"body": "Is er parkeergelegenheid?", "share_contact": "y"},
        writes=("participant_b",),
    ),
    Case(
        "hosting.programme",
        lambda w: f"/werkruimte/{w.programme_x.id}/gastheren",
        only(TRAINERS),
    ),
    Case(
        "hosting.programme",
        lambda w: "/werkruimte/999999/gastheren",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "hosting.accept",
        lambda w: f"/werkruimte/gastheer/{_open(w)}/accepteren",
        # The trainer accepts first; the coordinator then finds it accepted.
        only({"trainer_x": 302, "coordinator": 409}),
        method="POST",
        data=lambda w: {"session": str(w.programme_x.sessions[2].id)},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "hosting.accept",
        lambda w: f"/werkruimte/gastheer/{_open(w)}/accepteren",
        only({"trainer_x": 400, "coordinator": 400}),
        method="POST",
        data=lambda w: {"session": "abc"},
        note="no meeting chosen",
    ),
    Case(
        "hosting.release",
        lambda w: f"/werkruimte/gastheer/{_accepted(w)}/loskoppelen",
        only({"trainer_x": 302, "coordinator": 409}),
        method="POST",
        writes=("trainer_x", "coordinator"),
    ),
]
