"""Who may read the learning questions, run the themes, and vote."""

from __future__ import annotations

from flask_login import AnonymousUserMixin

from tests.themes.helpers import SOON, World
from tests.workspace.helpers import staff
from werklab import permissions
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.registration import services as registration


def test_learning_questions_and_themes_are_for_the_programmes_trainers_and_coordinators(
    factories,
):
    world = World(factories)
    other = staff("ander@example.nl", "Andere Trainer", password=False)
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, trainer=False, password=False)
    participant = accounts.create_user("anna@example.nl", "Anna", actor="test")
    db.session.flush()
    expected = {
        world.trainer: True,
        coordinator: True,
        other: False,
        participant: False,  # her own question is under "Mijn gegevens"
        AnonymousUserMixin(): False,
    }
    for user, allowed in expected.items():
        assert permissions.can_read_learning_questions(user, world.programme) is allowed, user
        assert permissions.can_manage_themes(user, world.programme) is allowed, user


def test_only_the_seated_participant_themselves_votes(factories):
    world = World(factories)
    anna, bram = world.seated[:2]
    users = {
        email: accounts.create_user(email, email, actor="test")
        for email in ("anna@example.nl", "bram@example.nl", "eva@example.nl")
    }
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, trainer=False, password=False)
    db.session.flush()
    assert permissions.can_vote_on_themes(users["anna@example.nl"], anna) is True
    assert permissions.can_vote_on_themes(users["bram@example.nl"], anna) is False
    assert permissions.can_vote_on_themes(world.trainer, anna) is False
    assert permissions.can_vote_on_themes(coordinator, anna) is False
    assert permissions.can_vote_on_themes(AnonymousUserMixin(), anna) is False
    # Waiting for a seat: not yet.
    assert permissions.can_vote_on_themes(users["eva@example.nl"], world.waiting) is False
    # Cancelled: no longer.
    registration.cancel_registration(bram, actor="t", now=SOON)
    assert permissions.can_vote_on_themes(users["bram@example.nl"], bram) is False
