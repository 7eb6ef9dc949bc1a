"""Next year's homework groups avoid last year's pairs (through the renewal), and are still
made when that cannot be done."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.renewal.helpers import NOW, invitation_of, open_for, running_cop
from tests.renewal.test_services import details
from werklab.groups import services as groups
from werklab.groups.composition import Person, compose, pairs_of
from werklab.registration.models import Sector
from werklab.renewal import services

SECTORS = list(Sector)


def _renew_all(factories, people: int, *, size=(2, 3)):
    """Last year's groups composed, everyone renewed; returns (renewal, old → new id)."""
    programme, seated = running_cop(factories, people)
    for i, registration in enumerate(seated):
        registration.sector = SECTORS[i % 3]
    groups.compose_groups(programme, size_min=size[0], size_max=size[1], seed=7, actor=None)
    renewal = open_for(programme)
    mapping = {}
    for registration in seated:
        new = services.renew(
            invitation_of(registration), details(registration), now=NOW + timedelta(hours=1)
        )
        mapping[registration.id] = new.id
    return programme, renewal, mapping


def _pairs(programme_id: int) -> set[frozenset[int]]:
    return groups.pairs_in(programme_id)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_next_year_repeats_no_pair_when_it_can(factories, seed):
    """Last year four groups of three; next year three of four: each can take one person
    from each of last year's groups."""
    programme, renewal, mapping = _renew_all(factories, 12)
    last_year = {frozenset(mapping[i] for i in pair) for pair in _pairs(programme.id)}
    assert last_year
    groups.compose_groups(
        renewal.next_programme, size_min=3, size_max=4, seed=seed, actor=None, now=NOW
    )
    this_year = _pairs(renewal.next_programme_id)
    assert this_year and not this_year & last_year
    board = groups.board(renewal.next_programme)
    assert sum(view.repeated_pairs for view in board.groups) == 0


def test_without_the_renewal_last_years_pairs_would_repeat(factories):
    """The control: the same people and seed, without the pairs from the renewal, repeat
    pairs (so the test above sees the avoidance, not luck)."""
    programme, renewal, mapping = _renew_all(factories, 12)
    last_year = {frozenset(mapping[i] for i in pair) for pair in _pairs(programme.id)}
    people = [groups._person(r) for r in groups.seated(renewal.next_programme_id)]
    repeats = [
        seed
        for seed in range(1, 6)
        if pairs_of(g.members for g in compose(people, size_min=3, size_max=4, seed=seed))
        & last_year
    ]
    assert repeats


def test_next_year_is_still_composed_when_repeats_cannot_be_avoided(factories):
    programme, renewal, mapping = _renew_all(factories, 3)
    # Three people who were one group: any group of next year repeats a pair.
    [group] = groups.compose_groups(
        renewal.next_programme, size_min=2, size_max=3, seed=1, actor=None, now=NOW
    )
    assert sorted(m.registration_id for m in group.memberships) == sorted(mapping.values())
    board = groups.board(renewal.next_programme)
    assert board.groups[0].repeated_pairs == 3


def test_explicit_pairs_to_avoid(factories):
    """The composer's own option: pairs given by the caller are kept apart too."""
    programme, seated = running_cop(factories, 4)
    for i, registration in enumerate(seated):
        registration.sector = SECTORS[i % 2]
    a, b, c, d = (r.id for r in seated)
    made = groups.compose_groups(
        programme,
        size_min=2,
        size_max=3,
        seed=3,
        avoid_pairs={frozenset((a, b)), frozenset((a, c)), frozenset((b, d))},
        actor=None,
        now=NOW,
    )
    pairs = pairs_of([m.registration_id for m in g.memberships] for g in made)
    assert pairs == {frozenset((a, d)), frozenset((b, c))}


def test_compose_avoids_pairs_without_the_database():
    people = [Person(i, SECTORS[i % 2].value, f"org {i}") for i in range(1, 5)]
    avoid = {frozenset((1, 2)), frozenset((3, 4)), frozenset((1, 3))}
    for seed in range(5):
        result = compose(people, size_min=2, size_max=2, seed=seed, avoid_pairs=avoid)
        assert not pairs_of(g.members for g in result) & avoid
    impossible = compose(people[:2], size_min=2, size_max=2, seed=1, avoid_pairs=avoid)
    assert [g.members for g in impossible] == [[1, 2]] and impossible[0].repeated_pairs == 1
