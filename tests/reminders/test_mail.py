"""The reminder as it arrives through a real SMTP server: date, time, place with a map
link, the host, what to prepare, the .ics (same UID as the confirmation's), in the
participant's language, with Reply-To the trainers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.conftest import outbox
from tests.reminders.helpers import NOW, coming_programme
from tests.test_mail import free_port, start_inbox
from werklab.assignments import services as assignments
from werklab.assignments.services import AssignmentData
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.initiatives import services as initiatives
from werklab.mail import build_message, deliver_due
from werklab.reminders import services


@pytest.fixture
def inbox(app, monkeypatch):
    port = free_port()
    controller, box = start_inbox(port)
    for key, value in (("MAIL_BACKEND", "smtp"), ("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", port)):
        monkeypatch.setitem(app.config, key, value)
    yield box
    controller.stop()


def uids_and_starts(data: bytes) -> dict[str, object]:
    return {
        str(e["uid"]): e.decoded("dtstart").replace(tzinfo=None)
        for e in Calendar.from_ical(data).walk("VEVENT")
    }


@pytest.fixture
def prepared(factories):
    """A programme with a host for its second session, and assignments around it: one due
    before the first session (already past by then), two due before the second (one of
    them handed in by Anna's group), one due after it."""
    s = coming_programme(factories, people=0, first_in_days=9, weeks_between=2, sessions=3)
    anna = factories.registration(s.programme, first_name="Anna", now=NOW - timedelta(days=29))
    ben = factories.registration(
        s.programme, first_name="Ben", locale="en", now=NOW - timedelta(days=29)
    )
    first, second, third = s.sessions
    initiatives.set_session_host(
        second, initiative=None, organisation="Woningcorporatie De Linie", actor="test"
    )
    created = NOW - timedelta(days=28)

    def assignment(title, due, **kw):
        return assignments.create_assignment(
            s.programme, AssignmentData(title, "", due, **kw), actor="test", now=created
        )

    assignment("Leervraag opschrijven", first.starts_at - timedelta(days=1))
    plan = assignment("Plan van aanpak", second.starts_at - timedelta(days=2))
    assignment("Inventarisatie", second.starts_at - timedelta(hours=1), session_id=second.id)
    assignment("Terugblik", second.ends_at + timedelta(days=1))
    group = HomeworkGroup(programme_id=s.programme.id, name="Groep 1", round=1)
    db.session.add(group)
    db.session.flush()
    db.session.add(HomeworkGroupMember(group_id=group.id, registration_id=anna.id, round=1))
    db.session.flush()
    assignments.submit(plan, group, "Ons plan.", [], user_id=None, now=created)
    db.session.commit()
    return s, anna, ben, second


def test_the_reminder_through_smtp_says_when_where_what_to_prepare(app, prepared, inbox):
    s, anna, ben, session = prepared
    deliver_due()  # the confirmations of the set-up
    confirmation_ics = {
        m.to_addr: build_message(m, "werklab <noreply@werklab.example>")
        for m in outbox("registration.confirmed")
    }[anna.email]
    inbox.messages.clear()
    now = session.starts_at - timedelta(days=1)
    assert services.remind_session(session, now=now) == 2
    db.session.commit()
    assert deliver_due(now=now) == 2

    received = {rcpt[0]: msg for rcpt, msg in inbox.messages}
    assert set(received) == {anna.email, ben.email}
    msg = received[anna.email]
    assert msg["Subject"].startswith(f"Herinnering: {session.theme} op ")
    assert [a.addr_spec for a in msg["Reply-To"].addresses] == [s.trainer.email]
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Beste Anna,")
    assert "Plaats: Buurthuis De Kern, Kernstraat 12, 8261 AB Kampen" in body
    assert (
        "Kaart: https://www.openstreetmap.org/search?query=Kernstraat+12%2C+8261+AB+Kampen" in body
    )
    assert "Te gast bij: Woningcorporatie De Linie" in body
    assert "10:00-14:00" in body
    prepare = body.split("Voorbereiden:")[1].split("Je opdrachten:")[0]
    assert "Plan van aanpak" in prepare and "je groepje heeft het ingeleverd" in prepare
    assert "Inventarisatie" in prepare
    assert "Leervraag opschrijven" not in prepare  # due before the previous session
    assert "Terugblik" not in prepare  # due after this session
    assert prepare.count("ingeleverd") == 1
    assert "http://werklab.test/opdrachten" in body
    assert "http://werklab.test/inschrijving/" in body
    html = msg.get_body(("html",)).get_content()
    assert (
        'href="https://www.openstreetmap.org/search?query=Kernstraat+12%2C+8261+AB+Kampen"' in html
    )

    [attachment] = list(msg.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    events = uids_and_starts(attachment.get_content().encode())
    uid = f"werklab-session-{session.id}@werklab"
    assert events == {uid: session.starts_at}
    [confirmation_attachment] = list(confirmation_ics.iter_attachments())
    assert uid in uids_and_starts(confirmation_attachment.get_content().encode())

    english = received[ben.email].get_body(("plain",)).get_content()
    assert received[ben.email]["Subject"].startswith(f"Reminder: {session.theme} on ")
    assert english.startswith("Dear Ben,")
    assert "Map: https://www.openstreetmap.org/search?query=" in english
    assert "Plan van aanpak" in english and "handed it in" not in english  # Ben has no group


def test_without_an_address_no_map_link_and_without_assignments_it_says_so(app, factories):
    s = coming_programme(factories, people=1)
    session = s.sessions[0]
    session.location_address = ""
    db.session.flush()
    services.remind_session(session, now=session.starts_at - timedelta(days=1))
    [mail] = outbox("reminders.session")
    assert "openstreetmap" not in mail.body_text and "openstreetmap" not in mail.body_html
    assert "Voor deze bijeenkomst hoef je geen opdrachten in te leveren." in mail.body_text


def test_the_map_link_quotes_any_address():
    assert services.map_url("  ") is None
    url = services.map_url('Straat 1 & "zo"\n#2 ?x=<b>')
    assert url == (
        "https://www.openstreetmap.org/search?query=Straat+1+%26+%22zo%22+%232+%3Fx%3D%3Cb%3E"
    )
