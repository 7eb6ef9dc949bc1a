"""A session's time or place changes (issue 11, item 6): every confirmed participant,
everyone holding an offer and the trainers get a mail with the updated calendar event (same
UID, higher SEQUENCE), and the calendar feeds show the change."""

from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Calendar

from tests.conftest import outbox, with_bodies
from tests.participant.conftest import sign_in, token_of
from tests.participant.test_calendar import make_feed
from tests.workspace.helpers import staff
from werklab.catalog import services as catalog
from werklab.catalog.services import SessionData
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import build_message
from werklab.registration import services as registration_services
from werklab.registration.models import RegistrationStatus as S


def data_of(session, **changes) -> SessionData:
    values = dict(
        theme=session.theme,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location_name=session.location_name,
        location_address=session.location_address,
        kind=session.kind,
        description=session.description,
    )
    values.update(changes)
    return SessionData(**values)


def ics_events(mail) -> list:
    [attachment] = build_message(mail, "werklab <noreply@werklab.example>").iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    return Calendar.from_ical(attachment.get_content()).walk("VEVENT")


def test_a_moved_session_is_mailed_to_everyone_taking_part(factories):
    programme = factories.programme(min_participants=1, max_participants=2)
    trainer = staff("tineke@example.nl", "Tineke Trainer", password=False)
    programme.trainers.append(trainer)
    first, leaving = factories.fill(programme, 2)
    waiting = factories.registration(programme, first_name="Wacht")
    db.session.flush()
    registration_services.cancel_registration(leaving, actor="test")  # Wacht gets an offer
    db.session.refresh(waiting)
    assert waiting.status is S.OFFERED
    still_waiting = factories.registration(programme, first_name="Nog")
    db.session.commit()
    before = {m.id for m in outbox()}

    session = programme.sessions[1]
    old_start = session.starts_at
    new_start = old_start + timedelta(days=1, hours=1)
    catalog.update_session(
        session,
        data_of(
            session,
            starts_at=new_start,
            ends_at=new_start + timedelta(hours=3),
            location_name="Wijkcentrum De Brug",
        ),
        actor="coordinator:1",
    )
    db.session.commit()

    mails = [m for m in with_bodies(outbox("registration.session_changed")) if m.id not in before]
    assert sorted(m.to_addr for m in mails) == sorted([first.email, waiting.email, trainer.email])
    assert still_waiting.email not in {m.to_addr for m in mails}
    mail = next(m for m in mails if m.to_addr == first.email)
    assert session.theme in mail.subject
    assert "Wijkcentrum De Brug" in mail.body_text and "Buurthuis 2" in mail.body_text
    assert "Was:" in mail.body_text and "Nu:" in mail.body_text
    [event] = ics_events(mail)
    assert str(event["UID"]) == f"werklab-session-{session.id}@werklab"
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start.replace(tzinfo=UTC)
    assert "Wijkcentrum De Brug" in str(event["LOCATION"])

    # A second move raises the sequence again; a change of theme alone mails nobody.
    catalog.update_session(
        session, data_of(session, location_address="Brugweg 1, Ergens"), actor="test"
    )
    catalog.update_session(session, data_of(session, theme="Nieuw thema"), actor="test")
    db.session.commit()
    assert session.sequence == 2
    assert len(outbox("registration.session_changed")) == 2 * 3


def test_the_calendar_feed_shows_the_change(app, client, factories):
    programme = factories.programme()
    factories.registration(programme, email="sanne@example.nl", first_name="Sanne")
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    path, _token, _page = make_feed(client)
    session = programme.sessions[0]
    new_start = session.starts_at + timedelta(hours=2)
    catalog.update_session(
        session,
        data_of(session, starts_at=new_start, ends_at=new_start + timedelta(hours=2)),
        actor="test",
        now=utcnow(),
    )
    db.session.commit()
    feed = Calendar.from_ical(app.test_client().get(path).data).walk("VEVENT")
    event = next(e for e in feed if str(e["UID"]) == f"werklab-session-{session.id}@werklab")
    assert event.decoded("DTSTART") == new_start.replace(tzinfo=UTC)
    assert int(event["SEQUENCE"]) == 1
    assert token_of(client)  # still signed in: nothing else changed


def test_an_added_and_a_deleted_session_are_mailed_too(factories):
    programme = factories.programme()
    trainer = staff("tineke@example.nl", "Tineke Trainer", password=False)
    programme.trainers.append(trainer)
    person = factories.registration(programme)
    db.session.commit()
    start = programme.sessions[-1].starts_at + timedelta(weeks=6)
    added = catalog.create_session(
        programme,
        SessionData("Slotbijeenkomst", start, start + timedelta(hours=3), "Buurthuis 9"),
        actor="test",
    )
    db.session.commit()
    mails = with_bodies(outbox("registration.session_added"))
    assert sorted(m.to_addr for m in mails) == sorted([person.email, trainer.email])
    [event] = ics_events(mails[0])
    assert str(event["UID"]) == f"werklab-session-{added.id}@werklab"

    catalog.delete_session(added, actor="test")
    db.session.commit()
    mails = with_bodies(outbox("registration.session_removed"))
    assert sorted(m.to_addr for m in mails) == sorted([person.email, trainer.email])
    assert "gaat niet door" in mails[0].body_text
    [event] = ics_events(mails[0])
    assert str(event["UID"]) == f"werklab-session-{added.id}@werklab"
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
