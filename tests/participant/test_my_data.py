"""Mijn gegevens: everything stored about me, on a page and as a JSON download."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.conftest import outbox
from tests.participant.conftest import sign_in, text, token_of
from werklab.accounts import services as accounts
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.extensions import db
from werklab.registration import services as registration_services
from werklab.workspace.services import add_note


def seeded(factories, programme):
    """Sanne in a programme, with attendance and a trainer note; Bram in the same one."""
    trainer = accounts.create_user("t@example.nl", "Tineke Trainer", trainer=True, actor="test")
    programme.trainers.append(trainer)
    sanne = factories.registration(
        programme,
        email="sanne@example.nl",
        first_name="Sanne",
        last_name="Smit",
        organisation="Woonstichting Oost",
        job_title="Wijkconsulent",
        learning_question="Hoe laat ik bewoners het voortouw nemen?",
        dietary_wishes="Vegetarisch",
    )
    bram = factories.registration(
        programme,
        email="bram@example.nl",
        first_name="Bram",
        learning_question="Bram zijn eigen leervraag",
    )
    session = programme.sessions[0]
    # Recorded once the session had started (attendance waits for that).
    started = session.starts_at
    mark_attendance(session, sanne, AttendanceStatus.EXCUSED, recorded_by=trainer, now=started)
    mark_attendance(session, bram, AttendanceStatus.ABSENT, recorded_by=trainer, now=started)
    add_note(sanne, "Sanne werkt graag met de buurtcoöperatie.", author=trainer)
    add_note(bram, "Notitie over Bram.", author=trainer)
    db.session.commit()
    return sanne, bram, trainer


def test_my_data_shows_everything_stored_about_me(client, factories, programme):
    sanne, _bram, _trainer = seeded(factories, programme)
    other = factories.programme(title="Ander traject")
    cancelled = factories.registration(
        other, email="sanne@example.nl", first_name="Sanne", last_name="Smit"
    )
    registration_services.cancel_registration(cancelled, actor="test")
    db.session.commit()
    sign_in(client, "sanne@example.nl")

    response = client.get("/mijn-traject/gegevens")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "<h1>Mijn gegevens</h1>" in page
    # The account.
    assert "sanne@example.nl" in page
    assert "Sanne Smit" in page
    assert "Laatst ingelogd" in page
    assert "Ingelogd" in page  # the sign-in in the account's history
    # Every field of the registration.
    for value in (
        "Woonstichting Oost",
        "Wijkconsulent",
        "Hoe laat ik bewoners het voortouw nemen?",
        "Vegetarisch",
        "Akkoord met de privacyverklaring",
        "Overheid",
        "Bevestigd",
    ):
        assert value in page, value
    # Its history, attendance and the trainer's note.
    assert "Ingeschreven" in page
    assert "Inschrijving geannuleerd" in page  # the other registration
    assert "Ander traject" in page
    assert "Afgemeld" in page
    assert programme.sessions[0].theme in page
    assert "Sanne werkt graag met de buurtcoöperatie." in page
    assert "Tineke Trainer" in page
    # Mails sent to me.
    assert "E-mails die we je stuurden" in page
    assert f"Je plaats bij {programme.title} is bevestigd" in page
    assert "Je inloglink voor werklab" in page
    # Nothing of Bram's.
    assert "Bram" not in page
    assert "Notitie over Bram." not in page
    assert "Afwezig" not in page


def test_json_download_has_the_same_data(client, factories, programme):
    sanne, _bram, _trainer = seeded(factories, programme)
    sign_in(client, "sanne@example.nl")
    response = client.get("/mijn-traject/gegevens.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="mijn-gegevens-werklab.json"'
    )
    data = json.loads(response.data)
    assert data["account"]["email"] == "sanne@example.nl"
    assert data["account"]["last_sign_in_at"] is not None
    assert "user.signed_in" in [h["action"] for h in data["account"]["history"]]
    [registration] = data["registrations"]
    assert registration["programme"]["title"] == programme.title
    assert registration["status"] == "confirmed"
    assert registration["learning_question"] == "Hoe laat ik bewoners het voortouw nemen?"
    assert registration["dietary_wishes"] == "Vegetarisch"
    assert registration["privacy_consent_at"].endswith("+00:00")
    assert [h["action"] for h in registration["history"]] == ["registration.created"]
    assert registration["attendance"] == [
        {
            "session": programme.sessions[0].theme,
            "status": "excused",
            "recorded_at": registration["attendance"][0]["recorded_at"],
        }
    ]
    [note] = registration["trainer_notes"]
    assert note == {
        "by": "Tineke Trainer",
        "created_at": note["created_at"],
        "text": "Sanne werkt graag met de buurtcoöperatie.",
    }
    subjects = [m["subject"] for m in data["mails"]]
    assert any(programme.title in s for s in subjects)
    assert all(m["to"].lower() == "sanne@example.nl" for m in data["mails"])
    assert len(data["mails"]) == len(
        [m for m in outbox() if m.to_addr.lower() == "sanne@example.nl"]
    )
    assert "Bram" not in response.get_data(as_text=True)


def test_calendar_link_shows_in_my_data(client, factories, programme):
    factories.registration(programme, email="sanne@example.nl")
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    client.post("/mijn-traject/agenda/nieuw", data={"csrf_token": token_of(client)})
    page = text(client.get("/mijn-traject/gegevens"))
    assert "Agendalink gemaakt" in page
    assert "gemaakt op" in page
    data = json.loads(client.get("/mijn-traject/gegevens.json").data)
    assert data["calendar_feed"]["created_at"]
    assert "calendar_feed.created" in [h["action"] for h in data["account"]["history"]]


def test_purged_dietary_wishes_are_gone_from_my_data(client, factories, programme):
    factories.registration(programme, email="sanne@example.nl", dietary_wishes="Halal")
    last = programme.sessions[-1]
    registration_services.purge_dietary_wishes(last.ends_at + timedelta(days=1))
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    page = text(client.get("/mijn-traject/gegevens"))
    assert "Halal" not in page
    assert "geen (we verwijderen ze na afloop van het traject)" in page


def test_my_data_needs_sign_in(client):
    for path in ("/mijn-traject/gegevens", "/mijn-traject/gegevens.json"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/inloggen")


def test_staff_without_registrations_see_their_account(client):
    accounts.create_user("c@example.nl", "Cora", coordinator=True, actor="test")
    db.session.commit()
    sign_in(client, "c@example.nl")
    page = text(client.get("/mijn-traject/gegevens"))
    assert "Je hebt geen inschrijvingen." in page
    assert "coördinator" in page
