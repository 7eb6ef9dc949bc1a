"""Erasure on request takes a person's offers to host and their practical questions along."""

from __future__ import annotations

from datetime import timedelta

from tests.hosting.helpers import World, offer_data
from werklab.db import utcnow
from werklab.extensions import db
from werklab.hosting import services
from werklab.hosting.models import HostOffer, HostQuestion
from werklab.participant import erasure


def test_erasure_removes_offers_and_questions_of_the_person(factories):
    world = World(factories, t0=utcnow() - timedelta(days=200), accounts=True)
    now = utcnow() - timedelta(days=199)
    hosting = services.volunteer(world.people[0], offer_data(), now=now)
    services.accept_offer(hosting, world.sessions[1], actor=world.trainer, now=now)
    other = services.volunteer(world.people[1], offer_data(organisation="Groene Kerk"), now=now)
    services.accept_offer(other, world.sessions[2], actor=world.trainer, now=now)
    services.ask_question(hosting, world.people[1], "Lift?", share_contact=False, now=now)
    services.ask_question(other, world.people[0], "Fiets?", share_contact=True, now=now)
    services.ask_question(other, world.people[2], "Lunch?", share_contact=False, now=now)
    factories.took_place(world.programme)
    db.session.flush()
    erasure.erase(world.users[0], now=utcnow())
    db.session.flush()
    assert [o.organisation for o in db.session.query(HostOffer)] == ["Groene Kerk"]
    # Her offer's questions (asked by others) and her own question go; others' stay.
    assert [q.body for q in db.session.query(HostQuestion)] == ["Lunch?"]
