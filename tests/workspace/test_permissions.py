"""The workspace's access rules, for each kind of user."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from tests.workspace.helpers import staff
from werklab import permissions
from werklab.extensions import db

ROLES = ("anonymous", "participant", "trainer_x", "trainer_y", "coordinator", "inactive_trainer")
ONLY_X_AND_COORDINATOR = {"trainer_x", "coordinator"}


@pytest.fixture
def world(factories):
    x, y = factories.programme(title="X"), factories.programme(title="Y")
    registration = factories.registration(x, email="deelnemer@example.nl")
    users = {
        "anonymous": AnonymousUserMixin(),
        # Signed in with the e-mail address of the registration: still not a reader of notes.
        "participant": staff("deelnemer@example.nl", "Dee Elnemer", trainer=False, password=False),
        "trainer_x": staff("x@example.nl", "Xander", password=False),
        "trainer_y": staff("y@example.nl", "Yara", password=False),
        "coordinator": staff(
            "c@example.nl", "Cora", coordinator=True, trainer=False, password=False
        ),
        # Assigned to X but no longer a trainer: the role counts, not the old assignment.
        "inactive_trainer": staff("oud@example.nl", "Oud", trainer=False, password=False),
    }
    x.trainers.extend([users["trainer_x"], users["inactive_trainer"]])
    y.trainers.append(users["trainer_y"])
    db.session.flush()
    return users, x, registration


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "rule",
    [permissions.can_see_participants, permissions.can_export_participants],
    ids=lambda f: f.__name__,
)
def test_programme_rules(world, role, rule):
    users, programme, _registration = world
    assert rule(users[role], programme) is (role in ONLY_X_AND_COORDINATOR)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "rule", [permissions.can_view_notes, permissions.can_add_note], ids=lambda f: f.__name__
)
def test_note_rules(world, role, rule):
    users, _programme, registration = world
    assert rule(users[role], registration) is (role in ONLY_X_AND_COORDINATOR)


@pytest.mark.parametrize("role", ["participant", "trainer_x", "coordinator"])
def test_staff_see_the_menu_entry(world, role):
    users, *_ = world
    assert permissions.is_staff(users[role]) is (role != "participant")
