"""Homework groups: services and the trainer's and participant's pages (issue 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workspace.helpers import sign_in, staff, text, token_of
from werklab import permissions
from werklab.assignments import services as assignments
from werklab.assignments.models import Submission
from werklab.audit import AuditEntry
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.groups import services
from werklab.groups.composition import pairs_of
from werklab.groups.models import HomeworkGroupMember
from werklab.registration import services as registration
from werklab.registration.models import Sector

SECTORS = list(Sector)


@pytest.fixture
def crowd(factories, programme):
    """Twelve seated participants, four sectors, six organisations."""
    regs = [
        factories.registration(
            programme,
            sector=SECTORS[i % 4],
            organisation=f"Organisatie {i % 6}",
            first_name=f"Deelnemer{i}",
        )
        for i in range(12)
    ]
    db.session.flush()
    return regs


def current(programme):
    return [[r.id for r in v.members] for v in services.board(programme).groups]


def test_compose_puts_everyone_in_one_mixed_group(programme, crowd):
    services.compose_groups(programme, size_min=3, size_max=4, seed=7, actor=None)
    groups = current(programme)
    assert sorted(i for g in groups for i in g) == sorted(r.id for r in crowd)
    assert all(3 <= len(g) <= 4 for g in groups)
    for v in services.board(programme).groups:
        assert v.sectors >= 2 and v.organisations == len(v.members)
    assert db.session.query(AuditEntry).filter_by(action="homework_groups.composed").count() == 1


def test_same_seed_same_groups(programme, crowd):
    services.compose_groups(programme, size_min=3, size_max=4, seed=3, actor=None)
    first = current(programme)
    services.compose_groups(programme, size_min=3, size_max=4, seed=3, actor=None)
    assert current(programme) == first


def test_locked_groups_survive_and_nobody_moves_in(programme, crowd):
    services.compose_groups(programme, size_min=3, size_max=4, seed=1, actor=None)
    board = services.board(programme)
    kept = board.groups[0].group
    services.set_locked(kept, True, actor=None)
    members = sorted(m.registration_id for m in kept.memberships)
    services.compose_groups(programme, size_min=2, size_max=3, seed=99, actor=None)
    assert sorted(members) in [sorted(g) for g in current(programme)]
    other = next(r for r in crowd if r.id not in members)
    with pytest.raises(DomainError):
        services.move_member(other, kept, actor=None)
    services.set_locked(kept, False, actor=None)
    services.move_member(other, kept, actor=None)
    assert other.id in [m.registration_id for m in kept.memberships]


def test_move_empties_and_removes_a_group(programme, factories):
    regs = [factories.registration(programme, sector=SECTORS[i % 2]) for i in range(4)]
    services.compose_groups(programme, size_min=2, size_max=3, seed=1, actor=None)
    a, b = services.board(programme).groups
    for r in list(a.members):
        services.move_member(r, b.group, actor=None)
    assert len(services.board(programme).groups) == 1
    assert sorted(current(programme)[0]) == sorted(r.id for r in regs)


def test_reshuffle_for_a_new_year_avoids_earlier_pairs(programme, crowd):
    services.compose_groups(programme, size_min=3, size_max=4, seed=1, actor=None)
    before = pairs_of(current(programme))
    services.compose_groups(programme, size_min=3, size_max=4, seed=2, new_round=True, actor=None)
    board = services.board(programme)
    assert board.round == 2
    repeated = pairs_of(current(programme)) & before
    # Three new groups of four out of three old groups: each new group has at least one
    # repeated pair (pigeonhole), so three is the best possible.
    assert len(repeated) == sum(v.repeated_pairs for v in board.groups) == 3
    # Round 1 is kept as history.
    assert len(services.groups_of(programme.id, 1)) == 3


def test_a_participant_who_cancels_leaves_their_group_even_a_locked_one(programme, crowd):
    services.compose_groups(programme, size_min=3, size_max=4, seed=1, actor=None)
    services.compose_groups(programme, size_min=3, size_max=4, seed=2, new_round=True, actor=None)
    group = services.board(programme).groups[0].group
    services.set_locked(group, True, actor=None)
    leaving, *mates = group.members
    registration.cancel_registration(leaving, actor="participant")
    db.session.expire_all()
    board = services.board(programme)
    assert leaving.id not in {r.id for v in board.groups for r in v.members}
    assert leaving not in board.unassigned
    assert [r.id for r in services.load_group(group.id).members] == [r.id for r in mates]
    assert services.group_of(leaving) is None
    # The first round keeps them: who worked together stays known for later reshuffles.
    rounds = db.session.query(HomeworkGroupMember.round).filter_by(registration_id=leaving.id)
    assert [r for (r,) in rounds] == [1]
    entry = db.session.query(AuditEntry).filter_by(action="homework_group.member_left").one()
    assert (entry.object_id, entry.data["group"]) == (leaving.id, group.id)


def first_group_hands_in(programme):
    """Compose groups, then let the first one hand in an assignment; returns that group."""
    services.compose_groups(programme, size_min=3, size_max=4, seed=1, actor=None)
    group = services.board(programme).groups[0].group
    assignment = assignments.create_assignment(
        programme,
        assignments.AssignmentData("Casus", "Beschrijf.", utcnow() + timedelta(days=7)),
        actor="test",
    )
    assignments.submit(assignment, group, "Ons verslag", [], user_id=None)
    return group


def test_handed_in_work_is_never_thrown_away_by_regrouping(programme, crowd):
    worked = first_group_hands_in(programme)
    with pytest.raises(DomainError, match=worked.name):
        services.compose_groups(programme, size_min=2, size_max=3, seed=9, actor=None)
    assert services.load_group(worked.id) is not None
    # Locked, it survives composing again; moved empty, it stays with its work.
    services.set_locked(worked, True, actor=None)
    services.compose_groups(programme, size_min=2, size_max=3, seed=9, actor=None)
    services.set_locked(worked, False, actor=None)
    _, target, idle, *_rest = (v.group for v in services.board(programme).groups)
    for r in worked.members + idle.members:
        services.move_member(r, target, actor=None)
    db.session.expire_all()
    assert services.load_group(worked.id).members == []
    assert db.session.query(Submission).filter_by(group_id=worked.id).count() == 1
    # A group without work that is moved empty is removed, as before.
    assert services.load_group(idle.id) is None


def test_too_few_participants(programme, factories):
    factories.registration(programme)
    with pytest.raises(DomainError):
        services.compose_groups(programme, size_min=3, size_max=4, seed=1, actor=None)


def test_trainer_page_compose_move_lock(client, programme, crowd):
    trainer = staff("t@example.nl", "Tineke Trainer")
    programme.trainers.append(trainer)
    db.session.commit()
    sign_in(client, trainer)
    url = f"/werkruimte/{programme.id}/huiswerkgroepen"
    token = token_of(client, url)
    response = client.post(url, data={"csrf_token": token, "size": "3-4", "seed": "5"})
    assert response.status_code == 302
    page = text(client.get(url))
    assert "Groep 1" in page and "sectoren" in page and "organisaties" in page
    board = services.board(programme)
    first, second = board.groups[0], board.groups[1]
    who = first.members[0]
    response = client.post(
        f"{url}/verplaatsen",
        data={"csrf_token": token, "registration_id": who.id, "group_id": second.group.id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert who.id in [r.id for r in services.board(programme).groups[1].members]
    response = client.post(
        f"/werkruimte/huiswerkgroep/{second.group.id}/vastzetten", data={"csrf_token": token}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert services.load_group(second.group.id).locked


def test_bad_size_gives_400(client, programme, crowd):
    trainer = staff("t2@example.nl", "Tom Trainer")
    programme.trainers.append(trainer)
    db.session.commit()
    sign_in(client, trainer)
    url = f"/werkruimte/{programme.id}/huiswerkgroepen"
    token = token_of(client, url)
    response = client.post(url, data={"csrf_token": token, "size": "1-1", "seed": "5"})
    assert response.status_code == 400


def test_composing_again_after_a_hand_in_explains_why_not(client, programme, crowd):
    trainer = staff("t5@example.nl", "Tara Trainer")
    programme.trainers.append(trainer)
    group = first_group_hands_in(programme)
    db.session.commit()
    before = current(programme)
    sign_in(client, trainer)
    url = f"/werkruimte/{programme.id}/huiswerkgroepen"
    response = client.post(
        url,
        data={"csrf_token": token_of(client, url), "size": "2-3", "seed": "4"},
        follow_redirects=True,
    )
    assert f"{group.name} heeft al werk ingeleverd" in text(response)
    db.session.expire_all()
    assert current(programme) == before


def test_participant_sees_own_group_names_and_organisations(client, programme, crowd):
    services.compose_groups(programme, size_min=3, size_max=4, seed=1, actor=None)
    me = crowd[0]
    user = staff(me.email_normalized, "Deelnemer", trainer=False)
    db.session.commit()
    sign_in(client, user)
    page = text(client.get(f"/mijn-traject/inschrijving/{me.id}/groep"))
    group = services.group_of(me)
    for r in group.members:
        assert r.full_name in page and r.organisation in page
    stranger = next(r for r in crowd if r.id not in {m.id for m in group.members})
    assert stranger.full_name not in page
    assert client.get(f"/mijn-traject/inschrijving/{stranger.id}/groep").status_code == 403


def test_permissions(programme, crowd):
    trainer = staff("t3@example.nl", "Ties", password=False)
    other = staff("t4@example.nl", "Olga", password=False)
    coordinator = staff("c@example.nl", "Cora", coordinator=True, trainer=False, password=False)
    programme.trainers.append(trainer)
    assert permissions.can_compose_groups(trainer, programme)
    assert permissions.can_compose_groups(coordinator, programme)
    assert not permissions.can_compose_groups(other, programme)
    assert not permissions.can_compose_groups(None, programme)
    assert permissions.can_view_homework_group(trainer, crowd[0])
    assert not permissions.can_view_homework_group(other, crowd[0])
