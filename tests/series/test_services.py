"""A series of sessions: proposed dates around Dutch public holidays, and creating it through
the session service (its rules hold, one mail per person). Every call has an explicit `now`."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from tests.conftest import outbox
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeKind, ProgrammeSession
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.series import planning, services
from werklab.series.services import SeriesData

#: Winter 2027: the series below run into the spring holidays.
NOW = datetime(2027, 1, 10, 9, 0)


def test_koningsdag_moves_to_the_next_working_day():
    # Every four weeks from Tuesday 30 March 2027: 27 April is Koningsdag (a Tuesday).
    proposal = planning.propose(date(2027, 3, 30), 4, 3)
    assert [p.day for p in proposal] == [date(2027, 3, 30), date(2027, 4, 28), date(2027, 5, 25)]
    assert proposal[1].moved_from == date(2027, 4, 27)
    assert proposal[1].holiday == "Koningsdag"
    assert proposal[0].moved_from is None and proposal[2].moved_from is None


def test_hemelvaart_and_second_pentecost_move_and_the_interval_keeps_counting():
    # Thursday 6 May 2027 is Hemelvaartsdag; eleven days later Monday 17 May is 2e Pinksterdag.
    thursdays = planning.propose(date(2027, 4, 29), 1, 3)
    assert [p.day for p in thursdays] == [date(2027, 4, 29), date(2027, 5, 7), date(2027, 5, 13)]
    assert thursdays[1].holiday == "Hemelvaartsdag"
    mondays = planning.propose(date(2027, 5, 10), 1, 2)
    assert mondays[1].day == date(2027, 5, 18)
    assert mondays[1].holiday == "Tweede pinksterdag"


def test_a_move_skips_the_weekend_and_a_holiday_after_it():
    # Good Friday 26 March 2027 → not Saturday, Sunday or Easter Monday: Tuesday 30 March.
    assert planning.propose(date(2027, 3, 26), 7, 1)[0].day == date(2027, 3, 30)


def _programme(factories, kind=ProgrammeKind.LEARNING_COMMUNITY, people=2):
    programme = factories.programme(kind=kind, sessions=1, now=NOW)
    trainer = accounts.create_user(
        f"trainer.{programme.id}@example.nl", "Tineke Trainer", trainer=True, actor="test"
    )
    programme.trainers.append(trainer)
    registrations = [factories.registration(programme, now=NOW) for _ in range(people)]
    db.session.flush()
    return programme, registrations, trainer


def _series(days, **kw) -> SeriesData:
    return SeriesData(
        days=days,
        start=kw.pop("start", time(13, 30)),
        end=kw.pop("end", time(16, 30)),
        theme=kw.pop("theme", "Bijeenkomst"),
        location_name=kw.pop("location_name", "Buurthuis De Pit"),
        interval_weeks=kw.pop("interval_weeks", 4),
        **kw,
    )


def _sessions(programme) -> list[ProgrammeSession]:
    return list(
        db.session.execute(
            select(ProgrammeSession)
            .where(ProgrammeSession.programme_id == programme.id)
            .order_by(ProgrammeSession.position)
        ).scalars()
    )


def test_a_series_adds_sessions_after_the_existing_ones_and_mails_each_person_once(factories):
    programme, registrations, trainer = _programme(factories)
    before = {m.id for m in outbox()}
    days = [p.day for p in planning.propose(date(2027, 3, 30), 4, 3)]
    created = services.create_series(
        programme, _series(days, moved=["2027-04-27: Koningsdag"]), actor="user:1", now=NOW
    )
    sessions = _sessions(programme)
    assert [s.position for s in sessions] == [1, 2, 3, 4]
    assert [s.theme for s in created] == ["Bijeenkomst 2", "Bijeenkomst 3", "Bijeenkomst 4"]
    # 13:30 Dutch time: UTC+1 in March, UTC+2 (summer time) from the end of March.
    assert created[0].starts_at == datetime(2027, 3, 30, 11, 30)
    assert created[1].starts_at == datetime(2027, 4, 28, 11, 30)
    assert created[1].ends_at == datetime(2027, 4, 28, 14, 30)
    assert {s.location_name for s in created} == {"Buurthuis De Pit"}
    # One mail per person about all three, not three: participants and the trainer.
    mails = [m for m in outbox() if m.id not in before]
    assert sorted(m.to_addr for m in mails) == sorted(
        [r.email for r in registrations] + [trainer.email]
    )
    assert {m.kind for m in mails} == {"series.sessions_added"}
    body = mails[0].body_text
    assert "28 april 2027" in body and "Bijeenkomst 4" in body
    assert mails[0].subject.startswith("3 nieuwe bijeenkomsten van ")
    assert mails[0].attachments[0]["render"] == "werklab.series.services:series_attachment"
    name, ctype, data = services.series_attachment(**mails[0].attachments[0]["args"])
    assert ctype == "text/calendar" and data.count(b"BEGIN:VEVENT") == 3
    audit = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "programme.series_created")
    ).scalar_one()
    assert audit.data["count"] == 3 and audit.data["moved"] == ["2027-04-27: Koningsdag"]
    assert (
        db.session.query(AuditEntry)
        .filter_by(action="session.created")
        .filter(AuditEntry.object_id.in_([s.id for s in created]))
        .count()
        == 3
    )


def test_a_date_in_the_past_refuses_the_whole_series(factories):
    programme, _, _ = _programme(factories)
    before = {m.id for m in outbox()}
    with pytest.raises(ValidationError, match="is al voorbij"):
        services.create_series(
            programme, _series([date(2027, 2, 1), date(2027, 1, 4)]), actor="t", now=NOW
        )
    assert len(_sessions(programme)) == 1
    assert [m for m in outbox() if m.id not in before] == []


def test_today_before_the_start_time_is_not_in_the_past(factories):
    programme, _, _ = _programme(factories, people=0)
    created = services.create_series(programme, _series([NOW.date()]), actor="t", now=NOW)
    assert created[0].starts_at == datetime(2027, 1, 10, 12, 30)


def test_a_werklab_keeps_its_three_sessions(factories):
    programme = factories.programme(kind=ProgrammeKind.WERKLAB, now=NOW)
    with pytest.raises(ValidationError, match="precies drie bijeenkomsten"):
        services.create_series(programme, _series([date(2027, 3, 1)]), actor="t", now=NOW)
    assert len(_sessions(programme)) == 3


@pytest.mark.parametrize(
    ("interval", "count", "message"),
    [
        (4, 0, "Een reeks heeft 1 tot 30 bijeenkomsten."),
        (4, 100, "Een reeks heeft 1 tot 30 bijeenkomsten."),
        (0, 3, "De tussenpoos is 1 tot 26 weken."),
        (27, 3, "De tussenpoos is 1 tot 26 weken."),
        (None, 3, "De tussenpoos is 1 tot 26 weken."),
    ],
)
def test_impossible_parameters_get_a_dutch_message(interval, count, message):
    with pytest.raises(ValidationError) as caught:
        services.check_parameters(interval, count)
    assert caught.value.message == message


def test_no_meetings_at_all_or_no_interval_is_refused(factories):
    programme, _, _ = _programme(factories, people=0)
    with pytest.raises(ValidationError, match="1 tot 30 bijeenkomsten"):
        services.create_series(programme, _series([]), actor="t", now=NOW)
    with pytest.raises(ValidationError, match="1 tot 26 weken"):
        services.create_series(
            programme, _series([date(2027, 3, 1)], interval_weeks=0), actor="t", now=NOW
        )
    assert len(_sessions(programme)) == 1


def test_two_meetings_on_one_day_and_an_end_before_the_start_are_refused(factories):
    programme, _, _ = _programme(factories, people=0)
    with pytest.raises(ValidationError, match="Twee bijeenkomsten van de reeks vallen op 1 maart"):
        services.create_series(
            programme, _series([date(2027, 3, 1), date(2027, 3, 1)]), actor="t", now=NOW
        )
    with pytest.raises(ValidationError, match="moet na de begintijd liggen"):
        services.create_series(
            programme,
            _series([date(2027, 3, 1)], start=time(16, 0), end=time(15, 0)),
            actor="t",
            now=NOW,
        )
    assert len(_sessions(programme)) == 1
