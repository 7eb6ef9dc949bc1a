"""Marking attendance: one row per session and participant, changes audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.workspace.helpers import staff
from werklab.attendance import services
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.audit import AuditEntry
from werklab.db import utcnow
from werklab.extensions import db
from werklab.registration.models import RegistrationStatus

P, E, A = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT


@pytest.fixture
def trainer(programme):
    user = staff("tineke@example.nl", "Tineke Trainer", password=False)
    programme.trainers.append(user)
    db.session.flush()
    return user


def records() -> list[AttendanceRecord]:
    return list(db.session.execute(select(AttendanceRecord)).scalars())


def audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
    )


def test_mark_then_change(programme, trainer, factories):
    registration = factories.registration(programme)
    session = programme.sessions[0]
    now = utcnow()

    services.mark_attendance(session, registration, P, recorded_by=trainer, now=now)
    later = now + timedelta(minutes=5)
    services.mark_attendance(session, registration, E, recorded_by=trainer, now=later)

    stored = records()
    assert len(stored) == 1  # changing updates the row
    assert stored[0].status is E
    assert stored[0].recorded_by_id == trainer.id
    assert stored[0].recorded_at == later
    created, changed = audit("attendance.recorded"), audit("attendance.changed")
    assert [(e.data["status"], e.data["previous"]) for e in created] == [("present", None)]
    assert [(e.data["status"], e.data["previous"]) for e in changed] == [("excused", "present")]
    assert changed[0].actor == f"user:{trainer.id}"
    assert changed[0].data["session_id"] == session.id


def test_marking_the_same_again_changes_nothing(programme, trainer, factories):
    registration = factories.registration(programme)
    session = programme.sessions[0]
    first = services.mark_attendance(session, registration, A, recorded_by=trainer)
    at = first.recorded_at
    services.mark_attendance(
        session, registration, A, recorded_by=trainer, now=at + timedelta(hours=1)
    )
    assert records()[0].recorded_at == at
    assert len(audit("attendance.recorded")) == 1
    assert audit("attendance.changed") == []


def test_one_row_per_session_and_registration_in_the_database(programme, factories):
    registration = factories.registration(programme)
    session = programme.sessions[0]
    db.session.add(
        AttendanceRecord(session_id=session.id, registration_id=registration.id, status=P)
    )
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            AttendanceRecord(session_id=session.id, registration_id=registration.id, status=A)
        )


def test_someone_of_another_programme_cannot_be_marked(programme, trainer, factories):
    other = factories.registration(factories.programme())
    with pytest.raises(services.NotOnRegister) as error:
        services.mark_attendance(programme.sessions[0], other, P, recorded_by=trainer)
    assert error.value.message == "Deze persoon is niet ingeschreven voor dit traject."
    assert records() == []


def test_someone_on_the_waiting_list_cannot_be_marked(programme, trainer, factories):
    programme.min_participants, programme.max_participants = 1, 1
    factories.registration(programme)
    waiting = factories.registration(programme)
    assert waiting.status is RegistrationStatus.WAITLISTED
    with pytest.raises(services.NotOnRegister):
        services.mark_attendance(programme.sessions[0], waiting, P, recorded_by=trainer)
    assert records() == []


def test_a_mark_of_someone_who_left_stays_and_can_be_corrected(programme, trainer, factories):
    registration = factories.registration(programme)
    session = programme.sessions[0]
    services.mark_attendance(session, registration, P, recorded_by=trainer)
    registration.status = RegistrationStatus.CANCELLED
    db.session.flush()

    rows = services.register_rows(session)
    assert [(r.registration.id, r.status) for r in rows] == [(registration.id, P)]
    services.mark_attendance(session, registration, A, recorded_by=trainer)
    assert records()[0].status is A
    # ... but in another session, where nothing was marked, they are not on the register.
    assert services.register_rows(programme.sessions[1]) == []
    with pytest.raises(services.NotOnRegister):
        services.mark_attendance(programme.sessions[1], registration, P, recorded_by=trainer)


def test_register_rows_are_the_seated_participants_by_name(programme, trainer, factories):
    programme.min_participants, programme.max_participants = 1, 3
    zoe = factories.registration(programme, first_name="Zoë", last_name="Zwart")
    ab = factories.registration(programme, first_name="Ab", last_name="de Boer")
    ans = factories.registration(programme, first_name="Ans", last_name="Achterberg")
    factories.registration(programme, first_name="Wacht", last_name="Aan")  # waiting list
    session = programme.sessions[0]
    services.mark_attendance(session, ab, E, recorded_by=trainer)

    rows = services.register_rows(session)
    assert [r.registration.id for r in rows] == [ans.id, ab.id, zoe.id]
    assert [r.status for r in rows] == [None, E, None]
    assert [r.id for r in services.sheet_participants(session)] == [ans.id, ab.id, zoe.id]


def test_records_for_registrations(programme, trainer, factories):
    a, b, c = factories.fill(programme, 3)
    first, second, third = programme.sessions
    services.mark_attendance(third, a, A, recorded_by=trainer)
    services.mark_attendance(first, a, P, recorded_by=trainer)
    services.mark_attendance(first, b, E, recorded_by=trainer)
    services.mark_attendance(second, c, P, recorded_by=trainer)
    db.session.expire_all()

    found = services.records_for_registrations([a.id, b.id])
    assert [(r.registration_id, r.session_id, r.status) for r in found] == [
        (a.id, first.id, P),
        (a.id, third.id, A),
        (b.id, first.id, E),
    ]
    assert found[0].session.theme == first.theme  # loaded with the record
    assert services.records_for_registrations([]) == []
