"""The people and things the access matrix is tried with.

Programme X is run by trainer_x, programme Y by trainer_y. Participants A and B are both
registered for X (so B is a fellow participant of A, and still may not see A's data); B is
also registered for Y.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.registration import services as registration
from werklab.registration.models import Registration


@dataclass
class World:
    users: dict[str, User | None]
    programme_x: Programme
    programme_y: Programme
    registration_a: Registration  # A in X
    registration_b: Registration  # B in X
    registration_b_y: Registration  # B in Y

    def token(self, reg: Registration) -> str:
        return registration.manage_token(reg)


def build_world() -> World:
    f = Factories()
    users: dict[str, User | None] = {"anonymous": None}
    users["coordinator"] = accounts.create_user(
        "coordinator@example.nl", "Cora Coördinator", coordinator=True, actor="test"
    )
    users["trainer_x"] = accounts.create_user(
        "trainer.x@example.nl", "Xander Trainer", trainer=True, actor="test"
    )
    users["trainer_y"] = accounts.create_user(
        "trainer.y@example.nl", "Yara Trainer", trainer=True, actor="test"
    )
    users["participant_a"] = accounts.create_user("a@example.nl", "Anna A", actor="test")
    users["participant_b"] = accounts.create_user("b@example.nl", "Bram B", actor="test")
    x = f.programme(title="Programma X")
    y = f.programme(title="Programma Y")
    x.trainers.append(users["trainer_x"])
    y.trainers.append(users["trainer_y"])
    reg_a = f.registration(x, email="a@example.nl", first_name="Anna", last_name="A")
    reg_b = f.registration(x, email="b@example.nl", first_name="Bram", last_name="B")
    reg_b_y = f.registration(y, email="b@example.nl", first_name="Bram", last_name="B")
    db.session.commit()
    return World(users, x, y, reg_a, reg_b, reg_b_y)
