"""Mijn traject: registrations with status and sessions, cancelling, the menu entry."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from tests.participant.conftest import sign_in, text, token_of
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeStatus
from werklab.extensions import db
from werklab.registration import services as registration_services
from werklab.registration.models import Registration, RegistrationStatus

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def dutch_date(value) -> str:
    return format_datetime(
        value.replace(tzinfo=UTC), "EEEE d MMMM y", tzinfo=AMSTERDAM, locale="nl"
    )


def section(page: str, title: str) -> str:
    """The part of the page about one programme (its <section>)."""
    start = page.index(f">{title}</h2>")
    return page[start : page.index("</section>", start)]


def full_programme(factories, **kw):
    """A programme with one seat, taken: the next person goes on the waiting list."""
    programme = factories.programme(min_participants=1, max_participants=1, **kw)
    factories.fill(programme, 1)
    return programme


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/mijn-traject/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")


def test_my_programmes_with_status_sessions_and_places(client, factories):
    seated = factories.programme(title="CoP Arnhem")
    waiting = full_programme(factories, title="CoP Nijmegen")
    left = factories.programme(title="CoP Ede")
    mine = factories.registration(seated, email="sanne@example.nl", first_name="Sanne")
    factories.registration(waiting, email="Sanne@Example.nl", first_name="Sanne")
    cancelled = factories.registration(left, email="sanne@example.nl", first_name="Sanne")
    registration_services.cancel_registration(cancelled, actor="test")
    db.session.commit()

    sign_in(client, "sanne@example.nl")
    page = text(client.get("/mijn-traject/"))

    assert "<h1>Mijn traject</h1>" in page
    seated_part = section(page, "CoP Arnhem")
    assert "Bevestigd" in seated_part
    for session in seated.sessions:
        assert session.theme in seated_part
        assert dutch_date(session.starts_at) in seated_part
        assert session.location_name in seated_part
        assert session.location_address in seated_part
    assert f"/mijn-traject/inschrijving/{mine.id}/annuleren" in seated_part
    waiting_part = section(page, "CoP Nijmegen")
    assert "Op de wachtlijst" in waiting_part
    assert "nummer 1 op de wachtlijst" in waiting_part
    earlier = page[page.index("Eerdere inschrijvingen") :]
    assert "CoP Ede: Geannuleerd" in earlier
    assert f"/inschrijving/{cancelled.id}/annuleren" not in page
    # Seated in one programme: the calendar download is offered.
    assert 'href="/mijn-traject/agenda.ics"' in page


def test_waiting_list_position_counts_the_people_ahead(client, factories):
    programme = full_programme(factories)
    factories.registration(programme)  # number 1
    factories.registration(programme)  # number 2
    factories.registration(programme, email="derde@example.nl")
    db.session.commit()
    sign_in(client, "derde@example.nl")
    assert "nummer 3 op de wachtlijst" in text(client.get("/mijn-traject/"))


def test_open_offer_links_to_the_offer(client, factories):
    programme = full_programme(factories)
    registration = factories.registration(programme, email="wacht@example.nl")
    first = db.session.execute(
        select(Registration).where(
            Registration.programme_id == programme.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).scalar_one()
    registration_services.cancel_registration(first, actor="test")
    db.session.commit()
    assert registration.status is RegistrationStatus.OFFERED
    sign_in(client, "wacht@example.nl")
    page = text(client.get("/mijn-traject/"))
    assert "Er is een plaats voor je vrijgekomen." in page
    assert f"/inschrijving/{registration_services.manage_token(registration)}" in page


def test_cancelled_programme_says_so(client, factories, programme):
    factories.registration(programme, email="noor@example.nl")
    programme.status = ProgrammeStatus.CANCELLED
    db.session.commit()
    sign_in(client, "noor@example.nl")
    assert "Dit traject gaat niet door." in text(client.get("/mijn-traject/"))


def test_nothing_yet(client):
    accounts.create_user("nieuw@example.nl", "Nieuw", actor="test")
    db.session.commit()
    sign_in(client, "nieuw@example.nl")
    page = text(client.get("/mijn-traject/"))
    assert "Je hebt nog geen inschrijvingen." in page
    assert "agenda.ics" not in page


def test_b_sees_only_their_own_registrations(app, factories, programme):
    other = factories.programme(title="Alleen voor A")
    reg_a = factories.registration(
        programme, email="a@example.nl", first_name="Anna", last_name="Aalbers"
    )
    factories.registration(other, email="a@example.nl", first_name="Anna")
    factories.registration(programme, email="b@example.nl", first_name="Bram")
    db.session.commit()
    client_b = app.test_client()
    sign_in(client_b, "b@example.nl")
    page = text(client_b.get("/mijn-traject/"))
    assert programme.title in page
    assert "Alleen voor A" not in page
    assert "Aalbers" not in page
    assert registration_services.manage_token(reg_a) not in page
    assert f"/inschrijving/{reg_a.id}/annuleren" not in page


# --- cancelling ----------------------------------------------------------------------------


def test_participant_cancels_with_confirmation(client, factories, programme, user_of):
    registration = factories.registration(programme, email="kees@example.nl", first_name="Kees")
    db.session.commit()
    sign_in(client, "kees@example.nl")
    url = f"/mijn-traject/inschrijving/{registration.id}/annuleren"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Je inschrijving annuleren?" in text(confirm)
    assert programme.title in text(confirm)

    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(text(confirm)),
            # Extra fields are ignored.
            "status": "confirmed",
            "programme_id": "999",
            "registration_id": "1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/mijn-traject/"
    page = text(client.get("/mijn-traject/"))
    assert f"Je inschrijving voor {programme.title} is geannuleerd." in page
    assert f"{programme.title}: Geannuleerd" in page

    db.session.refresh(registration)
    assert registration.status is RegistrationStatus.CANCELLED
    assert registration.programme_id == programme.id
    user = user_of("kees@example.nl")
    entry = db.session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "registration.cancelled",
            AuditEntry.object_id == registration.id,
        )
    ).scalar_one()
    assert entry.actor == f"user:{user.id}"
    assert [m.to_addr for m in outbox("registration.cancelled")] == ["kees@example.nl"]


def test_cancelling_twice_says_it_is_already_done(client, factories, programme):
    registration = factories.registration(programme, email="kees@example.nl")
    registration_services.cancel_registration(registration, actor="test")
    db.session.commit()
    sign_in(client, "kees@example.nl")
    response = client.get(
        f"/mijn-traject/inschrijving/{registration.id}/annuleren", follow_redirects=True
    )
    assert "Deze inschrijving is al geannuleerd of afgelopen." in text(response)


def test_someone_else_cannot_cancel_my_registration(app, factories, programme):
    reg_a = factories.registration(programme, email="a@example.nl")
    factories.registration(programme, email="b@example.nl")
    trainer = accounts.create_user("t@example.nl", "Tineke", trainer=True, actor="test")
    programme.trainers.append(trainer)
    db.session.commit()
    url = f"/mijn-traject/inschrijving/{reg_a.id}/annuleren"
    for email in ("b@example.nl", "t@example.nl"):
        client = app.test_client()
        sign_in(client, email)
        assert client.get(url).status_code == 403
        assert client.post(url, data={"csrf_token": token_of(client)}).status_code == 403
    db.session.refresh(reg_a)
    assert reg_a.status is RegistrationStatus.CONFIRMED
    assert outbox("registration.cancelled") == []


def test_coordinator_may_cancel_a_registration(client, factories, programme):
    registration = factories.registration(programme, first_name="Piet", last_name="Post")
    accounts.create_user("c@example.nl", "Cora", coordinator=True, actor="test")
    db.session.commit()
    sign_in(client, "c@example.nl")
    response = client.post(
        f"/mijn-traject/inschrijving/{registration.id}/annuleren",
        data={"csrf_token": token_of(client)},
        follow_redirects=True,
    )
    assert f"De inschrijving van Piet Post voor {programme.title} is geannuleerd." in text(response)
    db.session.refresh(registration)
    assert registration.status is RegistrationStatus.CANCELLED


def test_unknown_registration_is_404(client, factories, programme):
    factories.registration(programme, email="kees@example.nl")
    db.session.commit()
    sign_in(client, "kees@example.nl")
    assert client.get("/mijn-traject/inschrijving/987654/annuleren").status_code == 404


# --- the menu ------------------------------------------------------------------------------


def test_participants_find_mijn_traject_in_their_menu(client, factories, programme):
    factories.registration(programme, email="eva@example.nl")
    db.session.commit()
    sign_in(client, "eva@example.nl")
    assert '<a href="/mijn-traject/">Mijn traject</a>' in text(client.get("/account"))


def test_staff_see_it_only_when_they_registered_themselves(app, factories, programme):
    accounts.create_user("t1@example.nl", "Trainer Een", trainer=True, actor="test")
    accounts.create_user("t2@example.nl", "Trainer Twee", trainer=True, actor="test")
    factories.registration(programme, email="t2@example.nl")
    db.session.commit()
    one, two = app.test_client(), app.test_client()
    sign_in(one, "t1@example.nl")
    sign_in(two, "t2@example.nl")
    assert "/mijn-traject/" not in text(one.get("/account"))
    assert '<a href="/mijn-traject/">Mijn traject</a>' in text(two.get("/account"))


# --- query count ---------------------------------------------------------------------------


def _page_queries(app, factories, count_queries, email: str, programmes: int) -> list[str]:
    for i in range(programmes):
        if i == 1:
            programme = full_programme(factories, sessions=4)  # one on the waiting list
        else:
            programme = factories.programme(sessions=3 + i)
        factories.registration(programme, email=email)
        if i == 2:
            cancelled = factories.registration(factories.programme(), email=email)
            registration_services.cancel_registration(cancelled, actor="test")
    db.session.commit()
    client = app.test_client()
    sign_in(client, email)
    client.post("/mijn-traject/agenda/nieuw", data={"csrf_token": token_of(client)})  # with a feed
    with count_queries() as statements:
        response = client.get("/mijn-traject/")
    assert response.status_code == 200
    assert text(response).count('class="sessions"') == programmes
    return statements


def test_query_count_does_not_grow_with_my_registrations(app, factories, count_queries):
    one = _page_queries(app, factories, count_queries, "een@example.nl", 1)
    five = _page_queries(app, factories, count_queries, "vijf@example.nl", 5)
    assert len(one) == len(five), "\n".join(five)
    # incl. the certificates and open evaluations, the host rotas (offers, seats), the theme
    # votes and the renewal invitations (issue 15): one query each
    assert len(five) <= 11, "\n".join(five)


def test_dates_are_in_dutch_local_time(client, factories, programme):
    session = programme.sessions[0]
    session.starts_at = session.starts_at.replace(hour=7, minute=30)  # 08:30 or 09:30 local
    session.ends_at = session.starts_at + timedelta(hours=2)
    factories.registration(programme, email="tijd@example.nl")
    db.session.commit()
    sign_in(client, "tijd@example.nl")
    page = text(client.get("/mijn-traject/"))
    local = session.starts_at.replace(tzinfo=UTC).astimezone(AMSTERDAM)
    assert f"{local:%H:%M}–" in page
    assert "07:30–" not in page
