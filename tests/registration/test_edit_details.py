"""Participants change their own name, organisation, job title and dietary wishes from their
manage link: audited, confirmed by mail, refused with a Dutch message when wrong (issue 11,
item 17)."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from werklab.audit import AuditEntry
from werklab.extensions import db
from werklab.registration import services
from werklab.registration.models import Registration


def text(response) -> str:
    return response.get_data(as_text=True)


def details_url(registration) -> str:
    return f"/inschrijving/{services.manage_token(registration)}/gegevens"


def test_a_participant_changes_their_details(client, factories, programme):
    registration = factories.registration(programme, first_name="Anna", dietary_wishes="Geen")
    db.session.commit()
    manage = text(client.get(f"/inschrijving/{services.manage_token(registration)}"))
    assert details_url(registration) in manage
    page = text(client.get(details_url(registration)))
    assert 'value="Anna"' in page and "Geen" in page
    response = client.post(
        details_url(registration),
        data={
            "csrf_token": csrf_from(page),
            "first_name": "Anne",
            "last_name": "de Vries-Bakker",
            "organisation": "Gemeente Ede",
            "job_title": "Wijkregisseur",
            "dietary_wishes": "Vegetarisch",
            "email": "kaper@evil.example",  # not a field of this form: ignored
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Registration, registration.id)
    assert (stored.full_name, stored.organisation, stored.job_title, stored.dietary_wishes) == (
        "Anne de Vries-Bakker",
        "Gemeente Ede",
        "Wijkregisseur",
        "Vegetarisch",
    )
    assert stored.email == registration.email
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "registration.details_changed")
    ).scalar_one()
    assert entry.data["fields"] == [
        "first_name",
        "last_name",
        "organisation",
        "job_title",
        "dietary_wishes",
    ]
    [mail] = outbox("registration.details_changed")
    assert mail.to_addr == stored.email and mail.subject.startswith("Je gegevens voor")
    assert "Anne de Vries-Bakker" in mail.body_text and "Heb je dit niet zelf" in mail.body_text
    assert "Je gegevens zijn gewijzigd" in text(client.get(response.headers["Location"]))


def test_bad_input_is_refused_and_nothing_changes(client, factories, programme):
    registration = factories.registration(programme, first_name="Anna")
    db.session.commit()
    page = text(client.get(details_url(registration)))
    response = client.post(
        details_url(registration),
        data={
            "csrf_token": csrf_from(page),
            "first_name": "Anna\r\nBcc: x@evil.example",
            "last_name": "",
            "organisation": "x" * 201,
            "job_title": "Adviseur",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "Gebruik één regel" in page
    assert "Vul je achternaam in." in page
    assert "maximaal 200 tekens" in page
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).first_name == "Anna"
    assert outbox("registration.details_changed") == []


def test_nothing_changed_sends_nothing_and_a_cancelled_registration_is_closed(
    client, factories, programme
):
    registration = factories.registration(programme)
    db.session.commit()
    page = text(client.get(details_url(registration)))
    data = {
        "csrf_token": csrf_from(page),
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "organisation": registration.organisation,
        "job_title": registration.job_title,
    }
    assert client.post(details_url(registration), data=data).status_code == 302
    assert outbox("registration.details_changed") == []
    services.cancel_registration(registration, actor="test")
    db.session.commit()
    response = client.post(details_url(registration), data={**data, "first_name": "Nieuw"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).first_name != "Nieuw"


def test_my_programme_links_to_changing_the_details(client, factories, programme):
    from tests.participant.conftest import sign_in

    registration = factories.registration(programme, email="anna@example.nl")
    db.session.commit()
    sign_in(client, "anna@example.nl")
    page = text(client.get("/mijn-traject/"))
    assert details_url(registration) in page
