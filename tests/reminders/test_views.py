"""The pages: a participant switches reminders off and on from the manage page; a trainer
sets the days and gets a calendar link of the sessions they run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.access.test_matrix import client_for
from tests.conftest import csrf_from, outbox
from tests.reminders.helpers import coming_programme
from tests.workspace.helpers import staff, text
from werklab.audit import AuditEntry
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeStatus
from werklab.extensions import db
from werklab.registration import services as registration
from werklab.registration.lookup import manage_token
from werklab.reminders import services
from werklab.reminders.models import ReminderOptOut


@pytest.fixture
def setup(factories):
    s = coming_programme(factories, people=2)
    db.session.commit()
    return s


def manage_path(registration) -> str:
    return f"/inschrijving/{manage_token(registration)}"


def choose(client, registration, choice: str | None):
    path = manage_path(registration)
    data = {"csrf_token": csrf_from(text(client.get("/inloggen")))}
    if choice is not None:
        data["choice"] = choice
    return client.post(path + "/herinneringen", data=data)


def test_the_participant_switches_reminders_off_and_on_from_the_manage_page(client, setup):
    person, other = setup.people
    page = text(client.get(manage_path(person)))
    assert "We mailen je 2 dagen voor elke bijeenkomst een herinnering" in page
    assert "Herinneringen uitzetten" in page

    response = choose(client, person, "off")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(manage_path(person) + "#herinneringen")
    page = text(client.get(manage_path(person)))
    assert "Herinneringen staan uit: we mailen je niet meer voor bijeenkomsten." in page
    assert "Je hebt herinneringen uitgezet" in page and "Herinneringen weer aanzetten" in page
    assert db.session.get(ReminderOptOut, person.id) is not None
    assert db.session.get(ReminderOptOut, other.id) is None
    session = setup.sessions[0]
    services.remind_session(session, now=session.starts_at - timedelta(days=1))
    assert [m.to_addr for m in outbox("reminders.session")] == [other.email]

    choose(client, person, "on")
    page = text(client.get(manage_path(person)))
    assert "Herinneringen staan aan: we mailen je voor elke bijeenkomst." in page
    assert db.session.get(ReminderOptOut, person.id) is None
    history = (
        db.session.execute(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "registrations",
                AuditEntry.object_id == person.id,
                AuditEntry.action.like("registration.reminders_%"),
            )
        )
        .scalars()
        .all()
    )
    assert history == ["registration.reminders_off", "registration.reminders_on"]


@pytest.mark.parametrize("choice", [None, "", "uit", "x" * 5000, "<script>"])
def test_a_bad_choice_changes_nothing(client, setup, choice):
    person = setup.people[0]
    response = choose(client, person, choice)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Kies of je herinneringen wilt krijgen." in page
    assert services.wants_reminders(person)


def test_a_nul_character_is_refused_like_everywhere(client, setup):
    person = setup.people[0]
    assert choose(client, person, "off\x00").status_code == 400  # the app-wide rule
    assert services.wants_reminders(person)


def test_a_cancelled_registration_cannot_switch(client, setup):
    person = setup.people[0]
    registration.cancel_registration(person, actor="test")
    db.session.commit()
    assert "Herinneringen uitzetten" not in text(client.get(manage_path(person)))
    response = choose(client, person, "off")
    assert "al geannuleerd" in text(client.get(response.headers["Location"]))
    assert services.wants_reminders(person)


def test_a_programme_without_reminders_says_so_on_the_manage_page(client, setup):
    services.set_days_before(setup.programme, 0, actor="test")
    db.session.commit()
    page = text(client.get(manage_path(setup.people[0])))
    assert "Dit traject stuurt geen herinneringen voor de bijeenkomsten." in page
    assert "Herinneringen uitzetten" not in page


def test_the_trainer_sets_the_days_and_bad_input_is_refused(app, setup):
    client = client_for(app, setup.trainer)
    path = f"/werkruimte/{setup.programme.id}/herinneringen"
    assert path in text(client.get(f"/werkruimte/{setup.programme.id}"))
    page = text(client.get(path))
    assert "Nu: deelnemers krijgen 2 dagen voor elke bijeenkomst een herinnering." in page
    token = csrf_from(page)
    for bad in ("15", "-1", "twee", "", "9" * 5000, "1.5", "3 dagen"):
        response = client.post(path, data={"csrf_token": token, "days_before": bad})
        assert response.status_code == 400, bad
        assert "Vul een heel aantal dagen in, van 0 tot en met 14" in text(response)
        assert services.days_before(setup.programme) == 2
    response = client.post(path, data={"csrf_token": token, "days_before": "0"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "De instelling voor herinneringen is opgeslagen." in page
    assert services.days_before(setup.programme) == 0
    page = text(client.get(path))
    assert 'value="0"' in page
    assert "Nu: deelnemers krijgen geen herinneringen voor bijeenkomsten." in page


def feed_events(response) -> dict[str, str]:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return {
        str(e["uid"]): str(e["summary"])
        for e in Calendar.from_ical(response.get_data()).walk("VEVENT")
    }


def test_the_trainer_feed_shows_only_their_own_programmes(app, factories, setup):
    other = coming_programme(factories, people=0, trainer_email="yara@example.nl")
    shared = coming_programme(factories, people=0, trainer_email="zoe@example.nl")
    shared.programme.trainers.append(setup.trainer)
    cancelled = coming_programme(factories, people=0, trainer_email="wim@example.nl")
    cancelled.programme.trainers.append(setup.trainer)
    catalog.set_status(cancelled.programme, ProgrammeStatus.CANCELLED, actor="test")
    db.session.commit()
    client = client_for(app, setup.trainer)

    page = text(client.get("/werkruimte/"))
    assert "Maak een agendalink" in page
    token = csrf_from(page)
    response = client.post("/werkruimte/agenda/nieuw", data={"csrf_token": token})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Hier is je agendalink." in page
    feed = services.trainer_feed_of(setup.trainer)
    url = f"http://werklab.test/werkruimte/agenda/{feed.token}.ics"
    assert f'value="{url}"' in page and "readonly" in page
    assert len(feed.token) >= 43  # 256 random bits

    anonymous = app.test_client()
    response = anonymous.get(f"/werkruimte/agenda/{feed.token}.ics")
    events = feed_events(response)
    assert response.headers["Cache-Control"] == "no-store"
    expected = {f"werklab-session-{s.id}@werklab" for s in (*setup.sessions, *shared.sessions)}
    assert set(events) == expected
    assert not {f"werklab-session-{s.id}@werklab" for s in other.sessions} & set(events)
    assert not {f"werklab-session-{s.id}@werklab" for s in cancelled.sessions} & set(events)

    # A new link: the old one stops working at once.
    old = feed.token
    client.post("/werkruimte/agenda/nieuw", data={"csrf_token": token})
    assert anonymous.get(f"/werkruimte/agenda/{old}.ics").status_code == 404
    db.session.expire_all()
    new = services.trainer_feed_of(setup.trainer).token
    assert new != old and anonymous.get(f"/werkruimte/agenda/{new}.ics").status_code == 200
    # Switched off: gone.
    client.post("/werkruimte/agenda/stoppen", data={"csrf_token": token})
    assert anonymous.get(f"/werkruimte/agenda/{new}.ics").status_code == 404
    assert "Maak een agendalink" in text(client.get("/werkruimte/"))
    actions = (
        db.session.execute(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "users", AuditEntry.object_id == setup.trainer.id
            )
        )
        .scalars()
        .all()
    )
    assert [a for a in actions if "trainer_feed" in a] == [
        "user.trainer_feed_created",
        "user.trainer_feed_renewed",
        "user.trainer_feed_revoked",
    ]


def test_a_feed_stops_when_the_account_is_no_longer_a_trainer(app, setup):
    feed = services.renew_trainer_feed(setup.trainer, actor="test")
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/werkruimte/agenda/{feed.token}.ics").status_code == 200
    setup.trainer.is_trainer = False
    db.session.commit()
    assert client.get(f"/werkruimte/agenda/{feed.token}.ics").status_code == 404
    setup.trainer.is_trainer, setup.trainer.active = True, False
    db.session.commit()
    assert client.get(f"/werkruimte/agenda/{feed.token}.ics").status_code == 404


@pytest.mark.parametrize("token", ["x", "x" * 43, "x" * 65, "' or 1=1 --", "é"])
def test_unknown_feed_tokens_are_404(client, token):
    assert client.get(f"/werkruimte/agenda/{token}.ics").status_code == 404


def test_a_coordinator_who_is_no_trainer_has_no_feed_section(app, setup):
    cora = staff("cora@example.nl", "Cora", coordinator=True, trainer=False, password=False)
    db.session.commit()
    client = client_for(app, cora)
    assert "Maak een agendalink" not in text(client.get("/werkruimte/"))
    token = csrf_from(text(client.get("/werkruimte/")))
    assert client.post("/werkruimte/agenda/nieuw", data={"csrf_token": token}).status_code == 403
