"""Who may keep the attendance register and print the attendance sheet."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from tests.workspace.helpers import staff
from werklab import permissions
from werklab.extensions import db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("participant", False),
        ("trainer_x", True),
        ("trainer_y", False),
        ("coordinator", True),
    ],
)
def test_can_take_attendance(factories, role, allowed):
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
    assert permissions.can_take_attendance(users[role], x) is allowed
