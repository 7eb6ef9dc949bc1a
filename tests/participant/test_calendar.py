"""The .ics download and the personal calendar feed (secret URL, renewable, revocable)."""

from __future__ import annotations

import re
from datetime import UTC

from icalendar import Calendar
from sqlalchemy import select

from tests.participant.conftest import sign_in, text, token_of
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeStatus
from werklab.extensions import db
from werklab.participant import services
from werklab.participant.models import CalendarFeed
from werklab.registration import services as registration_services
from werklab.registration.models import Registration

FEED_RE = re.compile(r'value="http://werklab\.test(/mijn-traject/agenda/([^"/]+)\.ics)"')


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def summaries(body: bytes) -> set[str]:
    return {str(e["SUMMARY"]) for e in events(body)}


def seated_and_waiting(factories, email="sanne@example.nl"):
    """Sanne has a seat in one programme and waits for another."""
    seated = factories.programme(title="Met plaats")
    full = factories.programme(title="Vol", min_participants=1, max_participants=1)
    factories.fill(full, 1)
    factories.registration(seated, email=email, first_name="Sanne")
    factories.registration(full, email=email, first_name="Sanne")
    return seated, full


def make_feed(client) -> tuple[str, str, str]:
    """Press "Make a calendar link"; return the feed's path and token, and the page shown."""
    response = client.post("/mijn-traject/agenda/nieuw", data={"csrf_token": token_of(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/mijn-traject/#agenda"
    page = text(client.get("/mijn-traject/"))
    match = FEED_RE.search(page)
    assert match, "the page shows no calendar link"
    return match.group(1), match.group(2), page


def test_download_holds_the_sessions_of_programmes_with_a_seat(client, factories):
    seated, full = seated_and_waiting(factories)
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    response = client.get("/mijn-traject/agenda.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == 'attachment; filename="werklab.ics"'
    found = events(response.data)
    assert {str(e["SUMMARY"]) for e in found} == {f"Met plaats: {s.theme}" for s in seated.sessions}
    first = next(e for e in found if str(e["SUMMARY"]).endswith(seated.sessions[0].theme))
    assert first.decoded("DTSTART") == seated.sessions[0].starts_at.replace(tzinfo=UTC)
    assert seated.sessions[0].location_name in str(first["LOCATION"])
    # Same UID as in the confirmation mail's calendar: a calendar shows each session once.
    assert str(first["UID"]) == f"werklab-session-{seated.sessions[0].id}@werklab"
    assert str(Calendar.from_ical(response.data)["X-WR-CALNAME"]) == "werklab: mijn bijeenkomsten"


def test_calendar_download_needs_sign_in(client):
    response = client.get("/mijn-traject/agenda.ics")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen")


def test_feed_works_without_signing_in(app, client, factories, user_of):
    seated, _full = seated_and_waiting(factories)
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    path, token, page = make_feed(client)
    assert "Hier is je agendalink." in page

    stored = db.session.execute(select(CalendarFeed)).scalar_one()
    assert stored.user_id == user_of("sanne@example.nl").id
    assert stored.token == token
    assert len(token) >= 40

    calendar_app = app.test_client()  # no cookies: a calendar app subscribing
    response = calendar_app.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    assert summaries(response.data) == {f"Met plaats: {s.theme}" for s in seated.sessions}


def test_feed_follows_changes(app, client, factories):
    seated, full = seated_and_waiting(factories)
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    path, _token, _page = make_feed(client)
    calendar_app = app.test_client()

    # A seat frees up and Sanne takes it: the second programme appears in the feed.
    holder, mine = full_registrations(full)
    registration_services.cancel_registration(holder, actor="test")
    registration_services.accept_offer(mine)
    db.session.commit()
    assert {s.split(":")[0] for s in summaries(calendar_app.get(path).data)} == {
        "Met plaats",
        "Vol",
    }

    # A cancelled programme leaves the calendar.
    seated.status = ProgrammeStatus.CANCELLED
    db.session.commit()
    assert {s.split(":")[0] for s in summaries(calendar_app.get(path).data)} == {"Vol"}


def full_registrations(programme) -> list[Registration]:
    return list(
        db.session.execute(
            select(Registration)
            .where(Registration.programme_id == programme.id)
            .order_by(Registration.id)
        ).scalars()
    )


def test_new_link_revokes_the_old_one(app, client, factories):
    seated_and_waiting(factories)
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    old_path, old_token, _page = make_feed(client)
    new_path, new_token, page = make_feed(client)
    assert new_token != old_token
    assert "Hier is je nieuwe agendalink. De oude link werkt niet meer." in page
    assert old_token not in page

    calendar_app = app.test_client()
    assert calendar_app.get(old_path).status_code == 404
    assert calendar_app.get(new_path).status_code == 200
    actions = list(
        db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "calendar_feeds")
            .order_by(AuditEntry.id)
        ).scalars()
    )
    assert actions == ["calendar_feed.created", "calendar_feed.renewed"]
    # The audit log never holds the secret.
    data = db.session.execute(
        select(AuditEntry.data).where(AuditEntry.object_type == "calendar_feeds")
    ).scalars()
    assert all(old_token not in str(d) and new_token not in str(d) for d in data)


def test_switching_the_link_off(app, client, factories, user_of):
    seated_and_waiting(factories)
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    path, _token, _page = make_feed(client)
    response = client.post(
        "/mijn-traject/agenda/stoppen",
        data={"csrf_token": token_of(client)},
        follow_redirects=True,
    )
    page = text(response)
    assert "Je agendalink staat uit. De link werkt niet meer." in page
    assert "/mijn-traject/agenda/" not in page.replace("/mijn-traject/agenda/nieuw", "")
    assert "Maak een agendalink" in page
    assert app.test_client().get(path).status_code == 404
    assert db.session.execute(select(CalendarFeed)).first() is None
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "calendar_feed.revoked")
    ).scalar_one()
    assert entry.actor == f"user:{user_of('sanne@example.nl').id}"


