"""Who may open a renewal (coordinators, for a Community of Practice) and who may see the
answers (the programme's trainers and the coordinators)."""

from __future__ import annotations

from flask_login import AnonymousUserMixin

from tests.workspace.helpers import staff
from werklab import permissions
from werklab.accounts import services as accounts
from werklab.catalog.models import ProgrammeKind
from werklab.extensions import db


def test_renewal_rules(factories):
    cop = factories.programme(kind=ProgrammeKind.COP)
    lg = factories.programme(kind=ProgrammeKind.LEARNING_COMMUNITY)
    factories.registration(cop, email="anna@example.nl")
    own = staff("eigen@example.nl", "Eigen Trainer", password=False)
    other = staff("ander@example.nl", "Andere Trainer", password=False)
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, trainer=False, password=False)
    participant = accounts.create_user("anna@example.nl", "Anna", actor="test")
    cop.trainers.append(own)
    db.session.flush()
    opens = {own: False, coordinator: True, other: False, participant: False}
    views = {own: True, coordinator: True, other: False, participant: False}
    anonymous = AnonymousUserMixin()
    for user, allowed in opens.items():
        assert permissions.can_open_renewal(user, cop) is allowed, user
        assert permissions.can_open_renewal(user, lg) is False, user
    for user, allowed in views.items():
        assert permissions.can_view_renewal(user, cop) is allowed, user
    assert not permissions.can_open_renewal(anonymous, cop)
    assert not permissions.can_view_renewal(anonymous, cop)
