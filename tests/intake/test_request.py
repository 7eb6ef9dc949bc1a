"""The public intake form: stored request, mails to the contact and the coordinators."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import outbox
from tests.intake.conftest import csrf, text
from werklab.extensions import db
from werklab.intake.models import BookingRequest, RequestStatus

FORM = {
    "municipality": "Gemeente Zwolle",
    "contact_name": "Joost de Boer",
    "contact_role": "Beleidsadviseur",
    "contact_email": "j.deboer@zwolle.nl",
    "contact_phone": "038 498 9111",
    "expected_participants": "12",
    "policy_areas": ["spatial", "energy"],
    "question": "Hoe geven we ruimte aan energiecoöperaties?",
    "current_practice": "Nog weinig structureel.",
    "known_initiatives": "Energie Zwolle-Zuid",
    "preferred_period": "Voorjaar",
    "practical_wishes": "Rolstoeltoegankelijk",
}


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(BookingRequest)).scalar_one()


def test_form_is_in_dutch_with_the_policy_areas(client):
    page = text(client.get("/werklab-aanvragen"))
    assert "<h1>" in page and page.count("<h1") == 1
    assert "Sociaal domein" in page and "Ruimte / Omgevingswet" in page
    assert "Energietransitie" in page and "10 tot 15" in page


def test_request_is_stored_and_mailed(client, coordinator):
    response = client.post(
        "/werklab-aanvragen", data={**FORM, "csrf_token": csrf(client), "status": "accepted"}
    )
    assert response.status_code == 302
    booking = db.session.execute(select(BookingRequest)).scalar_one()
    assert booking.status is RequestStatus.NEW  # the extra field is ignored
    assert booking.municipality == "Gemeente Zwolle"
    assert booking.policy_areas == ["spatial", "energy"]
    assert booking.expected_participants == 12
    (confirmation,) = outbox("intake.request_received")
    assert confirmation.to_addr == "j.deboer@zwolle.nl"
    assert "Zwolle" in confirmation.body_text
    (notice,) = outbox("intake.request_notice")
    assert notice.to_addr == coordinator.email
    assert f"/beheer/aanvragen/{booking.id}" in notice.body_text
    assert "Bedankt" in text(client.get(response.headers["Location"]))


def test_group_size_outside_10_to_15_is_explained(client, coordinator):
    for size in ("6", "25"):
        response = client.post(
            "/werklab-aanvragen",
            data={**FORM, "expected_participants": size, "csrf_token": csrf(client)},
        )
        assert response.status_code == 422
        page = text(response)
        assert "10 tot 15 deelnemers" in page and "passief" in page
    assert _count() == 0
    assert outbox() == []


def test_missing_fields_and_policy_area(client):
    data = {**FORM, "policy_areas": [], "question": "", "csrf_token": csrf(client)}
    response = client.post("/werklab-aanvragen", data=data)
    assert response.status_code == 422
    assert "Kies minstens één beleidsterrein" in text(response)
    assert _count() == 0


def test_without_csrf_nothing_is_stored(client):
    response = client.post("/werklab-aanvragen", data=FORM)
    assert response.status_code == 400
    assert _count() == 0
