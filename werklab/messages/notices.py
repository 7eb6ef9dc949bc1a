"""Notices that go out by themselves when something changes for people:

- homework group members, when groups are made or changed: who is in their group and how to
  reach each other (an e-mail address only of those who agreed to show it);
- a group, when feedback on its hand-in arrives;
- the homework groups, when an assignment is added or its due date moves;
- a programme's trainers, when a host confirms or declines a site visit.

The lower areas send blinker signals (groups, assignments, initiatives); the handlers here
queue the mails in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from werklab import audit
from werklab.accounts.models import User
from werklab.assignments.models import Assignment, Submission
from werklab.assignments.services import assignment_set, feedback_given, groups_of
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup
from werklab.groups.services import groups_changed
from werklab.initiatives.models import SiteVisit, VisitStatus
from werklab.initiatives.services import visit_answered
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.registration.models import RegistrationStatus
from werklab.translation import lazy_gettext as _l


def _reply_to(user) -> list[tuple[str, str]] | None:
    """A reply reaches the person who made the change (the usual address otherwise)."""
    if isinstance(user, User):
        return [(user.display_name, user.email)]
    return None


def _members(group: HomeworkGroup):
    return [
        r for r in group.members if r.status is RegistrationStatus.CONFIRMED and r.erased_at is None
    ]


@groups_changed.connect
def tell_group_members(programme: Programme, *, group_ids, actor, now: datetime, **_kw) -> int:
    """Mail each member of the changed groups who is in their group and how to reach them."""
    if not group_ids:
        return 0
    groups = db.session.execute(
        select(HomeworkGroup).where(HomeworkGroup.id.in_(group_ids)).order_by(HomeworkGroup.id)
    ).scalars()
    sent = 0
    for group in groups:
        members = _members(group)
        for person in members:
            others = [
                {
                    "name": other.full_name,
                    "organisation": other.organisation,
                    "email": other.email if other.share_email_at is not None else None,
                }
                for other in members
                if other.id != person.id
            ]
            queue_mail(
                person.email,
                _l("Your homework group in %(title)s", title=programme.title),
                "messages/group_changed",
                to_name=person.full_name,
                locale=person.locale,
                kind="messages.group_changed",
                reply_to=_reply_to(actor),
                now=now,
                first_name=person.first_name,
                programme=programme,
                group_name=group.name,
                others=others,
                shares_own=person.share_email_at is not None,
                group_url=external_url("groups.mine", registration_id=person.id),
                settings_url=external_url("messages.mine"),
            )
            sent += 1
    if sent:
        audit.record(
            "homework_groups.notified",
            programme,
            actor="system",
            now=now,
            groups=list(group_ids),
            mails=sent,
        )
    return sent


@feedback_given.connect
def tell_group_about_feedback(submission: Submission, *, actor_id: int, now: datetime, **_kw):
    """Mail the members of a group that feedback on their hand-in has arrived."""
    group = db.session.get(HomeworkGroup, submission.group_id)
    assignment = submission.assignment
    trainer = db.session.get(User, actor_id)
    for person in _members(group):
        queue_mail(
            person.email,
            _l("Feedback on %(assignment)s", assignment=assignment.title),
            "messages/feedback",
            to_name=person.full_name,
            locale=person.locale,
            kind="messages.feedback",
            reply_to=_reply_to(trainer),
            now=now,
            first_name=person.first_name,
            programme=assignment.programme,
            assignment_title=assignment.title,
            group_name=group.name,
            trainer_name=trainer.display_name if trainer else "",
            url=external_url("assignments.group", assignment_id=assignment.id, group_id=group.id),
        )


@assignment_set.connect
def tell_groups_about_assignment(assignment: Assignment, *, new: bool, now: datetime, **_kw):
    """Mail the members of the programme's homework groups a new assignment, or its new due
    date, with a link to their group's page of it."""
    for group in groups_of(assignment.programme_id, with_members=True):
        for person in _members(group):
            queue_mail(
                person.email,
                _l("New assignment: %(assignment)s", assignment=assignment.title)
                if new
                else _l("New due date for %(assignment)s", assignment=assignment.title),
                "messages/assignment",
                to_name=person.full_name,
                locale=person.locale,
                kind="messages.assignment_new" if new else "messages.assignment_due_moved",
                now=now,
                first_name=person.first_name,
                new=new,
                programme=assignment.programme,
                assignment_title=assignment.title,
                due_at=assignment.due_at,
                group_name=group.name,
                url=external_url(
                    "assignments.group", assignment_id=assignment.id, group_id=group.id
                ),
            )


@visit_answered.connect
def tell_trainers_about_visit(visit: SiteVisit, *, now: datetime, **_kw):
    """Mail the programme's trainers that a host confirmed or declined a site visit."""
    session = visit.session
    programme = session.programme
    confirmed = visit.status is VisitStatus.CONFIRMED
    for trainer in programme.trainers:
        if not trainer.active:
            continue
        queue_mail(
            trainer.email,
            _l("%(initiative)s confirmed the site visit", initiative=visit.initiative.name)
            if confirmed
            else _l("%(initiative)s declined the site visit", initiative=visit.initiative.name),
            "messages/visit_answered",
            to_name=trainer.display_name,
            kind="messages.visit_answered",
            now=now,
            trainer_name=trainer.display_name,
            programme=programme,
            session=session,
            visit=visit,
            confirmed=confirmed,
            host_info=visit.host_info,
            url=external_url("initiatives.visits", session_id=session.id),
        )


__all__ = ["tell_group_members", "tell_group_about_feedback", "tell_trainers_about_visit"]
