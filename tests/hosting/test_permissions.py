"""The per-object rules of hosting (werklab/permissions.py)."""

from __future__ import annotations

import pytest

from tests.hosting.helpers import T0, World, offer_data
from tests.workspace.helpers import staff
from werklab import permissions
from werklab.hosting import services


@pytest.fixture
def world(factories):
    return World(factories, accounts=True)


def test_only_a_seated_participant_volunteers_for_their_own_registration(world):
    anna, bram = world.users[0], world.users[1]
    assert permissions.can_volunteer_to_host(anna, world.people[0])
    assert not permissions.can_volunteer_to_host(bram, world.people[0])  # someone else's
    waiting = staff(world.waiting.email, "Wachtend", trainer=False, password=False)
    assert not permissions.can_volunteer_to_host(waiting, world.waiting)  # no seat yet
    assert not permissions.can_volunteer_to_host(world.trainer, world.people[0])
    assert not permissions.can_volunteer_to_host(None, world.people[0])


def test_only_the_volunteer_withdraws_and_staff_of_the_programme_see_an_offer(world, factories):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    other_trainer = staff("yara@example.nl", "Yara Trainer", password=False)
    factories.programme(now=T0).trainers.append(other_trainer)
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, password=False)
    assert permissions.can_withdraw_host_offer(world.users[0], offer)
    assert not permissions.can_withdraw_host_offer(world.users[1], offer)
    assert not permissions.can_withdraw_host_offer(world.trainer, offer)
    assert permissions.can_view_host_offer(world.users[0], offer)
    assert permissions.can_view_host_offer(world.trainer, offer)
    assert permissions.can_view_host_offer(coordinator, offer)
    assert not permissions.can_view_host_offer(world.users[1], offer)
    assert not permissions.can_view_host_offer(other_trainer, offer)


def test_only_the_programmes_trainers_choose_hosts(world, factories):
    other_trainer = staff("yara@example.nl", "Yara Trainer", password=False)
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, password=False)
    assert permissions.can_choose_hosts(world.trainer, world.programme)
    assert permissions.can_choose_hosts(coordinator, world.programme)
    assert not permissions.can_choose_hosts(other_trainer, world.programme)
    assert not permissions.can_choose_hosts(world.users[0], world.programme)
    assert not permissions.can_choose_hosts(None, world.programme)


def test_participants_ask_the_host_of_their_own_programme_as_themselves(world, factories):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    bram = world.users[1]
    assert permissions.can_ask_host(bram, world.people[1], offer)
    assert not permissions.can_ask_host(bram, world.people[2], offer)  # as someone else
    elsewhere = factories.registration(factories.programme(now=T0), email=bram.email, now=T0)
    assert not permissions.can_ask_host(bram, elsewhere, offer)  # another programme
    assert not permissions.can_ask_host(world.trainer, world.people[1], offer)
