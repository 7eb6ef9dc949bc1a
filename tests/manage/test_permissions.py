"""The access rules of the coordinator area: only coordinators manage catalogue and users."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from werklab import permissions
from werklab.accounts import services as accounts


@pytest.fixture
def people():
    return {
        "anonymous": AnonymousUserMixin(),
        "none": None,
        "participant": accounts.create_user("p@example.nl", "Pia", actor="test"),
        "trainer": accounts.create_user("t@example.nl", "Tim", trainer=True, actor="test"),
        "coordinator": accounts.create_user("c@example.nl", "Cora", coordinator=True, actor="test"),
        "both": accounts.create_user(
            "b@example.nl", "Bo", coordinator=True, trainer=True, actor="test"
        ),
    }


@pytest.mark.parametrize(
    "rule",
    [permissions.is_coordinator, permissions.can_manage_catalogue, permissions.can_manage_users],
)
def test_only_coordinators_manage(people, rule):
    allowed = {name for name, user in people.items() if rule(user)}
    assert allowed == {"coordinator", "both"}


def test_is_staff(people):
    allowed = {name for name, user in people.items() if permissions.is_staff(user)}
    assert allowed == {"trainer", "coordinator", "both"}
