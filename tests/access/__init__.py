"""The access matrix: for every route, the status each kind of user gets.

Each area has a module here with a list `CASES` of `Case` objects. The matrix test walks
every rule in `app.url_map`: a route without a case fails the test, so a new route cannot
be added without deciding who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "participant_a", "participant_b", "trainer_x", "trainer_y", "coordinator")

#: Shorthands for the usual expectations.
LOGIN = 302  # anonymous: sent to the sign-in page
DENIED = 403


@dataclass
class Case:
    """One request (method + URL built from the world) and the status per role."""

    endpoint: str
    url: Callable  # (world) -> str
    expect: dict[str, int]
    method: str = "GET"
    data: Callable | None = None  # (world) -> dict of form fields (a CSRF token is added)
    note: str = ""
    #: Roles whose request changes state: they run last, each in a fresh transaction.
    writes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.endpoint}: no expectation for {sorted(missing)}")

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}{' ' + self.note if self.note else ''}"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: dict[str, int], *, anonymous: int = LOGIN, others: int = DENIED):
    """Expect `allowed` for the roles named, LOGIN for anonymous, DENIED for the rest."""
    expect = {role: others for role in ROLES}
    expect["anonymous"] = anonymous
    expect.update(allowed)
    return expect
