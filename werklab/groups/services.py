"""Homework groups: compose, move, lock, reshuffle. Every write goes through here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from werklab import audit
from werklab.catalog.models import Programme
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.groups.composition import Person, compose, normalise, pairs_of
from werklab.groups.labels import group_name
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.registration.models import Registration, RegistrationStatus
from werklab.translation import gettext as _

#: Homework groups were made or their members changed: sender the programme, with
#: group_ids, actor (a user or None) and now. The messages area tells the members.
groups_changed = Namespace().signal("homework-groups-changed")

#: Asked before a group nobody is in any more is removed: a receiver returns True to keep
#: it (the assignments area, above groups, keeps a group that handed in work).
group_has_work = Namespace().signal("group-has-work")

#: Asked for more pairs to keep apart when composing a programme's groups: sender the
#: programme; each receiver returns a set of frozenset pairs of its registration ids (the
#: renewal area answers with last year's pairs of who renewed).
pairs_to_avoid = Namespace().signal("homework-pairs-to-avoid")

#: The sizes a trainer can choose from: (min, max).
SIZE_CHOICES = ((2, 3), (3, 4), (4, 5), (5, 6))


@dataclass
class GroupView:
    group: HomeworkGroup
    members: list[Registration]
    sectors: int
    organisations: int
    repeated_pairs: int


@dataclass
class Board:
    """What the trainer page shows: the current round's groups and who is in none."""

    round: int
    groups: list[GroupView]
    unassigned: list[Registration]


def _actor(user) -> str:
    return f"user:{user.id}" if user is not None else "system"


def seated(programme_id: int) -> list[Registration]:
    """The programme's confirmed participants, by name."""
    return list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == programme_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(func.lower(Registration.last_name), func.lower(Registration.first_name))
        ).scalars()
    )


def current_round(programme_id: int) -> int:
    """The newest round (0 when no groups were ever composed)."""
    return db.session.scalar(
        select(func.coalesce(func.max(HomeworkGroup.round), 0)).where(
            HomeworkGroup.programme_id == programme_id
        )
    )


def groups_of(programme_id: int, round_: int) -> list[HomeworkGroup]:
    return list(
        db.session.execute(
            select(HomeworkGroup)
            .where(HomeworkGroup.programme_id == programme_id, HomeworkGroup.round == round_)
            .options(
                selectinload(HomeworkGroup.memberships).selectinload(
                    HomeworkGroupMember.registration
                )
            )
            .order_by(HomeworkGroup.id)
        ).scalars()
    )


def _earlier_pairs(programme_id: int, before_round: int) -> set[frozenset[int]]:
    """Pairs of registrations who were in one group in an earlier round."""
    rows = db.session.execute(
        select(HomeworkGroupMember.group_id, HomeworkGroupMember.registration_id)
        .join(HomeworkGroup)
        .where(HomeworkGroup.programme_id == programme_id, HomeworkGroup.round < before_round)
    )
    by_group: dict[int, list[int]] = defaultdict(list)
    for group_id, registration_id in rows:
        by_group[group_id].append(registration_id)
    return pairs_of(by_group.values())


def pairs_in(programme_id: int) -> set[frozenset[int]]:
    """Every pair of registrations who were ever in one group of this programme."""
    return _earlier_pairs(programme_id, 2**31 - 1)


def _avoid(programme: Programme, before_round: int, extra=()) -> set[frozenset[int]]:
    """The pairs to keep apart: earlier rounds, `extra`, and what other areas ask."""
    avoid = _earlier_pairs(programme.id, before_round) | set(extra)
    for _receiver, answer in pairs_to_avoid.send(programme):
        avoid |= set(answer or ())
    return avoid


def _person(r: Registration) -> Person:
    return Person(
        id=r.id,
        sector=r.sector.value,
        organisation=normalise(r.organisation),
        learning_question=normalise(r.learning_question) or None,
    )


def board(programme: Programme) -> Board:
    """The current groups, each with counts for its explanation, and who is in none."""
    round_ = current_round(programme.id)
    avoid = _avoid(programme, round_) if round_ else set()
    views, placed = [], set()
    for group in groups_of(programme.id, round_):
        members = group.members
        placed.update(r.id for r in members)
        people = [_person(r) for r in members]
        views.append(
            GroupView(
                group,
                members,
                len({p.sector for p in people}),
                len({p.organisation for p in people}),
                len(pairs_of([[p.id for p in people]]) & avoid),
            )
        )
    unassigned = [r for r in seated(programme.id) if r.id not in placed] if round_ else []
    return Board(round_, views, unassigned)


