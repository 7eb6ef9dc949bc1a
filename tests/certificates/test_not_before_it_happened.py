"""Attendance only once a session has started; certificates only once the sessions the
rule counts have taken place, and only to the people the trainer confirmed (issue 11,
item 5)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.certificates.helpers import attend
from tests.conftest import csrf_from, outbox
from tests.workspace.helpers import sign_in, staff, text
from werklab.attendance import services as attendance
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.certificates import services
from werklab.certificates.models import Certificate, RuleKind
from werklab.db import utcnow
from werklab.extensions import db


@pytest.fixture
def upcoming(factories):
    """A programme whose sessions are all still to come, with a trainer and a participant."""
    programme = factories.programme()
    trainer = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(trainer)
    person = factories.registration(programme, first_name="Sanne", last_name="Bakker")
    db.session.commit()
    return programme, trainer, person


def test_attendance_for_a_session_that_has_not_started_is_refused(client, upcoming):
    programme, trainer, person = upcoming
    session = programme.sessions[0]
    with pytest.raises(attendance.NotStarted, match="nog niet begonnen"):
        attendance.mark_attendance(session, person, AttendanceStatus.PRESENT, recorded_by=trainer)
    sign_in(client, trainer)
    url = f"/werkruimte/bijeenkomst/{session.id}/presentie"
    page = text(client.get(url))
    assert "nog niet begonnen" in page and 'name="status"' not in page
    response = client.post(
        f"{url}/{person.id}",
        data={"csrf_token": csrf_from(page), "status": "present"},
        follow_redirects=True,
    )
    assert "nog niet begonnen" in text(response)
    assert db.session.execute(select(AttendanceRecord)).first() is None
    # From the start of the session on, it can be recorded.
    record = attendance.mark_attendance(
        session, person, AttendanceStatus.PRESENT, recorded_by=trainer, now=session.starts_at
    )
    assert record.status is AttendanceStatus.PRESENT


def test_no_certificates_before_every_counted_session_took_place(client, factories, upcoming):
    programme, trainer, person = upcoming
    services.set_rule(programme, RuleKind.MINIMUM, minimum_sessions=1, actor=trainer)
    first = programme.sessions[0]
    attendance.mark_attendance(
        first, person, AttendanceStatus.PRESENT, recorded_by=trainer, now=first.ends_at
    )
    db.session.commit()
    # Eligible by the rule, but the programme is still running.
    with pytest.raises(services.NotYet, match="zodra alle bijeenkomsten hebben plaatsgevonden"):
        services.issue_certificates(programme, actor=trainer, now=first.ends_at)
    sign_in(client, trainer)
    overview = text(client.get(f"/werkruimte/{programme.id}/certificaten"))
    assert "zodra alle bijeenkomsten hebben plaatsgevonden" in overview
    confirm = text(client.get(f"/werkruimte/{programme.id}/certificaten/uitreiken"))
    response = client.post(
        f"/werkruimte/{programme.id}/certificaten/uitreiken",
        data={"csrf_token": csrf_from(confirm), "ids": str(person.id)},
        follow_redirects=True,
    )
    assert "zodra alle bijeenkomsten hebben plaatsgevonden" in text(response)
    assert db.session.execute(select(Certificate)).first() is None
    assert outbox("certificate.issued") == []
    # Once the last session has ended, it goes.
    last_end = max(s.ends_at for s in programme.sessions)
    [certificate] = services.issue_certificates(
        programme, actor=trainer, now=last_end + timedelta(minutes=1)
    )
    assert certificate.registration_id == person.id


def test_only_the_people_shown_and_confirmed_get_a_certificate(
    client, factories, programme, trainer_and_two
):
    trainer, first, second = trainer_and_two
    sign_in(client, trainer)
    url = f"/werkruimte/{programme.id}/certificaten/uitreiken"
    confirm = text(client.get(url))
    assert first.email in confirm and second.email in confirm
    assert "Deze 2 mensen krijgen een certificaat en een mail" in confirm
    # Someone else became eligible after the page was shown: not mailed without being seen.
    late = factories.registration(programme, first_name="Laat", last_name="Komer")
    attend(late, programme.sessions, trainer)
    db.session.commit()
    client.post(url, data={"csrf_token": csrf_from(confirm), "ids": f"{first.id},{second.id}"})
    issued = {c.registration_id for c in db.session.execute(select(Certificate)).scalars()}
    assert issued == {first.id, second.id}
    assert sorted(m.to_addr for m in outbox("certificate.issued")) == sorted(
        [first.email, second.email]
    )


@pytest.fixture
def trainer_and_two(programme, factories):
    trainer = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(trainer)
    first = factories.registration(programme, first_name="Eerste", last_name="Een")
    second = factories.registration(programme, first_name="Tweede", last_name="Twee")
    for person in (first, second):
        attend(person, programme.sessions, trainer)
    db.session.commit()
    assert utcnow() > max(s.ends_at for s in programme.sessions)
    return trainer, first, second


def test_a_certificate_lists_each_session_on_its_dutch_date(factories):
    """A session that starts at 00:30 in Amsterdam (23:30 UTC the day before, in winter) is
    on the certificate with the Dutch date, as everywhere else."""
    programme = factories.took_place(factories.programme())
    trainer = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(trainer)
    person = factories.registration(programme, first_name="Sanne", last_name="Bakker")
    for session in programme.sessions:
        day = session.starts_at.date().replace(month=1)  # winter time: UTC+1
        session.starts_at = datetime.combine(day, time(23, 30))
        session.ends_at = session.starts_at + timedelta(hours=1)
    db.session.flush()
    attend(person, programme.sessions, trainer)
    [certificate] = services.issue_certificates(programme, actor=trainer, now=utcnow())
    assert sorted(s["date"] for s in certificate.sessions) == sorted(
        (s.starts_at.date() + timedelta(days=1)).isoformat() for s in programme.sessions
    )
