"""Who gets a reminder before a session, and when (explicit `now` throughout)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import outbox
from tests.reminders.helpers import NOW, at_ten, coming_programme
from werklab.audit import AuditEntry
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeStatus
from werklab.catalog.services import SessionData
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.registration import services as registration
from werklab.registration.models import RegistrationStatus
from werklab.reminders import services
from werklab.reminders.jobs import send_reminders
from werklab.reminders.models import DEFAULT_DAYS_BEFORE, SessionReminder


def reminded(session) -> list[str]:
    """Who has been mailed a reminder for `session`, by e-mail address."""
    return sorted(m.to_addr for m in outbox("reminders.session") if session.theme in m.subject)


def emails(registrations) -> list[str]:
    return sorted(r.email for r in registrations)


def move(session, starts_at, *, now):
    catalog.update_session(
        session,
        SessionData(
            theme=session.theme,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=4),
            location_name=session.location_name,
            location_address=session.location_address,
            kind=session.kind,
            description=session.description,
        ),
        actor="test",
        now=now,
    )


def test_the_window_opens_two_days_before_and_closes_at_the_start(factories):
    s = coming_programme(factories)
    session = s.sessions[0]
    opens = session.starts_at - timedelta(days=DEFAULT_DAYS_BEFORE)
    assert services.remind_session(session, now=opens - timedelta(minutes=1)) == 0
    assert services.remind_session(session, now=opens) == 3
    assert reminded(session) == emails(s.people)
    # Once: later ticks in the window send nothing more.
    assert services.remind_session(session, now=opens + timedelta(hours=1)) == 0
    assert services.remind_session(session, now=session.starts_at - timedelta(minutes=1)) == 0
    assert len(reminded(session)) == 3
    rows = db.session.execute(select(SessionReminder)).scalars().all()
    assert {(r.session_id, r.starts_at, r.sent_at) for r in rows} == {
        (session.id, session.starts_at, opens)
    }


def test_no_reminder_once_the_session_has_started(factories):
    s = coming_programme(factories)
    session = s.sessions[0]
    assert services.remind_session(session, now=session.starts_at) == 0
    assert services.remind_session(session, now=session.starts_at + timedelta(hours=1)) == 0
    assert reminded(session) == []


def test_the_last_minute_before_the_start_still_reminds(factories):
    s = coming_programme(factories)
    session = s.sessions[0]
    assert services.remind_session(session, now=session.starts_at - timedelta(minutes=1)) == 3


def test_the_programme_chooses_the_days_and_zero_means_none(factories):
    s = coming_programme(factories)
    session = s.sessions[0]
    services.set_days_before(s.programme, 5, actor="trainer:1", now=NOW)
    assert (
        services.remind_session(session, now=session.starts_at - timedelta(days=5, minutes=1)) == 0
    )
    assert services.remind_session(session, now=session.starts_at - timedelta(days=5)) == 3

    other = coming_programme(factories)
    services.set_days_before(other.programme, 0, actor="trainer:1", now=NOW)
    for before in (timedelta(days=2), timedelta(hours=1), timedelta(minutes=1)):
        assert (
            services.remind_session(other.sessions[0], now=other.sessions[0].starts_at - before)
            == 0
        )
    assert reminded(other.sessions[0]) == []
    entry = (
        db.session.execute(select(AuditEntry).where(AuditEntry.action == "programme.reminders_set"))
        .scalars()
        .all()
    )
    assert [e.data["days_before"] for e in entry] == [5, 0]


@pytest.mark.parametrize("days", [-1, 15, 1000])
def test_a_setting_outside_0_to_14_is_refused(factories, days):
    s = coming_programme(factories, people=0)
    with pytest.raises(ValidationError) as caught:
        services.set_days_before(s.programme, days, actor="trainer:1", now=NOW)
    assert "0 tot en met 14" in caught.value.message
    assert services.days_before(s.programme) == DEFAULT_DAYS_BEFORE


def test_the_same_setting_again_changes_nothing(factories):
    s = coming_programme(factories, people=0)
    assert services.set_days_before(s.programme, 2, actor="trainer:1", now=NOW) is False
    assert services.set_days_before(s.programme, 3, actor="trainer:1", now=NOW) is True
    assert services.set_days_before(s.programme, 3, actor="trainer:1", now=NOW) is False


def test_who_switched_reminders_off_gets_none_until_on_again(factories):
    s = coming_programme(factories)
    off, *others = s.people
    assert services.switch_reminders(off, False, actor=f"participant:{off.id}", now=NOW)
    assert not services.switch_reminders(off, False, actor=f"participant:{off.id}", now=NOW)
    first, second = s.sessions
    services.remind_session(first, now=first.starts_at - timedelta(days=1))
    assert reminded(first) == emails(others)
    assert services.switch_reminders(off, True, actor=f"participant:{off.id}", now=NOW)
    services.remind_session(second, now=second.starts_at - timedelta(days=1))
    assert reminded(second) == emails(s.people)
    actions = db.session.execute(
        select(AuditEntry.action, AuditEntry.actor)
        .where(
            AuditEntry.object_type == "registrations",
            AuditEntry.object_id == off.id,
            AuditEntry.action.like("registration.reminders_%"),
        )
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        ("registration.reminders_off", f"participant:{off.id}"),
        ("registration.reminders_on", f"participant:{off.id}"),
    ]


def test_only_seated_people_are_reminded(factories):
    s = coming_programme(factories, people=3, max_participants=3, min_participants=1)
    seated, cancelled, erased = s.people
    waiting = factories.registration(s.programme, now=NOW - timedelta(days=29))
    still_waiting = factories.registration(s.programme, now=NOW - timedelta(days=29))
    registration.cancel_registration(cancelled, actor="test", now=NOW - timedelta(days=20))
    db.session.refresh(waiting)
    assert waiting.status is RegistrationStatus.OFFERED  # the freed seat, not yet accepted
    assert still_waiting.status is RegistrationStatus.WAITLISTED
    # What participant/erasure.py leaves of a person (erasure itself waits for the end).
    erased.erased_at = NOW - timedelta(days=10)
    db.session.flush()
    session = s.sessions[0]
    services.remind_session(session, now=session.starts_at - timedelta(days=1))
    assert reminded(session) == [seated.email]


def test_a_cancelled_programme_reminds_nobody(factories):
    s = coming_programme(factories)
    catalog.set_status(s.programme, ProgrammeStatus.CANCELLED, actor="test", now=NOW)
    session = s.sessions[0]
    assert services.due_for(session, session.starts_at - timedelta(days=1)) == []
    assert session.id not in services.sessions_to_check(session.starts_at - timedelta(days=1))


def test_seated_after_the_window_opened_the_confirmation_is_enough(factories):
    s = coming_programme(factories, people=1, registration_deadline=at_ten(9))
    session = s.sessions[0]
    late = factories.registration(s.programme, now=session.starts_at - timedelta(days=1))
    assert late.is_seated
    services.remind_session(session, now=session.starts_at - timedelta(hours=12))
    assert reminded(session) == [s.people[0].email]


def test_a_session_moved_to_a_later_date_is_reminded_again_when_its_window_comes(factories):
    s = coming_programme(factories, first_in_days=3)
    session = s.sessions[0]
    sent_at = session.starts_at - timedelta(days=2)
    assert services.remind_session(session, now=sent_at) == 3
    # A day later the session is postponed by a week: the reminder named the old date.
    moved_at = sent_at + timedelta(days=1)
    move(session, session.starts_at + timedelta(weeks=1), now=moved_at)
    assert services.remind_session(session, now=moved_at) == 0  # its new window is not open
    new_window = session.starts_at - timedelta(days=2)
    assert services.remind_session(session, now=new_window - timedelta(minutes=1)) == 0
    assert services.remind_session(session, now=new_window) == 3
    assert len(reminded(session)) == 6
    assert services.remind_session(session, now=new_window + timedelta(hours=5)) == 0
    starts = sorted({r.starts_at for r in db.session.execute(select(SessionReminder)).scalars()})
    assert starts == [session.starts_at - timedelta(weeks=1), session.starts_at]


def test_a_session_moved_by_hours_or_to_an_earlier_date_is_not_reminded_twice(factories):
    s = coming_programme(factories, first_in_days=5)
    session = s.sessions[0]
    sent_at = session.starts_at - timedelta(days=2)
    assert services.remind_session(session, now=sent_at) == 3
    # Three hours later on the same day: the change mail told them.
    move(session, session.starts_at + timedelta(hours=3), now=sent_at + timedelta(hours=1))
    assert services.remind_session(session, now=sent_at + timedelta(hours=4)) == 0
    # A day earlier: the window opened before the reminder went out.
    move(session, at_ten(4), now=sent_at + timedelta(hours=5))
    assert services.remind_session(session, now=sent_at + timedelta(hours=6)) == 0
    assert len(reminded(session)) == 3


def test_a_shorter_setting_does_not_remind_twice_for_a_session_that_did_not_move(factories):
    s = coming_programme(factories)
    session = s.sessions[0]
    services.remind_session(session, now=session.starts_at - timedelta(days=2))
    services.set_days_before(s.programme, 1, actor="trainer:1", now=NOW)
    assert services.remind_session(session, now=session.starts_at - timedelta(hours=20)) == 0


def test_a_reminder_claimed_by_another_machine_is_not_queued_again(factories):
    """The unique row is the claim: a machine whose list was made before the other one's
    commit finds the row taken, and queues nothing."""
    s = coming_programme(factories, people=2)
    session = s.sessions[0]
    now = session.starts_at - timedelta(days=1)
    stale = services.due_for(session, now)
    assert services.remind_session(session, now=now) == 2
    assert [services.claim(session, r, now) for r in stale] == [False, False]
    assert len(reminded(session)) == 2


def test_the_job_reminds_each_session_in_its_window(factories):
    near = coming_programme(factories, first_in_days=1)
    far = coming_programme(factories, first_in_days=20)
    now = near.sessions[0].starts_at - timedelta(hours=30)
    db.session.commit()  # the job works in transactions of its own
    assert send_reminders(now) == 3
    assert send_reminders(now) == 0
    assert reminded(near.sessions[0]) == emails(near.people)
    assert reminded(far.sessions[0]) == []
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "session.reminders_sent")
    ).scalar_one()
    assert (entry.object_id, entry.data["count"], entry.actor) == (near.sessions[0].id, 3, "system")