def compose_groups(
    programme: Programme,
    *,
    size_min: int,
    size_max: int,
    seed: int,
    new_round: bool = False,
    avoid_pairs=(),
    actor,
    now: datetime | None = None,
) -> list[HomeworkGroup]:
    """Compose the programme's seated participants into groups; locked groups stay.

    `new_round` starts a reshuffle "for a new year": the current round is kept as history,
    its locked groups are carried over, and pairs from earlier rounds are avoided.
    `avoid_pairs` (frozensets of two registration ids) are kept apart as well, as are the
    pairs other areas give through `pairs_to_avoid` (last year's, after a renewal); when
    that cannot be done the groups are still made, with as few repeats as possible.
    """
    now = now or utcnow()
    if (size_min, size_max) not in SIZE_CHOICES:
        raise DomainError(_("Choose one of the offered group sizes."))
    people = seated(programme.id)
    if len(people) < 2:
        raise DomainError(_("There are too few seated participants to form groups."))
    current = current_round(programme.id)
    old_groups = groups_of(programme.id, current) if current else []
    seated_ids = {r.id for r in people}
    locked = [
        [m.registration_id for m in g.memberships if m.registration_id in seated_ids]
        for g in old_groups
        if g.locked
    ]
    round_ = current + 1 if (new_round or current == 0) else current
    if round_ == current:
        with_work = [group_name(g) for g in old_groups if not g.locked and _has_work(g)]
        if with_work:
            raise DomainError(
                ngettext(
                    "%(groups)s has already handed in work, which composing again would throw "
                    "away. Lock that group to keep it, or start a new year.",
                    "%(groups)s have already handed in work, which composing again would throw "
                    "away. Lock those groups to keep them, or start a new year.",
                    len(with_work),
                    groups=", ".join(with_work),
                )
            )
        for group in old_groups:
            if not group.locked:
                db.session.delete(group)
        db.session.flush()
    avoid = _avoid(programme, round_, avoid_pairs)
    composed = compose(
        [_person(r) for r in people],
        size_min=size_min,
        size_max=size_max,
        seed=seed,
        avoid_pairs=avoid,
        locked=locked,
    )
    keep = [g for g in old_groups if g.locked] if round_ == current else []
    used_names = {g.name for g in keep}
    created = []
    counter = 0
    for spec in composed:
        if spec.locked and round_ == current:
            continue  # still there, untouched
        counter += 1
        while _("Group %(number)d", number=counter) in used_names:
            counter += 1
        name = _("Group %(number)d", number=counter)
        used_names.add(name)
        group = HomeworkGroup(
            programme_id=programme.id, round=round_, name=name, locked=spec.locked, created_at=now
        )
        group.memberships = [
            HomeworkGroupMember(registration_id=i, round=round_) for i in spec.members
        ]
        db.session.add(group)
        created.append(group)
    db.session.flush()
    audit.record(
        "homework_groups.reshuffled" if new_round and current else "homework_groups.composed",
        programme,
        actor=_actor(actor),
        now=now,
        round=round_,
        seed=seed,
        size_min=size_min,
        size_max=size_max,
        groups=len(composed),
    )
    groups_changed.send(programme, group_ids=[g.id for g in created], actor=actor, now=now)
    return created


def load_group(group_id: int) -> HomeworkGroup | None:
    return db.session.get(HomeworkGroup, group_id)


def _is_current(group: HomeworkGroup) -> bool:
    return group.round == current_round(group.programme_id)


def _membership(registration: Registration, round_: int) -> HomeworkGroupMember | None:
    return db.session.scalar(
        select(HomeworkGroupMember).where(
            HomeworkGroupMember.registration_id == registration.id,
            HomeworkGroupMember.round == round_,
        )
    )


def move_member(
    registration: Registration,
    target: HomeworkGroup,
    *,
    actor,
    now: datetime | None = None,
) -> None:
    """Move a participant into another group of the current round (or place them there)."""
    now = now or utcnow()
    if registration.programme_id != target.programme_id or not _is_current(target):
        raise DomainError(_("That group is not one of this programme's current groups."))
    if registration.status is not RegistrationStatus.CONFIRMED:
        raise DomainError(_("Only seated participants can be in a homework group."))
    if target.locked:
        raise DomainError(_("%(group)s is locked: unlock it first.", group=target.name))
    membership = _membership(registration, target.round)
    source = membership.group if membership else None
    if source is not None and source.id == target.id:
        return
    if source is not None and source.locked:
        raise DomainError(_("%(group)s is locked: unlock it first.", group=source.name))
    if membership is None:
        target.memberships.append(
            HomeworkGroupMember(registration_id=registration.id, round=target.round)
        )
    else:
        membership.group = target
    db.session.flush()
    if source is not None:
        _drop_if_empty(source)
    audit.record(
        "homework_group.member_moved",
        registration,
        actor=_actor(actor),
        now=now,
        from_group=source.id if source else None,
        to_group=target.id,
    )
    changed = [g.id for g in (source, target) if g is not None]
    groups_changed.send(target.programme, group_ids=changed, actor=actor, now=now)


def leave_group(registration: Registration, *, actor: str, now: datetime) -> None:
    """A participant who cancels leaves their current group, locked or not; earlier rounds
    keep them, so the pairs who worked together stay known."""
    membership = _membership(registration, current_round(registration.programme_id))
    if membership is None:
        return
    group = membership.group
    group.memberships.remove(membership)
    db.session.flush()
    _drop_if_empty(group)
    audit.record("homework_group.member_left", registration, actor=actor, now=now, group=group.id)


def _has_work(group: HomeworkGroup) -> bool:
    return any(answer for _receiver, answer in group_has_work.send(group))


def _drop_if_empty(group: HomeworkGroup) -> None:
    """Remove a group nobody is in any more, unless it handed in work: that work stays
    visible to the trainer under the group's name."""
    if not group.memberships and not _has_work(group):
        db.session.delete(group)
        db.session.flush()


def set_locked(group: HomeworkGroup, locked: bool, *, actor, now: datetime | None = None) -> None:
    """Lock or unlock a group of the current round."""
    if not _is_current(group):
        raise DomainError(_("That group is not one of this programme's current groups."))
    if group.locked == locked:
        return
    group.locked = locked
    db.session.flush()
    audit.record(
        "homework_group.locked" if locked else "homework_group.unlocked",
        group,
        actor=_actor(actor),
        now=now or utcnow(),
    )


def group_of(registration: Registration) -> HomeworkGroup | None:
    """The participant's group in the current round, if any."""
    round_ = current_round(registration.programme_id)
    return db.session.scalar(
        select(HomeworkGroup)
        .join(HomeworkGroupMember)
        .where(
            HomeworkGroupMember.registration_id == registration.id,
            HomeworkGroupMember.round == round_,
        )
    )
