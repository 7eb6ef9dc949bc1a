"""Dates that cannot be (issue 11, item 4): a session that starts in the past, or a due date
that has passed, is refused with a clear message; an old, finished session stays editable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.manage.conftest import post, text
from tests.manage.test_sessions import SESSION
from werklab.assignments import services as assignments
from werklab.assignments.services import AssignmentData
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeSession
from werklab.catalog.services import SessionData, utc_to_local
from werklab.db import utcnow
from werklab.errors import ValidationError
from werklab.extensions import db


def session_count() -> int:
    return db.session.execute(select(func.count()).select_from(ProgrammeSession)).scalar_one()


def test_a_new_session_in_the_past_is_refused(admin, programme):
    db.session.commit()
    before = session_count()
    yesterday = (utc_to_local(utcnow()) - timedelta(days=1)).date()
    response = post(
        admin,
        f"/beheer/programma/{programme.id}/bijeenkomsten/nieuw",
        {**SESSION, "day": yesterday.isoformat()},
    )
    assert response.status_code in (400, 409, 422)
    assert "is al voorbij: een bijeenkomst kan niet in het verleden beginnen" in text(response)
    assert session_count() == before


def test_a_session_cannot_be_moved_into_the_past(admin, programme):
    session = programme.sessions[0]
    db.session.commit()
    old = session.starts_at
    last_week = (utc_to_local(utcnow()) - timedelta(days=7)).date()
    response = post(
        admin,
        f"/beheer/programma/{programme.id}/bijeenkomsten/{session.id}/bewerken",
        {**SESSION, "day": last_week.isoformat()},
    )
    assert "kan niet in het verleden beginnen" in text(response)
    db.session.refresh(session)
    assert session.starts_at == old


def test_an_old_finished_session_stays_editable(factories, programme):
    factories.took_place(programme)
    session = programme.sessions[0]
    data = SessionData(
        theme="Terugblik: de eerste bijeenkomst",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location_name="Ander zaaltje",
        location_address=session.location_address,
        kind=session.kind,
        description="Verslag toegevoegd.",
    )
    catalog.update_session(session, data, actor="test")
    assert session.theme == "Terugblik: de eerste bijeenkomst"
    # A corrected time of a session that took place is fine too.
    data.starts_at -= timedelta(minutes=30)
    catalog.update_session(session, data, actor="test")
    assert session.starts_at == data.starts_at


def test_ending_before_starting_is_refused_by_the_service(programme):
    start = utcnow() + timedelta(days=3)
    with pytest.raises(ValidationError, match="na de begintijd"):
        catalog.create_session(
            programme, SessionData("Thema", start, start - timedelta(hours=1)), actor="test"
        )


def test_a_new_programme_with_a_session_in_the_past_is_refused(factories):
    with pytest.raises(ValidationError, match="in het verleden"):
        factories.programme(
            session_data=[
                SessionData(
                    "Thema", utcnow() - timedelta(days=2), utcnow() - timedelta(days=2, hours=-3)
                )
            ]
        )


def test_an_assignment_due_in_the_past_is_refused(programme):
    past = AssignmentData(
        title="Verken je organisatie",
        description="",
        due_at=utcnow() - timedelta(hours=1),
        session_id=None,
    )
    with pytest.raises(ValidationError, match="al voorbij"):
        assignments.create_assignment(programme, past, actor="test")
    past.due_at = utcnow() + timedelta(days=7)
    assignment = assignments.create_assignment(programme, past, actor="test")
    # Moving it into the past is refused; keeping a passed due date while editing is not.
    moved = AssignmentData(
        title="Verken je organisatie (2)",
        description="",
        due_at=utcnow() - timedelta(days=1),
        session_id=None,
    )
    with pytest.raises(ValidationError, match="al voorbij"):
        assignments.update_assignment(assignment, moved, actor="test")
    assignment.due_at = utcnow() - timedelta(days=2)  # it has passed meanwhile
    moved.due_at = assignment.due_at
    assignments.update_assignment(assignment, moved, actor="test")
    assert assignment.title == "Verken je organisatie (2)"


def test_programme_dates_in_the_past_or_after_the_start_are_refused(admin, factories):
    from tests.manage.test_programmes import VALID

    programme = factories.programme(title="CoP Data")
    db.session.commit()
    url = f"/beheer/programma/{programme.id}/bewerken"
    today = utc_to_local(utcnow()).date()
    first = utc_to_local(programme.sessions[0].starts_at).date()
    cases = [
        ({"deadline_date": (today - timedelta(days=1)).isoformat()}, "is al voorbij"),
        ({"decision_date": (today - timedelta(days=3)).isoformat()}, "is al voorbij"),
        ({"decision_date": (first + timedelta(days=1)).isoformat()}, "na de eerste bijeenkomst"),
        ({"cancellation_date": (first + timedelta(days=2)).isoformat()}, "na de eerste"),
    ]
    for change, message in cases:
        data = {**VALID, "title": "CoP Data", "decision_date": "", **change}
        response = post(admin, url, data)
        assert response.status_code == 400, change
        assert message in text(response), change
    db.session.refresh(programme)
    assert programme.cancellation_deadline is None
    # Unchanged dates of a running programme may lie in the past: saving still works.
    programme.decision_date = today - timedelta(days=10)
    db.session.commit()
    keep = {**VALID, "title": "CoP Data", "decision_date": programme.decision_date.isoformat()}
    keep["deadline_date"] = (today + timedelta(days=5)).isoformat()
    assert post(admin, url, keep).status_code == 302
