"""A running programme with sessions in the past, participants, groups and hand-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.workspace.helpers import staff
from werklab.accounts import services as accounts
from werklab.assignments import services as assignments
from werklab.attendance.services import mark_attendance
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember

#: The programme is made (and people register) at T0: Monday 2 March 2026, 10:00 Dutch time.
T0 = datetime(2026, 3, 2, 9, 0)
#: The factory's sessions start 40 days after T0 and then every six weeks.
FIRST = T0 + timedelta(days=40)


def session_start(n: int) -> datetime:
    """The start of session n (1-based) as the factory makes it."""
    return FIRST.replace(hour=9, minute=0) + timedelta(weeks=6 * (n - 1))


def after_session(n: int, days: int = 1) -> datetime:
    return session_start(n) + timedelta(days=days)


class World:
    """A CoP run by trainer Tineke, with `people` seated participants."""

    def __init__(
        self,
        factories,
        people: int = 3,
        sessions: int = 4,
        tag: str = "",
        t0: datetime = T0,
        **kw,
    ):
        self.t0 = t0
        self.programme = factories.programme(now=t0, sessions=sessions, **kw)
        self.trainer = staff(f"tineke{tag}@example.nl", "Tineke Trainer")
        self.programme.trainers.append(self.trainer)
        self.people = [
            factories.registration(
                self.programme,
                now=t0,
                first_name=f"Deelnemer{i}",
                last_name=f"Achternaam{i}",
                email=f"deelnemer{i}{tag}@example.nl",
            )
            for i in range(people)
        ]
        db.session.flush()

    def session(self, n: int):
        return self.programme.sessions[n - 1]

    def mark(self, n: int, registration, status, *, now: datetime | None = None):
        return mark_attendance(
            self.session(n),
            registration,
            status,
            recorded_by=self.trainer,
            now=now or self.session(n).starts_at + timedelta(hours=5),
        )

    def group(self, name: str, members, round_: int = 1) -> HomeworkGroup:
        group = HomeworkGroup(programme_id=self.programme.id, name=name, round=round_)
        db.session.add(group)
        db.session.flush()
        for registration in members:
            db.session.add(
                HomeworkGroupMember(
                    group_id=group.id, registration_id=registration.id, round=round_
                )
            )
        db.session.flush()
        return group

    def assignment(self, title: str, due_at: datetime):
        return assignments.create_assignment(
            self.programme,
            assignments.AssignmentData(title, "", due_at),
            actor="test",
            now=T0,
        )

    def account(self, registration):
        user = accounts.create_user(
            registration.email, registration.full_name, actor="test", now=T0
        )
        db.session.flush()
        return user

    def hand_in(self, assignment, group, user, *, now: datetime):
        return assignments.submit(
            assignment, group, "Ons werk", [], user_id=user.id if user else None, now=now
        )
