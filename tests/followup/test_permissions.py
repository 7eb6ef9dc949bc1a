"""Who may follow up a programme's participants: its trainers and the coordinators."""

from __future__ import annotations

from flask_login import AnonymousUserMixin

from tests.workspace.helpers import staff
from werklab import permissions
from werklab.accounts import services as accounts
from werklab.extensions import db


def test_only_the_programmes_trainers_and_coordinators(factories):
    programme = factories.programme()
    registration = factories.registration(programme, email="anna@example.nl")
    own = staff("eigen@example.nl", "Eigen Trainer", password=False)
    other = staff("ander@example.nl", "Andere Trainer", password=False)
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, trainer=False, password=False)
    participant = accounts.create_user("anna@example.nl", "Anna", actor="test")
    programme.trainers.append(own)
    db.session.flush()
    expected = {
        own: True,
        coordinator: True,
        other: False,
        participant: False,  # not even about herself
        AnonymousUserMixin(): False,
    }
    for user, allowed in expected.items():
        assert permissions.can_follow_up(user, programme) is allowed, user
        assert permissions.can_contact_participant(user, registration) is allowed, user
