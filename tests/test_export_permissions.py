"""Who may download the exports (issue 13): the per-programme ones for the programme's
trainers and the coordinators, the ones over everything for coordinators only."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from tests.workspace.helpers import staff
from werklab import permissions
from werklab.extensions import db

ROLES = ("anonymous", "participant", "trainer_x", "trainer_y", "coordinator")


@pytest.fixture
def world(factories):
    x, y = factories.programme(title="X"), factories.programme(title="Y")
    factories.registration(x, email="deelnemer@example.nl")
    users = {
        "anonymous": AnonymousUserMixin(),
        "participant": staff("deelnemer@example.nl", "Dee", trainer=False, password=False),
        "trainer_x": staff("x@example.nl", "Xander", password=False),
        "trainer_y": staff("y@example.nl", "Yara", password=False),
        "coordinator": staff(
            "c@example.nl", "Cora", coordinator=True, trainer=False, password=False
        ),
    }
    x.trainers.append(users["trainer_x"])
    y.trainers.append(users["trainer_y"])
    db.session.flush()
    return users, x


@pytest.mark.parametrize("rule", ["can_export_attendance", "can_export_certificates"])
def test_per_programme_exports(world, rule):
    users, x = world
    allowed = {role for role in ROLES if getattr(permissions, rule)(users[role], x)}
    assert allowed == {"trainer_x", "coordinator"}


@pytest.mark.parametrize("rule", ["can_export_all_certificates", "can_export_booking_requests"])
def test_exports_over_everything(world, rule):
    users, _ = world
    allowed = {role for role in ROLES if getattr(permissions, rule)(users[role])}
    assert allowed == {"coordinator"}