def test_feed_of_a_switched_off_account_is_gone(app, client, factories, user_of):
    seated_and_waiting(factories)
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    path, _token, _page = make_feed(client)
    user_of("sanne@example.nl").active = False
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_b_never_sees_the_feed_of_a(app, factories, programme):
    factories.registration(programme, email="a@example.nl")
    factories.registration(programme, email="b@example.nl")
    db.session.commit()
    client_a, client_b = app.test_client(), app.test_client()
    sign_in(client_a, "a@example.nl")
    sign_in(client_b, "b@example.nl")
    _path_a, token_a, _page = make_feed(client_a)
    assert token_a not in text(client_b.get("/mijn-traject/"))
    # B making a link changes nothing for A.
    _path_b, token_b, _page = make_feed(client_b)
    assert token_b != token_a
    assert token_a in text(client_a.get("/mijn-traject/"))


def test_guessed_and_malformed_tokens_are_404(client):
    for path in (
        "/mijn-traject/agenda/" + "A" * 43 + ".ics",
        "/mijn-traject/agenda/" + "A" * 300 + ".ics",
        "/mijn-traject/agenda/.ics",
    ):
        assert client.get(path).status_code == 404


def test_two_clicks_at_once_leave_one_working_link(monkeypatch, factories, programme):
    """The second request does not see the first one's link yet (user_id is unique)."""
    factories.registration(programme, email="sanne@example.nl")
    user = accounts.create_user("sanne@example.nl", "Sanne", actor="test")
    first = services.renew_feed(user)
    first_token = first.token
    real_feed_of = services.feed_of
    calls = iter([None])
    monkeypatch.setattr(services, "feed_of", lambda u: next(calls, real_feed_of(u)))
    second = services.renew_feed(user)
    assert second.id == first.id
    assert second.token != first_token
    assert services.find_feed(first_token) is None
    assert services.find_feed(second.token) is not None
