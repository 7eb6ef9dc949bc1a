"""The rule of "Mijn traject" (werklab.permissions.can_view_own_programmes)."""

from __future__ import annotations

from flask_login import AnonymousUserMixin

from werklab import permissions
from werklab.accounts import services as accounts


def test_everyone_signed_in_sees_their_own_programmes():
    participant = accounts.create_user("p@example.nl", "P", actor="test")
    trainer = accounts.create_user("t@example.nl", "T", trainer=True, actor="test")
    coordinator = accounts.create_user("c@example.nl", "C", coordinator=True, actor="test")
    assert permissions.can_view_own_programmes(participant)
    assert permissions.can_view_own_programmes(trainer)
    assert permissions.can_view_own_programmes(coordinator)


def test_anonymous_visitors_do_not():
    assert not permissions.can_view_own_programmes(AnonymousUserMixin())
    assert not permissions.can_view_own_programmes(None)


def test_only_participants_erase_their_own_data():
    participant = accounts.create_user("p@example.nl", "P", actor="test")
    trainer = accounts.create_user("t@example.nl", "T", trainer=True, actor="test")
    coordinator = accounts.create_user("c@example.nl", "C", coordinator=True, actor="test")
    assert permissions.can_erase_own_data(participant)
    assert not permissions.can_erase_own_data(trainer)
    assert not permissions.can_erase_own_data(coordinator)
    assert not permissions.can_erase_own_data(AnonymousUserMixin())
    assert not permissions.can_erase_own_data(None)
